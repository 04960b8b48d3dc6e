"""Every page of the web frontend, in one sweep: each answers its viewer, and the number of
database queries it takes does not grow with what it shows. The same pages are measured in a
small company and again after it has grown (more posts, comments, albums, photos, people,
connections, requests, notifications, devices), and must cost the same.

Static files are built for production compressed and with hashed names (cached for ever).
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alumni import services as alumni_services
from feed import services as feed_services
from photos import services as photo_services
from profiles import services as graph
from profiles.models import DeviceToken
from tests.factories import make_person
from tests.feed.stories import active, connect
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _state(media_root, fresh_timelines, eager_tasks):
    """Photos processed inline into a temporary MEDIA_ROOT; no timelines from another test."""


class World:
    """Ana's company, grown step by step."""

    def __init__(self, ana, marco, olu, hana, committed):
        self.ana, self.marco, self.olu, self.hana, self.committed = ana, marco, olu, hana, committed
        self.grown = 0
        active(ana, marco, olu, hana)
        connect(ana, marco)
        alumni_services.employment_start(profile=ana, start=_date("2020-01-01"), department=ana.department)
        alumni_services.employment_start(profile=marco, start=_date("2019-01-01"), department=ana.department)
        self.album = photo_services.album_create(owner=marco, title="Offsite", visibility="company")
        self.grow(2)
        self.post = marco.posts.order_by("pk").first()
        self.photo = self.album.photos.order_by("pk").first()

    def grow(self, n: int) -> None:
        """``n`` more of everything the pages list."""
        with self.committed():
            for _ in range(n):
                k = self.grown = self.grown + 1
                colleague = make_person(
                    f"colleague{k}", display_name=f"Colleague {k}", department=self.ana.department
                )
                active(colleague)
                connect(self.ana, colleague)
                graph.follow(follower=self.ana, followee=colleague)
                stranger = make_person(f"stranger{k}", display_name=f"Stranger {k}")
                graph.connection_request_send(sender=stranger, receiver=self.ana)
                post = feed_services.post_create(author=self.marco, body=f"News {k}", visibility="company")
                feed_services.comment_create(post=post, author=colleague, body=f"Nice {k}")
                own = feed_services.post_create(author=self.ana, body=f"Mine {k}", visibility="company")
                feed_services.comment_create(post=own, author=colleague, body=f"Yes {k}")  # a notification
                feed_services.reaction_set(post=own, person=colleague)
                photo_services.album_create(owner=self.ana, title=f"Album {k}", visibility="company")
                photo_services.photos_upload(
                    album=self.album, by=self.marco, files=[upload(image_bytes(size=(48, 32)), f"p{k}.jpg")]
                )
                DeviceToken.objects.create(user=self.ana.user, device=f"phone {k}")
                alumnus = make_person(
                    f"alumnus{k}", display_name=f"Alumnus {k}", department=self.ana.department
                )
                alumni_services.employment_start(
                    profile=alumnus, start=_date("2018-01-01"), department=self.ana.department
                )
                alumni_services.alumnus_offboard(
                    profile=alumnus, leave_date=_date("2024-06-30"), personal_email=f"alumnus{k}@home.example"
                )
                alumni_services.alumni_profile_update(profile=alumnus, listed=True)


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


# Parts of pages that only htmx asks for (a plain request is sent to the whole page).
FRAGMENTS = ("/feed/more/", "/feed/new/", "/comments/", "/notifications/badge/", "/card/")


def pages(world: World) -> list[tuple[str, str]]:
    """(viewer, path) for every page, and every part of a page htmx fetches."""
    post, album, photo = world.post.pk, world.album.pk, world.photo.pk
    return [
        ("ana", "/"),
        ("ana", f"/feed/more/?cursor={10**12}"),
        ("ana", "/feed/new/?after=1"),
        ("ana", f"/posts/{post}/"),
        ("ana", f"/posts/{post}/comments/"),
        ("ana", "/people/"),
        ("ana", "/people/?q=colleague"),
        ("ana", "/people/marco/"),
        ("ana", "/people/ana/?tab=albums"),
        ("ana", "/people/ana/?tab=connections"),
        ("ana", "/me/edit/"),
        ("ana", "/connections/"),
        ("ana", "/notifications/"),
        ("ana", "/notifications/badge/"),
        ("ana", "/albums/"),
        ("ana", "/albums/new/"),
        ("ana", f"/albums/{album}/"),
        ("marco", f"/albums/{album}/edit/"),
        ("marco", f"/photos/{photo}/"),
        ("marco", f"/photos/{photo}/card/"),
        ("ana", "/alumni/"),
        ("olu", "/alumni/"),
        ("ana", "/alumni/me/"),
        ("ana", "/alumni/former-colleagues/"),
        ("hana", "/hr/"),
        ("hana", "/hr/ana/offboard/"),
        ("hana", "/hr/olu/rehire/"),
        ("ana", "/settings/"),
        ("ana", "/settings/export/"),
    ]


def cost(clients: dict[str, Client], viewer: str, path: str) -> int:
    client = clients[viewer]
    headers = {"HX-Request": "true"} if any(part in path for part in FRAGMENTS) else {}
    client.get(path, headers=headers)  # a first request of a while also records the visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (viewer, path, response.status_code)
    return len(queries)


@pytest.fixture
def world(ana, marco, olu, hana, committed) -> World:
    return World(ana, marco, olu, hana, committed)


@pytest.fixture
def clients(world) -> dict[str, Client]:
    signed_in = {}
    for person in (world.ana, world.marco, world.olu, world.hana):
        client = Client()
        client.force_login(person.user)
        signed_in[person.user.username] = client
    return signed_in


def test_every_page_costs_the_same_number_of_queries_however_much_it_shows(world, clients):
    small = {(viewer, path): cost(clients, viewer, path) for viewer, path in pages(world)}
    world.grow(4)
    grown = {(viewer, path): cost(clients, viewer, path) for viewer, path in pages(world)}

    assert grown == small


def test_static_files_are_built_compressed_and_with_hashed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    built = {p.name for p in (tmp_path / "static" / "frontend").iterdir()}
    (hashed_css,) = [n for n in built if n.startswith("app.") and n.endswith(".css") and n.count(".") == 2]
    assert hashed_css.endswith(".css") and f"{hashed_css}.gz" in built, built
