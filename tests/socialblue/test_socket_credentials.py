"""A live socket lives no longer than the credential that opened it.

Ana has a phone and a tablet (device tokens) and two browsers (sessions), each with the live
feed socket open, against a real server (uvicorn) and the Redis channel layer. Revoking one
token or signing one browser out closes exactly the sockets that credential opened
(``credential.revoked``, then 4401); her other devices keep theirs. A new password ends every
credential she holds. A socket that was away and asks to ``resume`` is checked again first:
a credential that expired or ended meanwhile gets nothing replayed.

Every event received is checked against its documented schema (``feed/events.py``).
"""

import asyncio
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as in_db
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feed import presence
from profiles.models import DeviceToken
from socialblue.ws_auth import CLOSE_UNAUTHENTICATED
from tests.feed.stories import active, activity_of, post
from tests.live import http_json, websocket_url
from tests.sockets import Socket, api, opened

# The server reads what the test wrote through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a brand new passphrase, long enough"


# --- Ana's devices -------------------------------------------------------------------------


def sign_in_device(base_url: str, username: str, password: str, device: str) -> str:
    status, body = http_json(
        "POST",
        f"{base_url}/api/v1/auth/token/",
        {"username": username, "password": password, "device": device},
    )
    assert status == 201, body
    return body["token"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser on the live server: it keeps its cookies and posts forms with the CSRF
    token, as the web pages make it do."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method: str, path: str, form: dict | None = None, headers=None) -> int:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def post_form(self, path: str, form: dict) -> int:
        """A form posted from one of our pages (with the CSRF token the page carries)."""
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": self.cookie("csrftoken")})

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/signin/")  # the page sets the CSRF cookie
        status = self.post_form("/signin/", {"login": username, "password": password})
        assert status == 302, status
        assert self.cookie(settings.SESSION_COOKIE_NAME)

    def socket(self):
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.cookie(settings.SESSION_COOKIE_NAME)}"
        return connect(
            websocket_url(self.base_url, "/ws/feed/"),
            additional_headers={"Cookie": cookie},
            origin=self.base_url,
        )


def signed_in_browser(base_url: str, username: str, password: str) -> Browser:
    browser = Browser(base_url)
    browser.sign_in(username, password)
    return browser


@asynccontextmanager
async def browser_socket(browser: Browser):
    async with browser.socket() as ws:
        socket = Socket(ws)
        assert (await socket.receive())["type"] == "hello"
        yield socket


async def closed(socket: Socket) -> tuple[list[str], int]:
    """The events a socket gets until the server closes it, and the close code."""
    events = []
    try:
        while True:
            events.append((await socket.receive())["type"])
    except ConnectionClosed as closing:
        return events, closing.rcvd.code


async def still_open(*sockets: Socket) -> None:
    for socket in sockets:
        await socket.assert_nothing_arrives()  # and it answers a ping


@pytest.fixture
def devices(live_asgi, ana, password):
    """Ana's phone and tablet, signed in through the API."""
    return {name: sign_in_device(live_asgi, "ana", password, f"Ana's {name}") for name in ("phone", "tablet")}


def token_id(device: str) -> int:
    return DeviceToken.objects.get(device=device).pk


# --- Tokens ----------------------------------------------------------------------------------


async def test_revoking_one_device_closes_its_sockets_and_no_others(live_asgi, devices):
    async with (
        opened(live_asgi, devices["phone"]) as phone,
        opened(live_asgi, devices["phone"]) as phone_again,  # a second socket of the same app
        opened(live_asgi, devices["tablet"]) as tablet,
    ):
        phone_id = await in_db(token_id)("Ana's phone")
        status, _body = await api(live_asgi, devices["tablet"], "DELETE", f"auth/tokens/{phone_id}/")
        assert status == 204

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        assert await closed(phone_again) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(tablet)


async def test_signing_an_app_out_closes_its_sockets(live_asgi, devices):
    async with opened(live_asgi, devices["phone"]) as phone, opened(live_asgi, devices["tablet"]) as tablet:
        status, _body = await api(live_asgi, devices["phone"], "POST", "auth/logout/")
        assert status == 204

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(tablet)


async def test_signing_out_every_app_closes_their_sockets_but_not_the_browsers(live_asgi, devices, password):
    browser = await asyncio.to_thread(signed_in_browser, live_asgi, "ana", password)
    async with (
        opened(live_asgi, devices["phone"]) as phone,
        opened(live_asgi, devices["tablet"]) as tablet,
        browser_socket(browser) as laptop,
    ):
        status, _body = await api(live_asgi, devices["phone"], "POST", "auth/logout-all/")
        assert status == 204

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        assert await closed(tablet) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(laptop)


async def test_a_device_signed_out_past_the_token_limit_loses_its_socket(live_asgi, ana, password, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    oldest = await asyncio.to_thread(sign_in_device, live_asgi, "ana", password, "Ana's old phone")
    newer = await asyncio.to_thread(sign_in_device, live_asgi, "ana", password, "Ana's tablet")
    async with opened(live_asgi, oldest) as old_phone, opened(live_asgi, newer) as tablet:
        # A third device: the oldest is signed out to make room.
        await asyncio.to_thread(sign_in_device, live_asgi, "ana", password, "Ana's new phone")

        assert await closed(old_phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(tablet)


def _expire(device: str) -> None:
    DeviceToken.objects.filter(device=device).update(expiry=timezone.now() - timedelta(minutes=1))


async def test_an_expired_token_purged_when_another_device_signs_in_loses_its_socket(live_asgi, devices):
    async with opened(live_asgi, devices["phone"]) as phone, opened(live_asgi, devices["tablet"]) as tablet:
        await in_db(_expire)("Ana's phone")
        # knox deletes a person's expired tokens when another of theirs is used.
        status, _body = await api(live_asgi, devices["tablet"], "GET", "me/")
        assert status == 200

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(tablet)


async def test_a_token_that_expires_while_its_socket_is_open_is_closed_at_the_next_heartbeat(
    live_asgi, ana, devices, password, settings, monkeypatch
):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.2)
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(seconds=2)}
    brief = await asyncio.to_thread(sign_in_device, live_asgi, "ana", password, "Ana's kiosk")
    async with opened(live_asgi, brief) as kiosk, opened(live_asgi, devices["tablet"]) as tablet:
        # Nothing deletes it: it runs out two seconds after it was issued.
        assert await closed(kiosk) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(tablet)


# --- Browser sessions ----------------------------------------------------------------------


async def test_signing_a_browser_out_closes_its_sockets_and_no_others(live_asgi, devices, password):
    laptop, desktop = [
        await asyncio.to_thread(signed_in_browser, live_asgi, "ana", password) for _ in range(2)
    ]
    async with (
        browser_socket(laptop) as laptop_tab,
        browser_socket(laptop) as laptop_other_tab,
        browser_socket(desktop) as desktop_tab,
        opened(live_asgi, devices["phone"]) as phone,
    ):
        assert await asyncio.to_thread(laptop.post_form, "/signout/", {}) == 302

        assert await closed(laptop_tab) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        assert await closed(laptop_other_tab) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(desktop_tab, phone)


async def test_signing_a_browser_session_out_through_the_api_closes_its_sockets(live_asgi, ana, password):
    laptop, desktop = [
        await asyncio.to_thread(signed_in_browser, live_asgi, "ana", password) for _ in range(2)
    ]
    async with browser_socket(laptop) as laptop_tab, browser_socket(desktop) as desktop_tab:
        status = await asyncio.to_thread(
            laptop.request,
            "POST",
            "/api/v1/auth/logout/",
            headers={"X-CSRFToken": laptop.cookie("csrftoken"), "Accept": "application/json"},
        )
        assert status == 204

        assert await closed(laptop_tab) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(desktop_tab)


# --- A new password ends every credential ------------------------------------------------------


def _link_code(profile) -> tuple[str, str]:
    """The uid and code of the link a password reset mails (made from the person as stored:
    signing in changes what a code is made of)."""
    user = get_user_model().objects.get(pk=profile.pk)
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


async def test_a_new_password_set_in_the_app_closes_every_socket_of_the_person(
    live_asgi, ana, priya, devices, password
):
    browser = await asyncio.to_thread(signed_in_browser, live_asgi, "ana", password)
    priya_token = await asyncio.to_thread(sign_in_device, live_asgi, "priya", password, "Priya's phone")
    uid, code = await in_db(_link_code)(ana)
    async with (
        opened(live_asgi, devices["phone"]) as phone,
        browser_socket(browser) as laptop,
        opened(live_asgi, priya_token) as priyas_phone,
    ):
        status, body = await asyncio.to_thread(
            http_json,
            "POST",
            f"{live_asgi}/api/v1/auth/password/set/",
            {"uid": uid, "token": code, "password": NEW_PASSWORD},
        )
        assert status == 200, body

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        assert await closed(laptop) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)
        await still_open(priyas_phone)

    status, _body = await api(live_asgi, devices["tablet"], "GET", "me/")
    assert status == 401


async def test_a_new_password_set_on_the_web_page_ends_every_credential(live_asgi, ana, devices, password):
    uid, code = await in_db(_link_code)(ana)
    async with opened(live_asgi, devices["phone"]) as phone:
        reset = Browser(live_asgi)
        # Django's page keeps the code in the session and asks for the password on a URL
        # without it.
        assert await asyncio.to_thread(reset.request, "GET", f"/accounts/reset/{uid}/{code}/") == 302
        assert await asyncio.to_thread(reset.request, "GET", f"/accounts/reset/{uid}/set-password/") == 200
        form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        status = await asyncio.to_thread(reset.post_form, f"/accounts/reset/{uid}/set-password/", form)
        assert status == 302

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)

    status, _body = await api(live_asgi, devices["tablet"], "GET", "me/")
    assert status == 401


# --- resume checks the credential again ----------------------------------------------------


@pytest.fixture
def missed(ana, priya):
    """Priya follows Ana; Ana posted twice while Priya's socket was away."""
    from profiles.services import follow

    active(ana, priya)
    follow(follower=priya, followee=ana)
    seen = activity_of(post(ana, "seen")).pk
    post(ana, "missed while away")
    return seen


async def test_resume_with_a_token_that_expired_meanwhile_replays_nothing(live_asgi, priya, missed, password):
    token = await asyncio.to_thread(sign_in_device, live_asgi, "priya", password, "Priya's phone")
    async with opened(live_asgi, token) as phone:
        await in_db(_expire)("Priya's phone")
        await phone.send({"type": "resume", "after": missed})

        assert await closed(phone) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)


async def test_resume_after_the_browser_session_ended_replays_nothing(live_asgi, priya, missed, password):
    browser = await asyncio.to_thread(signed_in_browser, live_asgi, "priya", password)
    async with browser_socket(browser) as tab:
        # The session ends on the server (expired and cleared, or flushed elsewhere).
        await in_db(Session.objects.all().delete)()
        await tab.send({"type": "resume", "after": missed})

        assert await closed(tab) == (["credential.revoked"], CLOSE_UNAUTHENTICATED)


async def test_resume_with_a_live_credential_still_replays(live_asgi, priya, missed, password):
    token = await asyncio.to_thread(sign_in_device, live_asgi, "priya", password, "Priya's phone")
    async with opened(live_asgi, token) as phone:
        await phone.send({"type": "resume", "after": missed})

        replayed = await phone.receive()
        assert replayed["type"] == "feed.activity"
        assert replayed["activity"]["object"]["post"]["body"] == "missed while away"
        assert (await phone.receive())["type"] == "resume.done"


async def test_a_session_key_never_names_a_group_in_redis(live_asgi, ana, password, redis_client):
    browser = await asyncio.to_thread(signed_in_browser, live_asgi, "ana", password)
    session_key = browser.cookie(settings.SESSION_COOKIE_NAME)
    async with browser_socket(browser):
        groups = [key.decode() for key in redis_client.scan_iter(match="*:group:*", count=1000)]

    assert any(":group:cred.session." in group for group in groups), groups
    assert not any(session_key in g for g in groups)
