"""Notifications: a comment on your post, a reaction to it, an @mention, a connection request
and its acceptance — never for what you did yourself, never about what you may not see."""

import pytest

from feed.models import Notification
from profiles.models import ConnectionRequest
from tests.feed.stories import post

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"


def kinds(client) -> list[tuple[str, str]]:
    """(kind, actor) of each notification listed, newest first."""
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 200, response.content
    return [(n["kind"], n["actor"]["username"]) for n in response.json()["results"]]


def unread_count(client) -> int:
    return client.get("/api/v1/me/").json()["unread_count"]


# --- What notifies whom ----------------------------------------------------------------------


def test_a_comment_on_my_post_notifies_me(ana, priya, client_for, committed):
    written = post(ana, "Lunch?")

    with committed():
        comment = (
            client_for(priya)
            .post(f"/api/v1/posts/{written.pk}/comments/", {"body": "Yes"}, format="json")
            .json()
        )

    listed = client_for(ana).get(NOTIFICATIONS).json()["results"]
    assert [(n["kind"], n["actor"]["username"], n["post"], n["comment"]) for n in listed] == [
        ("comment", "priya", written.pk, comment["id"])
    ]
    assert listed[0]["read"] is False


def test_my_own_comment_notifies_no_one(ana, client_for, committed):
    written = post(ana, "Lunch?")

    with committed():
        client_for(ana).post(f"/api/v1/posts/{written.pk}/comments/", {"body": "Anyone?"}, format="json")

    assert not Notification.objects.exists()


def test_a_like_on_my_post_notifies_me_once(ana, priya, client_for, committed):
    written = post(ana, "Lunch?")

    with committed():
        for _ in range(2):
            client_for(priya).put(f"/api/v1/posts/{written.pk}/reaction/", {"kind": "like"}, format="json")

    assert kinds(client_for(ana)) == [("reaction", "priya")]


def test_my_own_like_notifies_no_one(ana, client_for, committed):
    written = post(ana, "Lunch?")

    with committed():
        client_for(ana).put(f"/api/v1/posts/{written.pk}/reaction/", {"kind": "like"}, format="json")

    assert not Notification.objects.exists()


def test_a_mention_in_a_post_notifies_the_person_mentioned(ana, priya, marco, client_for, committed):
    with committed():
        client_for(ana).post("/api/v1/posts/", {"body": "Thanks @priya and @marco!"}, format="json")

    assert kinds(client_for(priya)) == [("mention", "ana")]
    assert kinds(client_for(marco)) == [("mention", "ana")]


def test_mentioning_myself_or_nobody_notifies_no_one(ana, client_for, committed):
    with committed():
        response = client_for(ana).post(
            "/api/v1/posts/", {"body": "Note to @ana: ask @nobody"}, format="json"
        )

    assert response.status_code == 201
    assert not Notification.objects.exists()


def test_a_mention_in_a_comment_notifies_the_person_mentioned(ana, priya, marco, client_for, committed):
    written = post(ana, "Who can review?")

    with committed():
        client_for(priya).post(
            f"/api/v1/posts/{written.pk}/comments/", {"body": "@marco can, right @ana?"}, format="json"
        )

    assert kinds(client_for(marco)) == [("mention", "priya")]
    # Ana hears about the comment once, not also about being mentioned in it.
    assert kinds(client_for(ana)) == [("comment", "priya")]


def test_an_alumnus_mentioned_in_a_company_post_hears_nothing(ana, olu, client_for, committed):
    with committed():
        client_for(ana).post(
            "/api/v1/posts/", {"body": "Olu built this, @olu", "visibility": "company"}, format="json"
        )

    assert kinds(client_for(olu)) == []


def test_an_alumnus_mentioned_in_a_network_post_hears_about_it(ana, olu, client_for, committed):
    with committed():
        client_for(ana).post(
            "/api/v1/posts/", {"body": "Olu built this, @olu", "visibility": "network"}, format="json"
        )

    assert kinds(client_for(olu)) == [("mention", "ana")]


def test_a_colleague_mentioned_in_a_post_for_connections_they_are_not_part_of_hears_nothing(
    ana, priya, client_for, committed
):
    with committed():
        client_for(ana).post(
            "/api/v1/posts/", {"body": "Between us, @priya", "visibility": "connections"}, format="json"
        )

    assert kinds(client_for(priya)) == []


def test_a_notification_about_a_post_i_may_no_longer_see_is_not_listed(ana, olu, client_for, committed):
    with committed():
        created = (
            client_for(ana)
            .post("/api/v1/posts/", {"body": "Olu built this, @olu", "visibility": "network"}, format="json")
            .json()
        )
    assert unread_count(client_for(olu)) == 1

    with committed():
        client_for(ana).patch(f"/api/v1/posts/{created['id']}/", {"visibility": "company"}, format="json")

    assert kinds(client_for(olu)) == []
    assert unread_count(client_for(olu)) == 0


def test_a_connection_request_notifies_the_receiver(ana, priya, client_for, committed):
    with committed():
        response = client_for(priya).post("/api/v1/connections/requests/", {"username": "ana"}, format="json")

    listed = client_for(ana).get(NOTIFICATIONS).json()["results"]
    assert [(n["kind"], n["actor"]["username"], n["connection_request"]) for n in listed] == [
        ("connection_request", "priya", response.json()["id"])
    ]
    assert kinds(client_for(priya)) == []


def test_an_accepted_request_notifies_the_sender_only(ana, priya, client_for, committed):
    with committed():
        client_for(priya).post("/api/v1/connections/requests/", {"username": "ana"}, format="json")
    request = ConnectionRequest.objects.get()

    with committed():
        assert client_for(ana).post(f"/api/v1/connections/requests/{request.pk}/accept/").status_code == 200

    assert kinds(client_for(priya)) == [("connection_accepted", "ana")]
    assert kinds(client_for(ana)) == [("connection_request", "priya")]


# --- Listing and reading ---------------------------------------------------------------------


@pytest.fixture
def three_for_ana(ana, marco, priya, client_for, committed):
    """Ana's post gets a comment from Marco, a like from Priya, then a comment from Priya."""
    written = post(ana, "Lunch?")
    with committed():
        client_for(marco).post(f"/api/v1/posts/{written.pk}/comments/", {"body": "Yes"}, format="json")
        client_for(priya).put(f"/api/v1/posts/{written.pk}/reaction/", {"kind": "like"}, format="json")
        client_for(priya).post(f"/api/v1/posts/{written.pk}/comments/", {"body": "Me too"}, format="json")
    return [n["id"] for n in client_for(ana).get(NOTIFICATIONS).json()["results"]]


def test_notifications_are_listed_newest_first(ana, three_for_ana, client_for):
    assert kinds(client_for(ana)) == [("comment", "priya"), ("reaction", "priya"), ("comment", "marco")]
    assert three_for_ana == sorted(three_for_ana, reverse=True)


def test_marking_read_up_to_an_id_lowers_the_unread_count(ana, three_for_ana, client_for):
    newest, middle, oldest = three_for_ana
    assert unread_count(client_for(ana)) == 3

    response = client_for(ana).post(f"{NOTIFICATIONS}read/", {"up_to": middle}, format="json")

    assert response.status_code == 200
    assert response.json() == {"unread_count": 1}
    assert unread_count(client_for(ana)) == 1
    listed = client_for(ana).get(NOTIFICATIONS).json()["results"]
    assert {n["id"]: n["read"] for n in listed} == {newest: False, middle: True, oldest: True}


def test_marking_read_touches_only_my_own_notifications(ana, priya, three_for_ana, client_for):
    response = client_for(priya).post(f"{NOTIFICATIONS}read/", {"up_to": three_for_ana[0]}, format="json")

    assert response.json() == {"unread_count": 0}
    assert unread_count(client_for(ana)) == 3


@pytest.mark.parametrize(
    "up_to", ["x", 0, -1, None, 1.5], ids=["text", "zero", "negative", "null", "fraction"]
)
def test_marking_read_with_a_bad_id_is_refused_and_changes_nothing(ana, three_for_ana, client_for, up_to):
    response = client_for(ana).post(f"{NOTIFICATIONS}read/", {"up_to": up_to}, format="json")

    assert response.status_code == 400
    assert "up_to" in response.json()
    assert unread_count(client_for(ana)) == 3


def test_marking_read_without_an_id_is_refused(ana, three_for_ana, client_for):
    response = client_for(ana).post(f"{NOTIFICATIONS}read/", {}, format="json")

    assert response.status_code == 400
    assert unread_count(client_for(ana)) == 3
