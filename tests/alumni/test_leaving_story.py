"""Ana leaves the company, and comes back.

The whole story against a live server, real PostgreSQL, real Redis (timelines, channel
layer, broker) and a real Celery worker: before she leaves, Ana is a colleague with a
company post, a company album, a ``network`` album, connections, a signed-in phone and a
browser, and an open live socket. HR offboards her. From then on she is an alumna: her
old token and session are dead, her socket is closed, every surface hides company content
(her own too, and a company post written into her timeline by a fan-out that raced the
offboarding), her network album and connections remain, she signs in with her personal
email and not her work email, and only her connections hear that she left. Then she is
rehired: company content is back, her old token is not.
"""

import asyncio
import contextlib
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from feed import services as feed_services
from feed import timelines
from feed.models import Activity, Notification, Post
from profiles import services as graph
from profiles.models import DeviceToken, ProfileStatus
from socialblue.celery import app as celery_app
from tests.factories import PASSWORD
from tests.feed.stories import active, build_timeline, post
from tests.live import http_json
from tests.photos import files
from tests.photos.stories import create_album, post_images
from tests.sockets import Socket, opened
from tests.workers import tasks_through_broker, wait_for

# The server and the worker read what the test wrote through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL_EMAIL = "ana.silva@home.example"
NEW_PASSWORD = "a-long-walk-on-the-beach-2027"


@pytest.fixture(autouse=True)
def _media(media_root):
    """Ana's photos go to a temporary MEDIA_ROOT."""


@contextlib.contextmanager
def tasks_inline():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@dataclass
class Before:
    """What Ana had the day before she left."""

    ana_token: str
    hana_token: str
    marco_token: str
    priya_token: str
    company_post: Post
    network_post_of_marco: Post
    company_post_of_marco: Post
    company_album: dict
    network_album: dict
    company_photo: dict
    network_photo: dict


def _album_with_a_photo(client, visibility: str) -> tuple[dict, dict]:
    album = create_album(client, title=f"{visibility} days", visibility=visibility)
    response = post_images(client, album["id"], files.noisy(size=(320, 240)))
    assert response.status_code == 202, response.content
    photo = client.get(f"/api/v1/photos/{response.json()[0]['id']}/").json()
    assert photo["status"] == "ready", photo
    return album, photo


@pytest.fixture
def before(ana, marco, priya, hana, client_for, redis_client) -> Before:
    """Ana is connected to Marco (who follows her, as connections do); Priya follows her
    without being connected. Tasks run inline while the scene is set."""
    with tasks_inline():
        active(ana, marco, priya, hana)
        graph.connection_request_send(sender=ana, receiver=marco)
        graph.connection_request_accept(request=marco.received_requests.get(), by=marco)
        graph.follow(follower=priya, followee=ana)
        for person in (ana, marco, priya):
            build_timeline(person)
        company_post = post(ana, "Q3 roadmap, internal", visibility="company")
        network_post_of_marco = post(marco, "We are hiring!", visibility="network")
        company_post_of_marco = post(marco, "Reorg memo", visibility="company")
        # Marco comments on Ana's company post: she is notified.
        feed_services.comment_create(post=company_post, author=marco, body="Great plan")
        ana_client = client_for(ana)
        company_album, company_photo = _album_with_a_photo(ana_client, "company")
        network_album, network_photo = _album_with_a_photo(ana_client, "network")
    token = lambda person: DeviceToken.objects.create(user=person.user, device="phone")[1]  # noqa: E731
    return Before(
        ana_token=token(ana),
        hana_token=token(hana),
        marco_token=token(marco),
        priya_token=token(priya),
        company_post=company_post,
        network_post_of_marco=network_post_of_marco,
        company_post_of_marco=company_post_of_marco,
        company_album=company_album,
        network_album=network_album,
        company_photo=company_photo,
        network_photo=network_photo,
    )


@pytest.fixture
def worker(celery_worker):
    """A real worker on this test's own queues; tasks go to it through the broker."""
    with tasks_through_broker():
        yield celery_worker("alumni")


class App:
    """A person's app talking to the live server."""

    def __init__(self, base_url: str, token: str | None):
        self.base_url, self.token = base_url, token

    def __call__(self, method: str, path: str, body: dict | None = None):
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        url = f"{self.base_url}/api/v1/{path}"
        return http_json(method, url, body, headers)

    def media_status(self, url: str) -> int:
        """The status of a media URL (its body is an image, not JSON)."""
        request = urllib.request.Request(self.base_url + urlsplit(url).path)
        request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def get(self, path: str):
        status, body = self("GET", path)
        assert status == 200, (path, status, body)
        return body


def feed_items(app: App) -> list[dict]:
    return app.get("feed/?limit=100")["results"]


def post_ids_in(items: list[dict]) -> set[int]:
    return {item["object"]["id"] for item in items if item["object"]["type"] == "post"}


def verbs_in(items: list[dict]) -> list[str]:
    return [item["verb"] for item in items]


def timeline_ids(redis_client, person) -> set[int]:
    held = timelines.read(person.pk, before=None, count=100_000)
    return set(held[0]) if held is not None else set()


def activity_of(post: Post) -> int:
    return Activity.objects.get(object_type="post", object_id=post.pk).pk


async def offboard_with_her_socket_open(base_url: str, before: Before) -> tuple[int, dict, list[str], int]:
    """HR offboards Ana while her phone's live socket is open. Returns the answer, the
    events her socket got, and the code it was closed with."""
    async with opened(base_url, before.ana_token) as socket:
        hr = App(base_url, before.hana_token)
        status, body = await asyncio.to_thread(
            hr,
            "POST",
            "alumni/offboard/",
            {"username": "ana", "leave_date": "2026-11-27", "personal_email": PERSONAL_EMAIL},
        )
        return status, body, *await events_until_closed(socket)


async def events_until_closed(socket: Socket) -> tuple[list[str], int]:
    from websockets.exceptions import ConnectionClosed

    events = []
    try:
        while True:
            events.append((await socket.receive())["type"])
    except ConnectionClosed as closed:
        return events, closed.rcvd.code


def test_ana_leaves_keeps_what_alumni_may_see_and_comes_back(
    live_asgi, before, worker, ana, marco, priya, redis_client
):
    phone = App(live_asgi, before.ana_token)
    browser = Client()
    browser.force_login(ana.user)
    assert browser.get("/api/v1/me/").status_code == 200
    assert post_ids_in(feed_items(phone)) >= {before.company_post.pk, before.company_post_of_marco.pk}

    # HR offboards her while her socket is open.
    status, body, events, close_code = asyncio.run(offboard_with_her_socket_open(live_asgi, before))
    assert status == 200, body
    assert body["status"] == "alumnus"
    assert body["employment_event"]["action"] == "offboard" and body["employment_event"]["applied_at"]
    assert "session.revoked" in events
    assert close_code == 4403

    # Every sign-in of hers is dead: the phone's token, the browser's session, and a new socket.
    assert phone("GET", "me/")[0] == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.ALUMNUS and ana.department is None
    assert not DeviceToken.objects.filter(user=ana.user).exists()

    # The worker rebuilds her timeline without company items.
    company_activities = {activity_of(before.company_post), activity_of(before.company_post_of_marco)}
    wait_for(
        lambda: timelines.exists(ana.pk) and not timeline_ids(redis_client, ana) & company_activities,
        what=lambda: f"Ana's timeline to lose company items; worker log:\n{worker.log()[-2000:]}",
    )
    # A fan-out that read her as an employee just before the offboarding committed writes a
    # company post into her timeline after it was rebuilt: the read path still hides it.
    late = post(marco, "All-hands notes", visibility="company")
    timelines.add(activity_of(late), [ana.pk])

    # She signs in again with her personal email, after setting a password from the invitation.
    (invitation,) = [m for m in mail.outbox if PERSONAL_EMAIL in m.to]
    uid, code = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", invitation.body).groups()
    anonymous = App(live_asgi, None)
    assert (
        anonymous("POST", "auth/password/set/", {"uid": uid, "token": code, "password": NEW_PASSWORD})[0]
        == 200
    )
    assert anonymous("POST", "auth/token/", {"username": ana.user.email, "password": NEW_PASSWORD})[0] == 400
    assert anonymous("POST", "auth/token/", {"username": ana.user.email, "password": PASSWORD})[0] == 400
    status, signed_in = anonymous(
        "POST", "auth/token/", {"username": PERSONAL_EMAIL, "password": NEW_PASSWORD}
    )
    assert status == 201, signed_in
    alumna = App(live_asgi, signed_in["token"])

    # No company content anywhere: feed, posts, comments, reactions, albums, media, notifications.
    items = feed_items(alumna)
    assert not post_ids_in(items) & {before.company_post.pk, before.company_post_of_marco.pk, late.pk}
    assert before.network_post_of_marco.pk in post_ids_in(items)
    for company_post in (before.company_post, before.company_post_of_marco):
        assert alumna("GET", f"posts/{company_post.pk}/")[0] == 404
        assert alumna("GET", f"posts/{company_post.pk}/comments/")[0] == 404
        assert alumna("PUT", f"posts/{company_post.pk}/reaction/", {"kind": "like"})[0] == 404
    own_posts = alumna.get("profiles/ana/posts/")["results"]
    assert before.company_post.pk not in {p["id"] for p in own_posts}
    albums = {a["id"] for a in alumna.get("profiles/ana/albums/")["results"]}
    assert albums == {before.network_album["id"]}
    assert alumna("GET", f"albums/{before.company_album['id']}/")[0] == 404
    assert alumna.media_status(before.company_photo["urls"]["thumb"]) == 404
    assert alumna.media_status(before.network_photo["urls"]["thumb"]) == 200
    assert Notification.objects.filter(recipient=ana, post=before.company_post).exists()
    assert not [n for n in alumna.get("notifications/")["results"] if n["post"] == before.company_post.pk]
    (card,) = alumna.get("profiles/?q=marco")["results"]
    assert card["internal"] is None

    # What alumni keep: connections, follows, their network album; they post to their network.
    assert [p["username"] for p in alumna.get("connections/")["results"]] == ["marco"]
    assert alumna("POST", "posts/", {"body": "Hello from the other side", "visibility": "network"})[0] == 201
    assert alumna("POST", "posts/", {"body": "Inside news", "visibility": "company"})[0] == 400

    # Only her connections hear that she left: Marco does, Priya (a follower) does not.
    left = Activity.objects.get(actor=ana, verb="left_company")
    wait_for(
        lambda: Activity.objects.filter(pk=left.pk, fanned_out_at__isnull=False).exists(),
        what=lambda: f"left_company to be fanned out; worker log:\n{worker.log()[-2000:]}",
    )
    assert "left_company" in verbs_in(feed_items(App(live_asgi, before.marco_token)))
    assert "left_company" not in verbs_in(feed_items(App(live_asgi, before.priya_token)))
    assert left.pk in timeline_ids(redis_client, marco)
    assert left.pk not in timeline_ids(redis_client, priya)

    # Rehired: company content is back, her old token is not.
    hr = App(live_asgi, before.hana_token)
    status, body = hr("POST", "alumni/rehire/", {"username": "ana", "department": "platform"})
    assert status == 200 and body["status"] == "employee", body
    assert phone("GET", "me/")[0] == 401
    wait_for(
        lambda: timelines.exists(ana.pk) and company_activities <= timeline_ids(redis_client, ana),
        what=lambda: f"Ana's timeline to hold company items again; worker log:\n{worker.log()[-2000:]}",
    )
    items = feed_items(alumna)
    assert {before.company_post.pk, before.company_post_of_marco.pk, late.pk} <= post_ids_in(items)
    assert alumna("GET", f"albums/{before.company_album['id']}/")[0] == 200
    assert "rejoined_company" in verbs_in(items)
    # Her history: two periods, one closed on her leave date and one open since the rehire.
    periods = list(ana.employment_periods.order_by("start").values_list("end", flat=True))
    assert len(periods) == 2 and str(periods[0]) == "2026-11-27" and periods[1] is None
    assert anonymous("POST", "auth/token/", {"username": ana.user.email, "password": NEW_PASSWORD})[0] == 201
