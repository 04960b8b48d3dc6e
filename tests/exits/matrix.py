"""Every way data leaves SocialBlue, and who it may reach: the exit matrix.

One row per URL pattern (from the resolver), WebSocket route, server event type, notification
kind and kind of served file. ``test_exit_matrix.py`` fails, naming it, for any exit of the
code that has no row here, so a new feature declares its audience before it ships; and it
sends every URL row's probes as each person of ``tests/exits/world.py``, checking the answer
against the row and against the audience table of DESIGN.md:

* company content: employees only, never alumni; network: employees and alumni; connections:
  the author and their connections; internal profile fields: employees only;
* what one may not see is a 404 (never a 403 or a 200 without it), a role one lacks is a 403,
  and anonymous people are asked to sign in (401/403 from the API, a redirect on the web);
* a refused write changes nothing;
* no answer to anyone carries a marked text they may not see, whatever the URL.

A row names an audience from ``AUDIENCES``; a new kind of audience is a new row there, with
the rule that says who is in it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.exits.world import ANONYMOUS, EMPLOYEES, HR_OFFICER, sees


@dataclass(frozen=True)
class Audience:
    """Who may use an exit: ``admits(role, visibility)``; and how a signed-in person outside
    it is refused (``refusal``: a status, or ``"admin login"``)."""

    description: str
    admits: Callable[[str, str | None], bool]
    refusal: int | str | frozenset[int] = 404


def _signed_in(role, visibility):
    return role != ANONYMOUS


AUDIENCES = {
    "public": Audience("anyone, signed in or not", lambda role, visibility: True),
    "holders of its link": Audience(
        "anyone who has the link; its random name appears only in answers to signed-in people",
        lambda role, visibility: True,
    ),
    "signed-in": Audience(
        "anyone signed in, employee or alumnus; what it shows is their own, or passes the "
        "audience rule item by item",
        _signed_in,
    ),
    "audience rule": Audience(
        "the audience rule of the object (its visibility): company → employees; network → "
        "employees and alumni; connections → the author and their connections",
        lambda role, visibility: sees(role, visibility),
    ),
    "owner": Audience("the person the object belongs to", lambda role, visibility: role == "author"),
    "its alumnus": Audience(
        "the alumnus the object belongs to", lambda role, visibility: role == "alumnus connection"
    ),
    "connections of the person": Audience(
        "the person and their connections (profiles.selectors.sees_connections_of)",
        lambda role, visibility: sees(role, "connections"),
    ),
    "sender and receiver": Audience(
        "the two people of a connection request",
        lambda role, visibility: role in {"author", "employee stranger"},
    ),
    "sender": Audience("who sent the request", lambda role, visibility: role == "employee stranger"),
    "receiver": Audience("who received the request", lambda role, visibility: role == "author"),
    "post or comment author": Audience(
        "the comment's author or the post's",
        lambda role, visibility: role in {"author", "employee connection"},
    ),
    "employees": Audience("employees only, never alumni", lambda role, visibility: role in EMPLOYEES),
    "HR": Audience("HR officers (profiles.audience.is_hr)", lambda role, visibility: role == HR_OFFICER, 403),
    "staff": Audience(
        "Django admin staff: nobody of the cast", lambda role, visibility: False, "admin login"
    ),
    "nobody": Audience("never served", lambda role, visibility: False),
    "gone": Audience(
        "an archive built under its owner's former employment status: nobody (410 to its owner)",
        lambda role, visibility: False,
        frozenset({404, 410}),
    ),
}


@dataclass(frozen=True)
class Probe:
    """One request sent to a URL pattern, as each person.

    ``target`` names what fills the pattern's arguments (see ``test_exit_matrix.kwargs_for``);
    posts, comments, albums and photos are tried in each visibility. A read checks who gets
    the answer and that it ``shows`` what the person may see; a write (any other method)
    checks that whoever is outside ``audience`` or ``writers`` is refused and nothing changed,
    and, unless ``refusals_only``, that ``writers`` are not refused.
    """

    method: str = "GET"
    audience: str = ""  # default: the row's
    target: str = ""  # default: the row's
    kwargs: tuple[tuple[str, str], ...] = ()
    query: str = ""  # may name {pk} (the target's) and {signature} (the export link's)
    data: dict | None = None
    form: bool = False  # the API's multipart form, as uploads send it (else JSON)
    htmx: bool = False
    ok: frozenset[int] = frozenset({200})
    shows: tuple[str, ...] = ()
    writers: str = ""  # who may write; default: whoever the audience admits
    refusals_only: bool = False
    hides_only: bool = False  # people outside get the page without it, not a 404
    roles: tuple[str, ...] = ()  # default: every role


@dataclass(frozen=True)
class Exit:
    audience: str
    target: str = ""
    probes: tuple[Probe, ...] = (Probe(),)
    note: str = ""


GET = Probe()


def read(**fields) -> Probe:
    return Probe(**fields)


def write(method: str = "POST", **fields) -> Probe:
    return Probe(method=method, **fields)


OK_OR_REDIRECT = frozenset({200, 302})
EXPORT_STATES = frozenset({200, 404})  # 404: "you have not asked for an export yet"
# Documents and probes that answer everyone alike: one anonymous person, one employee, one
# alumnus are enough (the schema, the slowest of them, once signed in and once not).
ANYONE = Probe(roles=(ANONYMOUS, "author", "alumnus stranger"))
SCHEMA_ROLES = (ANONYMOUS, "author")

URLS: dict[str, Exit] = {
    # --- The web pages (frontend) ----------------------------------------------------------
    "": Exit("signed-in", probes=(read(shows=("post",)),)),
    "signin/": Exit("public", probes=(read(ok=OK_OR_REDIRECT),)),
    "signout/": Exit("public", probes=(write(ok=frozenset({302})),), note="signing nobody out is harmless"),
    "feed/more/": Exit("signed-in", probes=(read(query="cursor=999999999", htmx=True, shows=("post",)),)),
    "feed/new/": Exit("signed-in", probes=(read(query="after=1", htmx=True),)),
    "posts/": Exit("signed-in", probes=(write(data={"body": ""}),)),
    "posts/<int:pk>/": Exit("audience rule", "post", (read(shows=("post", "comment")),)),
    "posts/<int:pk>/delete/": Exit("audience rule", "post", (write(writers="owner"),)),
    "posts/<int:pk>/comments/": Exit(
        "audience rule", "post", (read(htmx=True, shows=("comment",)), write(data={"body": ""}))
    ),
    "posts/<int:pk>/reaction/": Exit("audience rule", "post", (write(data={"action": "unlike"}),)),
    "photos/attach/": Exit(
        "signed-in",
        probes=(read(audience="owner", target="album", query="album={pk}"), write()),
        note="GET follows the processing of one's own uploads only",
    ),
    "people/": Exit("signed-in"),
    "people/<str:username>/": Exit(
        "signed-in",
        "person",
        (
            read(shows=("internal", "post")),
            read(query="tab=albums", shows=("album",)),
            read(target="alumnus"),
            read(
                query="tab=connections",
                audience="connections of the person",
                shows=("connections",),
                hides_only=True,
            ),
        ),
    ),
    "people/<str:username>/follow/": Exit("signed-in", "person", (write(data={"action": "follow"}),)),
    "people/<str:username>/connect/": Exit("signed-in", "person", (write(),)),
    "me/edit/": Exit("signed-in", probes=(GET, write(data={"display_name": ""}))),
    "me/avatar/": Exit("signed-in", probes=(write(),)),
    "connections/": Exit("signed-in"),
    "connections/requests/<int:pk>/<str:action>/": Exit(
        "sender and receiver",
        "request",
        (
            write(kwargs=(("action", "accept"),), writers="receiver"),
            write(kwargs=(("action", "withdraw"),), writers="sender"),
        ),
    ),
    "notifications/": Exit("signed-in"),
    "notifications/read/": Exit("signed-in", probes=(write(),)),
    "notifications/badge/": Exit("signed-in"),
    "albums/": Exit("signed-in", note="one's own albums"),
    "albums/new/": Exit("signed-in", probes=(GET, write(data={"title": ""}))),
    "albums/<int:pk>/": Exit(
        "audience rule",
        "album",
        (
            read(shows=("album", "albumtext", "alt", "file")),
            read(query="after=0-0", htmx=True, shows=("alt", "file")),
        ),
        note="?after=: the next page of photos, as the reader scrolls",
    ),
    "albums/<int:pk>/edit/": Exit(
        "audience rule", "album", (read(writers="owner"), write(data={"title": ""}, writers="owner"))
    ),
    "albums/<int:pk>/delete/": Exit(
        "audience rule", "album", (read(writers="owner"), write(writers="owner"))
    ),
    "albums/<int:pk>/upload/": Exit("audience rule", "album", (write(writers="owner"),)),
    "albums/<int:pk>/order/": Exit("audience rule", "album", (write(data={"order": "x"}, writers="owner"),)),
    "photos/<int:pk>/": Exit("audience rule", "photo", (read(writers="owner"), write(writers="owner"))),
    "photos/<int:pk>/card/": Exit(
        "audience rule",
        "photo",
        (read(shows=("alt", "file")), read(audience="owner", target="processing photo")),
        note="a photo still processing (or failed) is its owner's business",
    ),
    "photos/<int:pk>/cover/": Exit("audience rule", "photo", (write(writers="owner"),)),
    "photos/<int:pk>/delete/": Exit(
        "audience rule", "photo", (read(writers="owner"), write(writers="owner"))
    ),
    "alumni/": Exit("signed-in"),
    "alumni/me/": Exit("signed-in", probes=(GET, write())),
    "alumni/former-colleagues/": Exit("signed-in"),
    "hr/": Exit("HR"),
    "hr/<str:username>/offboard/": Exit(
        "HR", "person", (GET, write(data={"leave_date": "2020-01-01", "confirm": "1"}, refusals_only=True))
    ),
    "hr/<str:username>/rehire/": Exit(
        "HR", "person", (GET, write(data={"confirm": "1"}, refusals_only=True))
    ),
    "settings/": Exit("signed-in", note="one's own devices"),
    "settings/devices/<int:pk>/revoke/": Exit("owner", "token", (write(),)),
    "settings/sign-out-everywhere/": Exit(
        "signed-in",
        probes=(write(ok=frozenset({302})),),
        note="signs out only oneself, and mails one's own address a link (302: to the sign-in page)",
    ),
    "settings/export/": Exit(
        "signed-in",
        probes=(GET, write(ok=OK_OR_REDIRECT | {429})),
        note="one's own exit kit (429: one a while)",
    ),
    # --- Probes, files, documents ----------------------------------------------------------
    "healthz": Exit("public", probes=(ANYONE,)),
    "readyz": Exit("public", probes=(ANYONE,)),
    "media/avatars/<str:name>": Exit(
        "holders of its link",
        "avatar",
        note="served by the web server in production; the name is a marker only signed-in people see",
    ),
    "accounts/reset/<uidb64>/<token>/": Exit("public", "reset", (ANYONE,)),
    "accounts/reset/done/": Exit("public", probes=(ANYONE,)),
    "admin/": Exit("staff", note="the whole Django admin, staff only"),
    "api/schema/": Exit("public", probes=(read(roles=SCHEMA_ROLES),)),
    "api/events.json": Exit("public", probes=(ANYONE,)),
    "api/docs/": Exit("public", probes=(ANYONE,)),
    "api/redoc/": Exit("public", probes=(ANYONE,)),
    # --- The REST API: people and sign-in --------------------------------------------------
    "api/v1/auth/token/": Exit(
        "public",
        probes=(
            write(data={"username": "nobody", "password": "wrong"}, ok=frozenset({400}), roles=ANYONE.roles),
        ),
    ),
    "api/v1/auth/logout/": Exit("signed-in", probes=(write(),)),
    "api/v1/auth/logout-all/": Exit("signed-in", probes=(write(),)),
    "api/v1/auth/tokens/": Exit("signed-in", note="one's own devices"),
    "api/v1/auth/tokens/<int:pk>/": Exit("owner", "token", (write("DELETE"),)),
    "api/v1/auth/password/set/": Exit(
        "public",
        probes=(
            write(data={"uid": "x", "token": "y", "password": "z"}, ok=frozenset({400}), roles=ANYONE.roles),
        ),
    ),
    "api/v1/auth/password/link/": Exit(
        "public",
        probes=(write(data={"email": "nobody@example.com"}, ok=frozenset({202}), roles=ANYONE.roles),),
    ),
    "api/v1/me/": Exit("signed-in", probes=(GET, write("PATCH", data={}))),
    "api/v1/me/avatar/": Exit("signed-in", probes=(write("PUT", form=True), write("DELETE"))),
    "api/v1/profiles/": Exit("signed-in"),
    "api/v1/profiles/<str:username>/": Exit("signed-in", "person", (read(shows=("internal",)),)),
    "api/v1/profiles/<str:username>/follow/": Exit("signed-in", "person", (write(), write("DELETE"))),
    "api/v1/profiles/<str:username>/followers/": Exit("signed-in", "person"),
    "api/v1/profiles/<str:username>/following/": Exit("signed-in", "person"),
    "api/v1/profiles/<str:username>/connections/": Exit(
        "connections of the person", "person", (read(shows=("connections",)),)
    ),
    "api/v1/connections/": Exit("signed-in", note="one's own connections"),
    "api/v1/connections/requests/": Exit(
        "signed-in", probes=(read(query="box=incoming"), write(data={"username": "ana"}))
    ),
    "api/v1/connections/requests/<int:pk>/": Exit(
        "sender and receiver", "request", (write("DELETE", writers="sender"),)
    ),
    "api/v1/connections/requests/<int:pk>/accept/": Exit(
        "sender and receiver", "request", (write(writers="receiver"),)
    ),
    "api/v1/connections/requests/<int:pk>/decline/": Exit(
        "sender and receiver", "request", (write(writers="receiver"),)
    ),
    "api/v1/connections/<str:username>/": Exit("signed-in", "person", (write("DELETE"),)),
    # --- The REST API: the feed ------------------------------------------------------------
    "api/v1/feed/": Exit("signed-in", probes=(read(shows=("post",)),)),
    "api/v1/posts/": Exit("signed-in", probes=(write(data={"body": ""}),)),
    "api/v1/posts/<int:pk>/": Exit(
        "audience rule",
        "post",
        (
            read(shows=("post",)),
            write("PATCH", data={"body": "edited"}, writers="owner"),
            write("DELETE", writers="owner"),
        ),
    ),
    "api/v1/posts/<int:pk>/comments/": Exit(
        "audience rule", "post", (read(shows=("comment",)), write(data={"body": ""}))
    ),
    "api/v1/posts/<int:pk>/reaction/": Exit(
        "audience rule", "post", (write("PUT", data={"kind": "like"}), write("DELETE"))
    ),
    "api/v1/comments/<int:pk>/": Exit(
        "audience rule", "comment", (write("DELETE", writers="post or comment author"),)
    ),
    "api/v1/profiles/<str:username>/posts/": Exit(
        "signed-in", "person", (read(shows=("post",)), read(target="alumnus"))
    ),
    "api/v1/notifications/": Exit(
        "signed-in", note="one's own, minus those about what one may no longer see"
    ),
    "api/v1/notifications/read/": Exit("signed-in", probes=(write(data={"up_to": 1}),)),
    # --- The REST API: photos --------------------------------------------------------------
    "api/v1/albums/": Exit("signed-in", probes=(write(data={"title": ""}),)),
    "api/v1/albums/<int:pk>/": Exit(
        "audience rule",
        "album",
        (
            read(shows=("album", "albumtext")),
            write("PATCH", data={}, writers="owner"),
            write("DELETE", writers="owner"),
        ),
    ),
    "api/v1/albums/<int:pk>/photos/": Exit(
        "audience rule",
        "album",
        (read(shows=("caption", "alt", "file", "blurhash")), write(form=True, writers="owner")),
    ),
    "api/v1/photos/<int:pk>/": Exit(
        "audience rule",
        "photo",
        (
            read(shows=("caption", "alt", "file", "blurhash")),
            read(audience="owner", target="processing photo"),
            write("PATCH", data={}, writers="owner"),
            write("DELETE", writers="owner"),
        ),
        note="a photo still processing (or failed) is its owner's business",
    ),
    "api/v1/photos/<int:pk>/media/<str:rendition>/": Exit(
        "audience rule",
        "photo",
        (
            read(kwargs=(("rendition", "thumb"),), shows=("bytes",)),
            read(kwargs=(("rendition", "medium"),), shows=("bytes",)),
            read(kwargs=(("rendition", "original"),), shows=("bytes",)),
            read(kwargs=(("rendition", "incoming"),), audience="nobody"),
            read(kwargs=(("rendition", "original"),), audience="nobody", target="processing photo"),
        ),
        note="the files of a photo, checked on every request",
    ),
    "api/v1/profiles/<str:username>/albums/": Exit("signed-in", "person", (read(shows=("album",)),)),
    # --- The REST API: alumni and the exit kit ---------------------------------------------
    "api/v1/alumni/": Exit("signed-in"),
    "api/v1/alumni/me/": Exit("signed-in", probes=(GET, write("PATCH", data={}))),
    "api/v1/alumni/former-colleagues/": Exit("signed-in"),
    "api/v1/alumni/offboard/": Exit(
        "HR",
        probes=(
            write(
                data={"username": "ana", "leave_date": "2020-01-01", "personal_email": "a@example.com"},
                refusals_only=True,
            ),
        ),
    ),
    "api/v1/alumni/rehire/": Exit("HR", probes=(write(data={"username": "olu"}, refusals_only=True),)),
    "api/v1/me/export/": Exit(
        "signed-in",
        probes=(read(ok=EXPORT_STATES), write(ok=frozenset({202, 429}))),
        note="one's own exit kit (429: one a while)",
    ),
    "api/v1/me/export/<int:pk>/download/": Exit(
        "owner",
        "export",
        (
            read(query="signature={signature}", shows=("archive",)),
            read(query="signature={signature}", audience="gone", target="former export"),
            read(
                query="signature={signature}",
                audience="its alumnus",
                target="alumnus export",
                shows=("archive",),
            ),
        ),
    ),
}

WEBSOCKETS: dict[str, str] = {
    "ws/feed/": "signed-in",
}


@dataclass(frozen=True)
class Event:
    audience: str
    exercised_in: str  # "" when this module's socket test receives it; else the test file


# What each event type of /ws/feed/ carries, and to whom. What a socket asks for (hello, a
# replay, ping, a bad message) is received by the socket test of this matrix; what the server
# pushes is received with a live server where the push is told in depth.
EVENTS: dict[str, Event] = {
    "hello": Event("the socket's own person: their username", ""),
    "feed.activity": Event(
        "each recipient, by the audience rule of the activity's object, rendered per audience "
        "class, at delivery",
        "tests/feed/test_live_audience.py",
    ),
    "feed.removed": Event("each recipient of the item: its id only", "tests/feed/test_live.py"),
    "notification": Event(
        "the recipient, while they may see what it is about", "tests/feed/test_notification_audience.py"
    ),
    "resume.done": Event("the socket's own person", ""),
    "pong": Event("the socket's own person", ""),
    "session.revoked": Event(
        "every socket of the person whose sign-ins ended", "tests/alumni/test_access_changes.py"
    ),
    "credential.revoked": Event(
        "the sockets opened with the credential that ended", "tests/socialblue/test_socket_credentials.py"
    ),
    "error": Event("the socket's own person", ""),
}


@dataclass(frozen=True)
class Close:
    audience: str
    constant: str  # the name the code goes by in the code
    exercised_in: str  # the test file that sees a socket closed with it


# Every close code of /ws/feed/ (``feed.events.CLOSE_CODES``): which sockets get it, and where.
CLOSES: dict[int, Close] = {
    4401: Close(
        "sockets opened without a credential, or whose credential ended",
        "CLOSE_UNAUTHENTICATED",
        "tests/socialblue/test_socket_credentials.py",
    ),
    4403: Close(
        "every socket of the person whose sign-ins ended",
        "CLOSE_REVOKED",
        "tests/alumni/test_access_changes.py",
    ),
    1013: Close(
        "the sockets of a process whose backing service, or feed subscription, is away",
        "CLOSE_TRY_AGAIN_LATER",
        "tests/faults/test_outages.py",
    ),
    4408: Close("a socket whose client fell behind", "CLOSE_FELL_BEHIND", "tests/feed/test_live_stream.py"),
}


@dataclass(frozen=True)
class NotificationKind:
    audience: str
    recipient: str  # the role that receives one in the world


NOTIFICATIONS: dict[str, NotificationKind] = {
    "comment": NotificationKind("the post's author, while they may see the post", "author"),
    "reaction": NotificationKind("the post's author, while they may see the post", "author"),
    "mention": NotificationKind("the person mentioned, while they may see the post", "employee stranger"),
    "connection_request": NotificationKind("the receiver of the request", "author"),
    "connection_accepted": NotificationKind("the sender of the request", "alumnus connection"),
}


@dataclass(frozen=True)
class FileKind:
    audience: str
    route: str  # the URL pattern that serves it ("" if nothing does)
    stored_as: str  # a regular expression over its storage name


MEDIA_ROUTE = "api/v1/photos/<int:pk>/media/<str:rendition>/"
FILES: dict[str, FileKind] = {
    "photo original": FileKind("audience rule", MEDIA_ROUTE, r"photos/[0-9a-f]{32}/original\.(jpg|png)"),
    "photo medium": FileKind("audience rule", MEDIA_ROUTE, r"photos/[0-9a-f]{32}/medium\.webp"),
    "photo thumb": FileKind("audience rule", MEDIA_ROUTE, r"photos/[0-9a-f]{32}/thumb\.webp"),
    "photo upload as received": FileKind("nobody", "", r"photos/incoming/[0-9a-f]{32}\.\w+"),
    "profiles.Profile.avatar": FileKind(
        "holders of its link", "media/avatars/<str:name>", r"avatars/[0-9a-f]{32}\.webp"
    ),
    "export archive": FileKind("owner", "api/v1/me/export/<int:pk>/download/", r"exports/[0-9a-f]{32}\.zip"),
}

# Cells that show a hole being closed elsewhere right now: (probe id) -> why. Each is an
# expected failure (strict: the cell fails once the hole is closed, to be taken out of here).
KNOWN_HOLES: dict[str, str] = {}
