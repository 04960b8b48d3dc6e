"""Follows and connections, through the API, exactly as the Connections contract says."""

import pytest

from profiles import signals
from profiles.models import Connection, ConnectionRequest, Follow, Profile

pytestmark = pytest.mark.django_db


def ask(client, username, message=""):
    return client.post(
        "/api/v1/connections/requests/", {"username": username, "message": message}, format="json"
    )


def counts(profile):
    profile = Profile.objects.get(pk=profile.pk)
    return profile.follower_count, profile.following_count, profile.connection_count


def test_follow_is_instant_one_way_and_idempotent(ana, priya, client_for):
    client = client_for(ana)
    assert client.post("/api/v1/profiles/priya/follow/").status_code == 201
    assert client.post("/api/v1/profiles/priya/follow/").status_code == 200
    assert Follow.objects.filter(follower=ana, followee=priya).count() == 1
    assert not Follow.objects.filter(follower=priya, followee=ana).exists()
    assert counts(priya) == (1, 0, 0) and counts(ana) == (0, 1, 0)
    assert client.get("/api/v1/profiles/priya/").json()["is_following"] is True


def test_unfollow_is_idempotent(ana, priya, client_for):
    client = client_for(ana)
    client.post("/api/v1/profiles/priya/follow/")
    assert client.delete("/api/v1/profiles/priya/follow/").status_code == 204
    assert client.delete("/api/v1/profiles/priya/follow/").status_code == 204
    assert counts(priya) == (0, 0, 0)


def test_nobody_follows_themselves(ana, client_for):
    response = client_for(ana).post("/api/v1/profiles/ana/follow/")
    assert response.status_code == 400
    assert not Follow.objects.exists()


def test_followers_and_following_lists(ana, priya, marco, client_for):
    client_for(ana).post("/api/v1/profiles/priya/follow/")
    client_for(marco).post("/api/v1/profiles/priya/follow/")
    followers = client_for(ana).get("/api/v1/profiles/priya/followers/").json()["results"]
    assert [p["username"] for p in followers] == ["ana", "marco"]
    following = client_for(priya).get("/api/v1/profiles/ana/following/").json()["results"]
    assert [p["username"] for p in following] == ["priya"]


def test_follow_hooks_fire_after_commit(ana, priya, client_for, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.followed.connect(listener)
    signals.unfollowed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client_for(ana).post("/api/v1/profiles/priya/follow/")
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert heard[0]["follower_id"] == ana.pk and heard[0]["followee_id"] == priya.pk
    finally:
        signals.followed.disconnect(listener)
        signals.unfollowed.disconnect(listener)


def test_a_request_then_accept_connects_and_both_follow(ana, priya, client_for):
    sent = ask(client_for(ana), "priya", "We met at the offsite!")
    assert sent.status_code == 201
    request = sent.json()
    assert request["status"] == "pending" and request["message"] == "We met at the offsite!"
    incoming = client_for(priya).get("/api/v1/connections/requests/?box=incoming").json()["results"]
    assert [r["sender"]["username"] for r in incoming] == ["ana"]
    outgoing = client_for(ana).get("/api/v1/connections/requests/?box=outgoing").json()["results"]
    assert [r["receiver"]["username"] for r in outgoing] == ["priya"]
    assert client_for(ana).get("/api/v1/profiles/priya/").json()["connection"] == "request_sent"

    accepted = client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert Connection.objects.filter(profile=ana, other=priya).exists()
    assert Connection.objects.filter(profile=priya, other=ana).exists()
    assert Follow.objects.filter(follower=ana, followee=priya).exists()
    assert Follow.objects.filter(follower=priya, followee=ana).exists()
    assert counts(ana) == (1, 1, 1) and counts(priya) == (1, 1, 1)
    mine = client_for(ana).get("/api/v1/connections/").json()["results"]
    assert [p["username"] for p in mine] == ["priya"]
    assert mine[0]["connection"] == "connected"


def test_asking_someone_who_already_asked_me_connects_us(ana, priya, client_for):
    ask(client_for(ana), "priya")
    crossing = ask(client_for(priya), "ana")
    assert crossing.status_code == 201
    assert crossing.json()["status"] == "accepted"
    assert Connection.objects.filter(profile=priya, other=ana).exists()
    assert not ConnectionRequest.objects.filter(status="pending").exists()


def test_asking_twice_returns_the_pending_request(ana, priya, client_for):
    first = ask(client_for(ana), "priya").json()
    again = ask(client_for(ana), "priya")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert ConnectionRequest.objects.count() == 1


def test_asking_a_connection_again_is_a_conflict(ana, priya, client_for):
    request = ask(client_for(ana), "priya").json()
    client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
    response = ask(client_for(ana), "priya")
    assert response.status_code == 409
    assert "already connected" in response.json()["detail"]


def test_only_the_receiver_accepts_or_declines(ana, priya, marco, client_for):
    request = ask(client_for(ana), "priya").json()
    assert client_for(ana).post(f"/api/v1/connections/requests/{request['id']}/accept/").status_code == 403
    assert client_for(ana).post(f"/api/v1/connections/requests/{request['id']}/decline/").status_code == 403
    # A third person cannot even see the request.
    assert client_for(marco).post(f"/api/v1/connections/requests/{request['id']}/accept/").status_code == 404
    assert not Connection.objects.exists()


def test_accept_is_idempotent(ana, priya, client_for):
    request = ask(client_for(ana), "priya").json()
    url = f"/api/v1/connections/requests/{request['id']}/accept/"
    assert client_for(priya).post(url).status_code == 200
    assert client_for(priya).post(url).status_code == 200
    assert Connection.objects.count() == 2
    assert counts(priya) == (1, 1, 1)


def test_decline_leaves_no_connection_and_is_idempotent(ana, priya, client_for):
    request = ask(client_for(ana), "priya").json()
    url = f"/api/v1/connections/requests/{request['id']}/decline/"
    assert client_for(priya).post(url).json()["status"] == "declined"
    assert client_for(priya).post(url).status_code == 200
    assert not Connection.objects.exists()
    accept = client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
    assert accept.status_code == 409
    # Ana may ask again later.
    assert ask(client_for(ana), "priya").status_code == 201


def test_only_the_sender_withdraws(ana, priya, client_for):
    request = ask(client_for(ana), "priya").json()
    assert client_for(priya).delete(f"/api/v1/connections/requests/{request['id']}/").status_code == 403
    assert client_for(ana).delete(f"/api/v1/connections/requests/{request['id']}/").status_code == 204
    assert client_for(ana).delete(f"/api/v1/connections/requests/{request['id']}/").status_code == 204
    assert ConnectionRequest.objects.get().status == "withdrawn"
    assert client_for(priya).get("/api/v1/connections/requests/?box=incoming").json()["results"] == []
    accept = client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
    assert accept.status_code == 409


def test_removing_a_connection_from_either_side(ana, priya, client_for):
    request = ask(client_for(ana), "priya").json()
    client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
    assert client_for(priya).delete("/api/v1/connections/ana/").status_code == 204
    assert client_for(priya).delete("/api/v1/connections/ana/").status_code == 204
    assert not Connection.objects.exists()
    assert not Follow.objects.exists()
    assert counts(ana) == (0, 0, 0) and counts(priya) == (0, 0, 0)


def test_requests_across_statuses_reconnect_an_alumnus(ana, olu, client_for):
    request = ask(client_for(olu), "ana").json()
    assert client_for(ana).post(f"/api/v1/connections/requests/{request['id']}/accept/").status_code == 200
    assert Connection.objects.filter(profile=olu, other=ana).exists()


def test_bad_connection_requests(ana, client_for):
    client = client_for(ana)
    assert ask(client, "ana").status_code == 400
    assert ask(client, "nobody").status_code == 404
    assert client.post("/api/v1/connections/requests/", {}, format="json").status_code == 400
    assert client.get("/api/v1/connections/requests/?box=spam").status_code == 400
    assert client.post("/api/v1/connections/requests/999999/accept/").status_code == 404
    assert ask(client, "x" * 1000).status_code == 400


def test_connection_hooks_fire(ana, priya, client_for, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, signal, **kwargs):
        heard.append((signal, kwargs["profile_ids"]))

    signals.connected.connect(listener)
    signals.disconnected.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            request = ask(client_for(ana), "priya").json()
            client_for(priya).post(f"/api/v1/connections/requests/{request['id']}/accept/")
            client_for(ana).delete("/api/v1/connections/priya/")
        assert heard == [
            (signals.connected, (ana.pk, priya.pk)),
            (signals.disconnected, (ana.pk, priya.pk)),
        ]
    finally:
        signals.connected.disconnect(listener)
        signals.disconnected.disconnect(listener)
