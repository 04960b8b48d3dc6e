"""Leaving the company is one event, and everything that gave Ana access hears it.

The day before she leaves, Ana holds every kind of access SocialBlue hands out: two signed-in
devices (a phone and a tablet), a browser session, a live socket open on her tablet, a home
timeline in Redis with company items in it, and a ready exit-kit archive built as an
employee. HR offboards her, and each of them ends: the tokens answer 401, the browser is
signed out, the socket is told ``session.revoked`` and closed with 4403, her timeline holds no
company item, and the archive's link is a 410 with its file deleted.

Against a live server, real PostgreSQL and Redis, and a real Celery worker (it builds the
archive and rebuilds the timeline), as in production.
"""

import asyncio
import contextlib
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from websockets.exceptions import ConnectionClosed

from exports.models import DataExport
from feed import timelines
from feed.models import Activity
from profiles import services as graph
from profiles.models import DeviceToken
from socialblue.celery import app as celery_app
from tests.feed.stories import active, build_timeline, post
from tests.live import http_json
from tests.sockets import feed_socket, opened
from tests.workers import tasks_through_broker, wait_for

# The server and the worker read what the test wrote through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL_EMAIL = "ana.silva@home.example"
NEW_PASSWORD = "a-long-walk-on-the-beach-2027"


@contextlib.contextmanager
def tasks_inline():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.fixture
def company_items(ana, marco) -> set[int]:
    """Marco, whom Ana follows, posted to the company and to his network; Ana's timeline was
    written while she worked here. The activity ids of the company items."""
    with tasks_inline():
        active(ana, marco)
        graph.follow(follower=ana, followee=marco)
        company = [post(marco, "Reorg memo", "company"), post(marco, "Q3 numbers", "company")]
        post(marco, "We are hiring!", "network")
        build_timeline(ana)
    return {Activity.objects.get(object_type="post", object_id=p.pk).pk for p in company}


@pytest.fixture
def worker(celery_worker, media_root):
    """A real worker on this test's own queues, storing files where the server reads them."""
    with tasks_through_broker():
        yield celery_worker("access")


def token_for(person, device: str) -> str:
    return DeviceToken.objects.create(user=person.user, device=device)[1]


def api(base_url: str, token: str | None, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return http_json(method, f"{base_url}/api/v1/{path}", body, headers)


def download(base_url: str, token: str, url: str) -> tuple[int, bytes]:
    """GET an archive link on the live server, as the app does; the status and the body."""
    parts = urlsplit(url)
    request = urllib.request.Request(f"{base_url}{parts.path}?{parts.query}")
    request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def timeline_ids(redis_client, person) -> set[int]:
    held = timelines.read(person.pk, before=None, count=100_000)
    return set(held[0]) if held is not None else set()


async def offboarded_with_socket_open(base_url: str, socket_token: str, hr_token: str):
    """HR offboards Ana while a socket of hers is open: HR's answer, the events the socket
    got, and the code it was closed with."""
    async with opened(base_url, socket_token) as socket:
        answer = await asyncio.to_thread(
            api,
            base_url,
            hr_token,
            "POST",
            "alumni/offboard/",
            {"username": "ana", "leave_date": "2026-11-27", "personal_email": PERSONAL_EMAIL},
        )
        events = []
        try:
            while True:
                events.append((await socket.receive())["type"])
        except ConnectionClosed as closed:
            return answer, events, closed.rcvd.code


async def socket_refused(base_url: str, token: str) -> int:
    async with feed_socket(base_url, token) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    return closed.value.rcvd.code


def test_offboarding_ends_every_access_ana_holds(live_asgi, company_items, worker, ana, hana, redis_client):
    phone, tablet, hr = token_for(ana, "phone"), token_for(ana, "tablet"), token_for(hana, "laptop")
    browser = Client()
    browser.force_login(ana.user)
    assert browser.get("/api/v1/me/").status_code == 200
    assert company_items <= timeline_ids(redis_client, ana)
    # Her exit kit, built by the worker while she is an employee.
    status, asked = api(live_asgi, phone, "POST", "me/export/")
    assert status == 202, asked
    wait_for(
        lambda: DataExport.objects.filter(pk=asked["id"], status=DataExport.Status.READY).exists(),
        what=lambda: f"the archive to be built; worker log:\n{worker.log()[-2000:]}",
    )
    link = api(live_asgi, phone, "GET", "me/export/")[1]["download_url"]
    assert download(live_asgi, phone, link)[0] == 200
    stored = DataExport.objects.get(pk=asked["id"]).file

    (status, body), events, close_code = asyncio.run(offboarded_with_socket_open(live_asgi, tablet, hr))

    assert status == 200 and body["status"] == "alumnus", body
    # The socket is told why, and closed; a new one is refused.
    assert events[-1] == "session.revoked"
    assert close_code == 4403
    assert asyncio.run(socket_refused(live_asgi, phone)) == 4401
    # Both devices and the browser are signed out.
    assert api(live_asgi, phone, "GET", "me/")[0] == 401
    assert api(live_asgi, tablet, "GET", "me/")[0] == 401
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    # The archive's file is deleted.
    assert not default_storage.exists(stored)
    # The worker writes her timeline again, for what an alumna may see.
    wait_for(
        lambda: timelines.exists(ana.pk) and not timeline_ids(redis_client, ana) & company_items,
        what=lambda: f"Ana's timeline to lose company items; worker log:\n{worker.log()[-2000:]}",
    )

    # Signed in again as an alumna (from the invitation sent to her personal address), she
    # finds the old link closed and no new one.
    (invitation,) = [m for m in mail.outbox if PERSONAL_EMAIL in m.to]
    uid, code = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", invitation.body).groups()
    password = {"uid": uid, "token": code, "password": NEW_PASSWORD}
    assert api(live_asgi, None, "POST", "auth/password/set/", password)[0] == 200
    status, signed_in = api(
        live_asgi, None, "POST", "auth/token/", {"username": PERSONAL_EMAIL, "password": NEW_PASSWORD}
    )
    assert status == 201, signed_in
    alumna = signed_in["token"]
    status, answer = download(live_asgi, alumna, link)
    assert status == 410
    assert b"expired" in answer
    shown = api(live_asgi, alumna, "GET", "me/export/")[1]
    assert (shown["status"], shown["download_url"]) == ("expired", None)
