"""The exit matrix: every URL pattern, WebSocket route, event type, notification kind and kind
of served file has a row in ``matrix.py`` saying who it may reach, and every URL row is tried
as each person of the world (anonymous, Ana who owns what it points at, her connection Marco,
Priya who is not connected, Olu an alumnus she is connected with, Tomas an alumnus she is not,
and Hana from HR). In the spirit of Zulip's URL coverage: an exit the matrix does not know
fails with its name, so a new feature declares its audience.

The world is built once for the module. Each probe of a row (in each visibility) is one test
that tries every person in a savepoint of their own, so a write is rolled back before the next
person comes, and a failure names every cell that failed: the URL, the method, the visibility
and the person. A cell that shows a hole being closed elsewhere is a strict expected failure of
its own (``KNOWN_HOLES``).
"""

import asyncio
import io
import json
import re
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feed.events import CLOSE_CODES, SERVER_EVENTS
from feed.models import Notification, Post
from feed.selectors import notifications_of
from photos.pipeline import Rendered
from socialblue.routing import websocket_urlpatterns
from tests.exits.matrix import (
    AUDIENCES,
    CLOSES,
    EVENTS,
    FILES,
    KNOWN_HOLES,
    NOTIFICATIONS,
    URLS,
    WEBSOCKETS,
    Exit,
    Probe,
)
from tests.exits.world import (
    ANONYMOUS,
    CAST,
    EMPLOYEES,
    ROLES,
    VISIBILITIES,
    WORK_PHONE,
    World,
    fingerprint,
    sees,
)
from tests.live import websocket_url
from tests.sockets import Socket

pytestmark = pytest.mark.django_db

# Targets that exist in each visibility: a probe of one is tried with each.
BY_VISIBILITY = {"post", "comment", "album", "photo"}
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/problem+json")


# --- What the code has -------------------------------------------------------------------


def url_patterns(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the resolver, as its route; the Django admin is one pattern."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += [route] if entry.app_name == "admin" else url_patterns(entry.url_patterns, route)
        else:
            assert isinstance(entry, URLPattern)
            found.append(route)
    return found


def served_file_kinds() -> set[str]:
    """Every kind of stored file the code makes: the renditions of the image pipeline, every
    file field of a model, and the export archive."""
    renditions = {f"photo {f.name}" for f in fields(Rendered) if f.type is bytes}
    file_fields = {
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    }
    return renditions | file_fields | {"photo upload as received", "export archive"}


def unknown(declared, found) -> str:
    missing = sorted(set(found) - set(declared))
    stale = sorted(set(declared) - set(found))
    return f"without a row in tests/exits/matrix.py: {missing}; rows for nothing in the code: {stale}"


def test_every_url_pattern_declares_its_audience():
    found = url_patterns()
    assert sorted(URLS) == sorted(found), unknown(URLS, found)


def test_every_websocket_route_declares_its_audience():
    found = [str(p.pattern) for p in websocket_urlpatterns]
    assert sorted(WEBSOCKETS) == sorted(found), unknown(WEBSOCKETS, found)


def test_every_socket_close_code_declares_its_audience_and_where_it_is_seen():
    assert sorted(CLOSES) == sorted(CLOSE_CODES), unknown(CLOSES, CLOSE_CODES)
    root = Path(__file__).resolve().parents[2]
    for code, close in CLOSES.items():
        text = (root / close.exercised_in).read_text()
        assert str(code) in text or close.constant in text, f"{close.exercised_in} never closes with {code}"


def test_every_server_event_type_declares_its_audience_and_where_it_is_received():
    assert sorted(EVENTS) == sorted(SERVER_EVENTS), unknown(EVENTS, SERVER_EVENTS)
    root = Path(__file__).resolve().parents[2]
    for name, event in EVENTS.items():
        if event.exercised_in:
            assert f'"{name}"' in (root / event.exercised_in).read_text(), (
                f"{event.exercised_in} never names {name}"
            )


def test_every_notification_kind_declares_its_audience():
    kinds = Notification.Kind.values
    assert sorted(NOTIFICATIONS) == sorted(kinds), unknown(NOTIFICATIONS, kinds)


def test_every_kind_of_served_file_declares_its_audience():
    found = served_file_kinds()
    assert sorted(FILES) == sorted(found), unknown(FILES, found)
    for name, kind in FILES.items():
        if kind.route:
            assert URLS[kind.route].audience == kind.audience, (
                f"{name} is served at {kind.route} to someone else"
            )


def test_every_file_the_world_stored_is_of_a_declared_kind(world):
    """What the product actually wrote to storage, read back: a new kind of file fails here
    by its name even before it has a field of its own."""
    root = Path(settings.MEDIA_ROOT)
    stored = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    of_kind = {
        name: [k for k, kind in FILES.items() if re.fullmatch(kind.stored_as, name)] for name in stored
    }
    assert all(of_kind.values()), (
        f"stored files of no kind in FILES: {[n for n, k in of_kind.items() if not k]}"
    )
    assert {k for kinds in of_kind.values() for k in kinds} == set(FILES), "a kind the world never stored"


def test_every_row_names_a_known_audience():
    named = {row.audience for row in URLS.values()} | {f.audience for f in FILES.values()}
    named |= {p.audience for row in URLS.values() for p in row.probes if p.audience}
    named |= {p.writers for row in URLS.values() for p in row.probes if p.writers}
    named |= set(WEBSOCKETS.values())
    assert named <= set(AUDIENCES), named - set(AUDIENCES)


# --- The cells of the URL matrix ---------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    route: str
    row: Exit
    probe: Probe
    role: str
    visibility: str | None

    @property
    def audience(self) -> str:
        return self.probe.audience or self.row.audience

    @property
    def target(self) -> str:
        return self.probe.target or self.row.target

    @property
    def is_read(self) -> bool:
        return self.probe.method == "GET"

    @property
    def surface(self) -> str:
        if self.route.startswith("api/v1/"):
            return "api"
        return "admin" if self.route.startswith("admin/") else "web"

    @property
    def id(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.probe.kwargs)
        query = f"?{self.probe.query}" if self.probe.query else ""
        where = f" [{self.visibility}]" if self.visibility else ""
        where += f" ({self.probe.target})" if self.probe.target else ""
        return f"{self.probe.method} /{self.route}{query}{' ' + extra if extra else ''}{where} as {self.role}"

    def admits(self, role: str | None = None) -> bool:
        return AUDIENCES[self.audience].admits(role or self.role, self.visibility)

    def may_write(self) -> bool:
        writers = self.probe.writers
        return self.admits() and (not writers or AUDIENCES[writers].admits(self.role, self.visibility))


def cells_of(route: str, row: Exit, probe: Probe, visibility: str | None) -> list[Cell]:
    cells = [Cell(route, row, probe, role, visibility) for role in probe.roles or ROLES]
    # A write HR may make (offboarding) is left to the HR tests: only its refusals are tried.
    return [c for c in cells if c.is_read or not probe.refusals_only or not c.may_write()]


def all_groups() -> list:
    """One test per probe of a row (and visibility): every person is tried in it, each in a
    savepoint of their own; cells that are known holes are tests of their own (see below)."""
    params = []
    for route, row in URLS.items():
        for probe in row.probes:
            target = probe.target or row.target
            for visibility in VISIBILITIES if target in BY_VISIBILITY else (None,):
                cells = [c for c in cells_of(route, row, probe, visibility) if c.id not in KNOWN_HOLES]
                first = cells[0]
                name = first.id.rsplit(" as ", 1)[0]
                params.append(pytest.param(tuple(cells), id=name))
    return params


def known_holes() -> list:
    found = {}
    for route, row in URLS.items():
        for probe in row.probes:
            target = probe.target or row.target
            for visibility in VISIBILITIES if target in BY_VISIBILITY else (None,):
                found.update(
                    {c.id: c for c in cells_of(route, row, probe, visibility) if c.id in KNOWN_HOLES}
                )
    assert set(found) == set(KNOWN_HOLES), f"known holes that name no cell: {set(KNOWN_HOLES) - set(found)}"
    return [
        pytest.param(cell, id=cell.id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[cell.id]))
        for cell in found.values()
    ]


def kwargs_for(world: World, cell: Cell) -> dict:
    target, visibility = cell.target, cell.visibility
    values = {
        "post": lambda: {"pk": world.posts[visibility].pk},
        "comment": lambda: {"pk": world.comments[visibility].pk},
        "album": lambda: {"pk": world.albums[visibility].pk},
        "photo": lambda: {"pk": world.photos[visibility].pk},
        "processing photo": lambda: {"pk": world.processing_photo.pk},
        "person": lambda: {"username": CAST["author"]},
        "alumnus": lambda: {"username": CAST["alumnus connection"]},
        "export": lambda: {"pk": world.export.pk, "signature": world.export_signature},
        "former export": lambda: {"pk": world.former_export.pk, "signature": world.former_export_signature},
        "alumnus export": lambda: {
            "pk": world.alumnus_export.pk,
            "signature": world.alumnus_export_signature,
        },
        "token": lambda: {"pk": world.device_token.pk},
        "request": lambda: {"pk": world.request.pk},
        "avatar": lambda: {"name": world.avatar_name},
        "reset": lambda: {"uidb64": "MQ", "token": "set-password"},
        "": dict,
    }[target]()
    return {**values, **dict(cell.probe.kwargs)}


def url_of(world: World, cell: Cell) -> str:
    values = kwargs_for(world, cell)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), cell.route)
    query = cell.probe.query.format(**values)
    return f"/{path}" + (f"?{query}" if query else "")


# One client for the module: a new one would load the middleware (and WhiteNoise's index of
# every static file) again for its first request.
CLIENT = Client()


def client_of(world: World, role: str) -> Client:
    """The client as ``role``: their session's cookie, and no other cookie of a previous cell."""
    CLIENT.cookies.clear()
    if role != ANONYMOUS:
        CLIENT.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return CLIENT


def send(world: World, cell: Cell):
    client, url, probe = client_of(world, cell.role), url_of(world, cell), cell.probe
    # Each person from a machine of their own (rate limits count per address).
    headers = {"REMOTE_ADDR": f"192.0.2.{ROLES.index(cell.role) + 1}"}
    if probe.htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if cell.is_read:
        return client.get(url, **headers)
    if cell.surface == "api" and not probe.form:
        body = json.dumps(probe.data or {})
        return client.generic(probe.method, url, body, content_type="application/json", **headers)
    if probe.method == "POST":
        return client.post(url, probe.data or {}, **headers)
    return client.generic(
        probe.method, url, encode_multipart(BOUNDARY, probe.data or {}), MULTIPART_CONTENT, **headers
    )


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(response, body: bytes) -> str | None:
    """What an answer says, to search for what it must not: its text, or the text files of
    an archive."""
    kind = response.get("Content-Type", "")
    if kind == "application/zip":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = [n for n in archive.namelist() if n.endswith((".json", ".txt", ".html", ".csv", ".md"))]
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in names)
    return body.decode("utf-8", "replace") if kind.startswith(TEXT_TYPES) else None


def asked_to_sign_in(cell: Cell, response) -> bool:
    if cell.surface == "api":
        return response.status_code in (401, 403)
    login = "/admin/login/" if cell.surface == "admin" else "/signin/"
    return response.status_code == 302 and response["Location"].startswith(login)


def expected_texts(world: World, cell: Cell, kind: str) -> list[str]:
    """What an answer that ``shows`` ``kind`` must carry for this cell's person."""
    if kind == "internal":
        return [WORK_PHONE] if cell.role in EMPLOYEES else []
    if kind == "connections":
        olu = CAST["alumnus connection"]
        return ['"username":"olu"' if cell.surface == "api" else f'href="/people/{olu}/"']
    visibilities = [cell.visibility] if cell.visibility else [v for v in VISIBILITIES if sees(cell.role, v)]
    return [world.shown(kind, v) for v in visibilities]


def check_shows(world: World, cell: Cell, response, body: bytes, text: str | None) -> None:
    for kind in cell.probe.shows:
        if kind == "bytes":
            photo = world.photos[cell.visibility]
            with default_storage.open(getattr(photo, dict(cell.probe.kwargs)["rendition"]), "rb") as f:
                assert body == f.read(), "not the stored rendition"
            assert response["Cache-Control"].startswith("private")
        elif kind == "archive":
            assert response["Content-Type"] == "application/zip"
            assert text, "an archive with nothing in it"
        else:
            assert text is not None, response["Content-Type"]
            for expected in expected_texts(world, cell, kind):
                assert expected in text, f"{cell.id} should show {kind} ({expected})"


def check_no_leak(world: World, cell: Cell, text: str | None) -> None:
    """Nothing in any answer that its person may not see."""
    if text is None:
        return
    leaked = [m.what for m in world.markers if cell.role not in m.roles and m.text in text]
    assert not leaked, f"{cell.id} shows {leaked}"


@pytest.mark.parametrize("cells", all_groups())
def test_url_exit(world, cells: tuple[Cell, ...]):
    """Each person in turn; every failing cell is named."""
    failures = []
    for cell in cells:
        try:
            with transaction.atomic():
                check_cell(world, cell)
                transaction.set_rollback(True)
        except AssertionError as exc:
            failures.append(str(exc).split("\n", 1)[0])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("cell", known_holes())
def test_known_hole(world, cell: Cell):
    check_cell(world, cell)


def check_cell(world: World, cell: Cell) -> None:
    response = send(world, cell)
    body = body_of(response)
    text = text_of(response, body)
    status = response.status_code
    check_no_leak(world, cell, text)
    assert status < 500, f"{cell.id}: {status}"
    refusal = AUDIENCES[cell.audience].refusal

    if cell.role == ANONYMOUS and not cell.admits():
        assert asked_to_sign_in(cell, response), f"{cell.id}: {status} instead of asking to sign in"
    elif not cell.admits():
        if cell.probe.hides_only:
            assert status == 200, f"{cell.id}: {status}"
            for kind in cell.probe.shows:
                for hidden in expected_texts(world, cell, kind):
                    assert hidden not in (text or ""), f"{cell.id} shows {kind}"
        elif refusal == "admin login":
            assert status == 302 and response["Location"].startswith("/admin/login/"), f"{cell.id}: {status}"
        else:
            due = refusal if isinstance(refusal, frozenset) else {refusal}
            assert status in due, f"{cell.id}: {status} where {refusal} was due"
    elif not cell.may_write():
        # Sees the object, may not change it: refused, as a page that says so on the web.
        if cell.surface == "api":
            assert status in (403, 404), f"{cell.id}: {status}"
        else:
            assert status in (302, 400, 403, 404) and not asked_to_sign_in(cell, response), (
                f"{cell.id}: {status}"
            )
    elif cell.is_read:
        assert status in cell.probe.ok, f"{cell.id}: {status} ({body[:300]!r})"
        check_shows(world, cell, response, body, text)
        return
    else:
        if cell.probe.ok != Probe.ok:
            assert status in cell.probe.ok, f"{cell.id}: {status} ({body[:300]!r})"
        else:
            assert status not in (401, 403, 404) and not asked_to_sign_in(cell, response), (
                f"{cell.id}: {status}"
            )
        return
    if not cell.is_read:
        assert fingerprint() == world.fingerprint, f"{cell.id} was refused ({status}) but changed something"


# --- Notifications, per kind ------------------------------------------------------------


def may_see(world: World, role: str, post: Post) -> bool:
    """The audience table for any post of the world (Ana's, or Olu's old company post)."""
    if post.author_id == world.person("author").pk:
        return sees(role, post.visibility)
    return post.visibility != "company" or role in EMPLOYEES


def test_each_notification_kind_reaches_its_recipient_and_only_about_what_they_may_see(world):
    """Each person's list holds their own notifications only, none about a post they may no
    longer see (Olu's comment on his old company post, his mention in a company post); and
    every kind reaches the recipient the matrix names for it."""
    seen_kinds: dict[str, set[str]] = {}
    for role in ROLES[1:]:
        response = client_of(world, role).get("/api/v1/notifications/", {"limit": 100})
        assert response.status_code == 200, response.content
        listed = response.json()["results"]
        person = world.person(role)
        allowed = set(notifications_of(viewer=person).values_list("pk", flat=True))
        assert {n["id"] for n in listed} == allowed, role
        posts = Post.objects.in_bulk([n["post"] for n in listed if n["post"] is not None])
        for notification in listed:
            if notification["post"] is not None:
                assert may_see(world, role, posts[notification["post"]]), (role, notification)
        seen_kinds[role] = {n["kind"] for n in listed}
    for kind, row in NOTIFICATIONS.items():
        assert kind in seen_kinds[row.recipient], f"{kind} never reached {row.recipient}: {seen_kinds}"
    olu = world.person("alumnus connection")
    about_company = set(
        Notification.objects.filter(recipient=olu, post__visibility="company").values_list("pk", flat=True)
    )
    assert about_company, "the world should hold a notification Olu may no longer see"
    assert not about_company & set(notifications_of(viewer=olu).values_list("pk", flat=True))


# --- The socket -------------------------------------------------------------------------


async def test_the_socket_greets_only_signed_in_people_and_replays_only_what_each_may_see(world, live_asgi):
    """Anonymous sockets are closed (4401); a person's socket says hello with their name,
    answers ping and a bad message, and a replay of the whole feed (``resume`` after 0) carries
    nothing they may not see."""
    url = websocket_url(live_asgi, "/ws/feed/")
    with pytest.raises(ConnectionClosed) as closed:
        async with connect(url) as ws:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401

    received = set()
    for role in ROLES[1:]:
        async with connect(url, additional_headers={"Authorization": f"Token {world.tokens[role]}"}) as ws:
            socket = Socket(ws)  # checks every event against its schema
            assert await socket.receive() == {"type": "hello", "user": CAST[role]}
            await socket.send({"type": "ping"})
            assert await socket.receive() == {"type": "pong"}
            await socket.send("not json")
            assert (await socket.receive())["type"] == "error"
            await socket.send({"type": "resume", "after": 0})
            replayed = []
            while (event := await socket.receive())["type"] != "resume.done":
                assert event["type"] == "feed.activity", event
                replayed.append(event)
            received |= {"hello", "pong", "error", "resume.done", *(e["type"] for e in replayed)}
            text = json.dumps(replayed)
            leaked = [m.what for m in world.markers if role not in m.roles and m.text in text]
            assert not leaked, f"a replay to {role} carries {leaked}"
            visible_posts = [world.shown("post", v) for v in VISIBILITIES if sees(role, v)]
            assert all(p in text for p in visible_posts), (role, text[:500])
    assert received >= {name for name, event in EVENTS.items() if not event.exercised_in}
