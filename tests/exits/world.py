"""The company the exit matrix walks through, built once: one person of each standing to Ana,
and Ana's content of every visibility, so that every exit has something to show or to hide.

* Ana Silva (``author``) — an engineer; she owns everything the URLs point at.
* Marco Rossi (``employee connection``) — her manager, connected with her.
* Priya Nair (``employee stranger``) — a designer who follows Ana and has asked to connect.
* Olu Adeyemi (``alumnus connection``) — connected with Ana; he wrote to the company while he
  worked here and left since.
* Tomás Reyes (``alumnus stranger``) — an alumnus who follows Ana and never connected.
* Hana Kim (``HR officer``) — follows Ana.

Every text that only some people may see carries a *marker*: a short word that appears nowhere
else, so that a response can be searched for what it must not carry (see ``Marker``).
Everything is written through the services, with Celery tasks run inline, so photos are
processed for real, timelines are written to the real Redis and the export archive is built.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from unittest import mock

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.utils import timezone

from exports import links as export_links
from exports import services as export_services
from exports.models import DataExport
from feed import services as feed_services
from feed.models import Comment, Notification, Post, Reaction
from photos import services as photo_services
from photos import tasks as photo_tasks
from photos.models import Album, Photo
from profiles import services as graph
from profiles.models import Connection, ConnectionRequest, DeviceToken, Follow, Profile, ProfileStatus
from tests.audience import SEES
from tests.factories import DepartmentFactory, OfficeFactory, make_person
from tests.feed.stories import active, connect
from tests.images import image_bytes, upload

VISIBILITIES = ("company", "network", "connections")
ANONYMOUS = "anonymous"
HR_OFFICER = "HR officer"
# Each standing to Ana, as the audience table of DESIGN.md (tests/audience.py) names it.
CONTENT_ROLES = tuple(SEES["company"])
ROLES = (ANONYMOUS, *CONTENT_ROLES, HR_OFFICER)
EMPLOYEES = frozenset({"author", "employee connection", "employee stranger", HR_OFFICER})
CAST = {
    "author": "ana",
    "employee connection": "marco",
    "employee stranger": "priya",
    "alumnus connection": "olu",
    "alumnus stranger": "tomas",
    HR_OFFICER: "hana",
}
WORK_PHONE = "+351 21 000 4711"
OFFICE = "Qxofficeqx Tower"


def content_role(role: str) -> str | None:
    """How a role stands to Ana's content: HR officers are employees who are not connected
    with her; anonymous people see nothing (None)."""
    if role == ANONYMOUS:
        return None
    return "employee stranger" if role == HR_OFFICER else role


def sees(role: str, visibility: str) -> bool:
    """The audience table: may ``role`` see Ana's content of ``visibility``?"""
    standing = content_role(role)
    return standing is not None and SEES[visibility][standing]


def marker(kind: str, visibility: str = "") -> str:
    """A word that appears nowhere but in the one text it marks."""
    return f"qx{kind}{visibility}qx"


@dataclass(frozen=True)
class Marker:
    """A text only ``roles`` may see, wherever it leaves."""

    text: str
    roles: frozenset[str]
    what: str


@dataclass
class World:
    people: dict[str, Profile]
    posts: dict[str, Post]
    comments: dict[str, Comment]
    albums: dict[str, Album]
    photos: dict[str, Photo]
    processing_photo: Photo
    export: DataExport
    export_signature: str
    former_export: DataExport  # Olu's, built while he was an employee
    former_export_signature: str
    alumnus_export: DataExport  # Olu's, built since he left
    alumnus_export_signature: str
    avatar_name: str
    device_token: DeviceToken
    tokens: dict[str, str]  # role -> a device token key, for the socket
    sessions: dict[str, str]  # role -> a session key
    request: ConnectionRequest
    markers: list[Marker] = field(default_factory=list)
    # What the world looked like when it was built (see ``fingerprint``).
    fingerprint: tuple = ()

    def person(self, role: str) -> Profile:
        return self.people[role]

    def shown(self, kind: str, visibility: str) -> str:
        return next(m.text for m in self.markers if m.what == f"{kind} {visibility}")


def _hr_officer() -> Profile:
    person = make_person("hana", display_name="Hana Kim", headline="HR Business Partner")
    # The group comes from a data migration that a transactional test may have emptied.
    group, created = Group.objects.get_or_create(name="HR officers")
    if created:
        group.permissions.add(Permission.objects.get(codename="manage_employment"))
    person.user.groups.add(group)
    return person


PERSONAL_EMAIL = "qxpersonalqx@example.net"


def _leaves(person: Profile) -> None:
    """The person becomes an alumnus, reached at a personal address from now on (the status
    is all the audience rule reads)."""
    Profile.objects.filter(pk=person.pk).update(status=ProfileStatus.ALUMNUS, personal_email=PERSONAL_EMAIL)
    person.status, person.personal_email = ProfileStatus.ALUMNUS, PERSONAL_EMAIL


def _photo(album: Album, by: Profile, *, colour: tuple[int, int, int], caption: str, alt: str) -> Photo:
    [photo] = photo_services.photos_upload(
        album=album, by=by, files=[upload(image_bytes(color=colour, size=(96, 64)))]
    )
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY, photo.error
    return photo_services.photo_update(photo=photo, by=by, caption=caption, alt_text=alt)


def build_world() -> World:
    """Build the company (call with Celery tasks inline and a scratch MEDIA_ROOT)."""
    platform = DepartmentFactory(name="Platform", slug="platform")
    office = OfficeFactory(name=OFFICE, slug="qx-tower")
    marco = make_person("marco", display_name="Marco Rossi", department=platform, office=office)
    ana = make_person(
        "ana",
        display_name="Ana Silva",
        department=platform,
        office=office,
        manager=marco,
        work_phone=WORK_PHONE,
    )
    priya = make_person("priya", display_name="Priya Nair")
    olu = make_person("olu", display_name="Olu Adeyemi", department=platform)
    tomas = make_person("tomas", display_name="Tomas Reyes", status=ProfileStatus.ALUMNUS)
    hana = _hr_officer()
    people = {
        "author": ana,
        "employee connection": marco,
        "employee stranger": priya,
        "alumnus connection": olu,
        "alumnus stranger": tomas,
        HR_OFFICER: hana,
    }
    active(*people.values())

    # Who stands where: connections, follows, and a request that waits for Ana.
    connect(ana, marco)
    connect(olu, ana)
    for person in (priya, tomas, hana):
        graph.follow(follower=person, followee=ana)
    request, _ = graph.connection_request_send(sender=priya, receiver=ana, message=marker("requestmessage"))

    # Olu wrote to the company while he worked here, Marco answered, and Olu took his exit kit
    # with him (an archive of an employee's). Then Olu left.
    olus = feed_services.post_create(author=olu, body=marker("oluspost", "company"), visibility="company")
    feed_services.comment_create(post=olus, author=marco, body=marker("oluscomment", "company"))
    former_export = export_services.export_request(profile=olu)
    _leaves(olu)
    # A day later he takes another: an alumnus's archive.
    DataExport.objects.filter(pk=former_export.pk).update(created_at=timezone.now() - timedelta(days=1))
    alumnus_export = export_services.export_request(profile=olu)

    posts, comments, albums, photos = {}, {}, {}, {}
    for n, visibility in enumerate(VISIBILITIES):
        posts[visibility] = feed_services.post_create(
            author=ana, body=marker("post", visibility), visibility=visibility
        )
        comments[visibility] = feed_services.comment_create(
            post=posts[visibility], author=marco, body=marker("comment", visibility)
        )
        feed_services.reaction_set(post=posts[visibility], person=marco)
        albums[visibility] = photo_services.album_create(
            owner=ana,
            title=marker("album", visibility),
            description=marker("albumtext", visibility),
            visibility=visibility,
        )
        photos[visibility] = _photo(
            albums[visibility],
            ana,
            colour=(40 + 70 * n, 200 - 60 * n, 30 + 90 * n),
            caption=marker("caption", visibility),
            alt=marker("alt", visibility),
        )
    # Mentions: Priya in a post she may see, Olu in one he may no longer see.
    mentions = {
        "network": feed_services.post_create(
            author=ana, body=f"{marker('mention', 'network')} @priya", visibility="network"
        ),
        "company": feed_services.post_create(
            author=ana, body=f"{marker('mention', 'company')} @olu", visibility="company"
        ),
    }

    # A photo still on its way (its upload, as received, waits in storage), already captioned:
    # an unfinished photo is its owner's business until it is ready.
    with mock.patch.object(photo_tasks.process_photo, "delay"):
        [processing] = photo_services.photos_upload(
            album=albums["network"], by=ana, files=[upload(image_bytes(color=(9, 9, 9), size=(32, 32)))]
        )
    photo_services.photo_update(photo=processing, by=ana, caption=marker("unfinished"))

    graph.profile_set_avatar(profile=ana, upload=upload(image_bytes(size=(64, 64))))
    ana.refresh_from_db()
    export = export_services.export_request(profile=ana)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY, export.error
    device_token, _ = DeviceToken.objects.create(user=ana.user, device=marker("device"))

    world = World(
        people=people,
        posts=posts,
        comments=comments,
        albums=albums,
        photos=photos,
        processing_photo=processing,
        export=export,
        export_signature=export_links.export_link_signature(export=export),
        former_export=former_export,
        former_export_signature=export_links.export_link_signature(export=former_export),
        alumnus_export=alumnus_export,
        alumnus_export_signature=export_links.export_link_signature(export=alumnus_export),
        avatar_name=ana.avatar.name.removeprefix("avatars/"),
        device_token=device_token,
        tokens={
            role: DeviceToken.objects.create(user=p.user, device="phone")[1] for role, p in people.items()
        },
        sessions={role: _session_of(p) for role, p in people.items()},
        request=request,
    )
    world.markers = _markers(world, mentions, olus)
    texts = [m.text for m in world.markers]
    assert len(set(texts)) == len(texts) and not any(a in b for a in texts for b in texts if a != b), texts
    world.fingerprint = fingerprint()
    return world


def _session_of(person: Profile) -> str:
    client = Client()
    client.force_login(person.user)
    return client.session.session_key


def _markers(world: World, mentions: dict[str, Post], olus: Post) -> list[Marker]:
    """Every marked text and who may see it."""

    def audience(visibility: str) -> frozenset[str]:
        return frozenset(role for role in ROLES if sees(role, visibility))

    found = []
    for visibility in VISIBILITIES:
        photo = world.photos[visibility]
        for what, text in (
            ("post", world.posts[visibility].body),
            ("comment", world.comments[visibility].body),
            ("album", world.albums[visibility].title),
            ("albumtext", world.albums[visibility].description),
            ("caption", photo.caption),
            ("alt", photo.alt_text),
            ("file", f"/photos/{photo.pk}/media/"),
            ("blurhash", photo.blurhash),
        ):
            found.append(Marker(text, audience(visibility), f"{what} {visibility}"))
    for visibility, post in mentions.items():
        found.append(Marker(post.body.split()[0], audience(visibility), f"mention {visibility}"))
    # Olu's own company post: alumni lose company content, their own included.
    found.append(Marker(olus.body, EMPLOYEES, "olu's post company"))
    found.append(Marker(marker("oluscomment", "company"), EMPLOYEES, "olu's comment company"))
    # An avatar's address is handed out to signed-in people only.
    found.append(Marker(world.avatar_name, frozenset(ROLES) - {ANONYMOUS}, "avatar"))
    # Where an alumnus is reached now: HR's and his own.
    found.append(Marker(PERSONAL_EMAIL, frozenset({HR_OFFICER, "alumnus connection"}), "personal email"))
    # Internal profile fields: employees only.
    found.append(Marker(WORK_PHONE, EMPLOYEES, "work phone"))
    found.append(Marker(OFFICE, EMPLOYEES, "office"))
    # What is Ana's alone, or hers and the person she deals with.
    found.append(Marker(f"/me/export/{world.export.pk}/download/", frozenset({"author"}), "export link"))
    found.append(Marker(world.device_token.device, frozenset({"author"}), "device"))
    found.append(Marker(world.processing_photo.caption, frozenset({"author"}), "unfinished photo"))
    # An archive of an employee's, once its owner has left: nobody's.
    found.append(Marker(f"/me/export/{world.former_export.pk}/download/", frozenset(), "former export link"))
    found.append(Marker(world.request.message, frozenset({"author", "employee stranger"}), "request message"))
    return found


# What a refused write must leave as it was: the people, their graph and their content.
FINGERPRINTED = (
    (Profile, ("status", "display_name", "headline", "avatar")),
    (Post, ("body", "visibility")),
    (Comment, ("body",)),
    (Reaction, ("kind",)),
    (Album, ("title", "description", "visibility", "cover_id")),
    (Photo, ("album_id", "caption", "alt_text", "position")),
    (Follow, ()),
    (Connection, ()),
    (ConnectionRequest, ("status",)),
    (Notification, ("read",)),
    (DataExport, ("status",)),
    (DeviceToken, ()),
)


def fingerprint() -> tuple:
    """A digest of every row of ``FINGERPRINTED``, read in one query, to see that a refused
    write changed nothing."""
    digests = []
    for model, columns in FINGERPRINTED:
        table, pk = (
            connection.ops.quote_name(name) for name in (model._meta.db_table, model._meta.pk.column)
        )
        row = ", ".join(
            [f"{pk}::text", *(f"coalesce({connection.ops.quote_name(c)}::text, '')" for c in columns)]
        )
        digests.append(
            f"(SELECT md5(coalesce(string_agg(concat_ws(',', {row}), '|' ORDER BY {pk}), '')) FROM {table})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(digests))
        return tuple(cursor.fetchone())
