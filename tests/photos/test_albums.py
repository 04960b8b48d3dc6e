"""Albums belong to their owner: only she edits the title, captions, alt text, order, cover
and visibility; others get 403 if they can see the album and 404 if they cannot. Deleting a
photo or an album removes its files once the transaction commits, and its items from every
feed. A person's album list shows the viewer only what she may see, at a constant cost.
"""

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from feed.models import Activity
from photos import services
from photos.models import Album, Photo
from profiles.models import Profile
from profiles.services import follow
from tests.feed.stories import active, build_timeline, connect, timeline_score
from tests.images import image_bytes
from tests.photos.conftest import stored_files
from tests.photos.stories import (
    add_photos,
    added_photos,
    album_photos_url,
    album_url,
    album_with_photos,
    create_album,
    photo_url,
    post_images,
)

pytestmark = pytest.mark.django_db


def files_of(photo_id: int) -> list[str]:
    photo = Photo.objects.get(pk=photo_id)
    return [photo.original, photo.medium, photo.thumb]


def order_of(client, album_id: int) -> list[int]:
    response = client.get(album_photos_url(album_id))
    assert response.status_code == 200, response.content
    return [p["id"] for p in response.json()["results"]]


@pytest.fixture
def offsite(ana, client_for, committed):
    """Ana's company album "Team offsite" with three ready photos."""
    return album_with_photos(client_for(ana), committed, count=3, title="Team offsite")


# --- Editing --------------------------------------------------------------------------------


def test_the_owner_edits_title_description_and_visibility(offsite, ana, client_for):
    album, _photos = offsite
    response = client_for(ana).patch(
        album_url(album["id"]),
        {"title": "Offsite in Sintra", "description": "Two days by the sea", "visibility": "network"},
        format="json",
    )
    assert response.status_code == 200, response.content
    edited = response.json()
    assert (edited["title"], edited["description"], edited["visibility"]) == (
        "Offsite in Sintra",
        "Two days by the sea",
        "network",
    )


def test_the_owner_writes_a_caption_and_alt_text(offsite, ana, priya, client_for):
    _album, [photo, *_rest] = offsite
    response = client_for(ana).patch(
        photo_url(photo["id"]),
        {"caption": "Sunset on day one", "alt_text": "Six people on a beach at sunset"},
        format="json",
    )
    assert response.status_code == 200, response.content
    shown = client_for(priya).get(photo_url(photo["id"])).json()
    assert (shown["caption"], shown["alt_text"]) == ("Sunset on day one", "Six people on a beach at sunset")


def test_photos_are_shown_in_the_order_the_owner_sets(offsite, ana, priya, client_for):
    album, photos = offsite
    first, second, third = (p["id"] for p in photos)
    assert order_of(client_for(priya), album["id"]) == [first, second, third]  # upload order

    response = client_for(ana).patch(
        album_url(album["id"]), {"photo_order": [third, first, second]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert order_of(client_for(priya), album["id"]) == [third, first, second]


@pytest.mark.parametrize(
    "order",
    [
        lambda a, b, c: [c, a],  # one missing
        lambda a, b, c: [c, a, b, a],  # one twice
        lambda a, b, c: [c, a, b, 999_999],  # one that is not in the album
        lambda a, b, c: [],
    ],
    ids=["missing", "twice", "foreign", "empty"],
)
def test_photo_order_must_list_every_photo_exactly_once(order, offsite, ana, client_for):
    album, photos = offsite
    ids = [p["id"] for p in photos]

    response = client_for(ana).patch(album_url(album["id"]), {"photo_order": order(*ids)}, format="json")

    assert response.status_code == 400, response.content
    assert "photo_order" in response.json()
    assert order_of(client_for(ana), album["id"]) == ids


def test_the_first_ready_photo_is_the_cover_until_the_owner_picks_another(offsite, ana, client_for):
    album, [first, _second, third] = offsite
    assert client_for(ana).get(album_url(album["id"])).json()["cover"]["id"] == first["id"]

    response = client_for(ana).patch(album_url(album["id"]), {"cover": third["id"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["cover"]["id"] == third["id"]
    assert response.json()["photo_count"] == 3


def test_the_cover_is_one_of_the_albums_own_photos(offsite, ana, client_for, committed):
    album, _photos = offsite
    _other_album, [elsewhere] = album_with_photos(client_for(ana), committed, count=1, title="Other")

    response = client_for(ana).patch(album_url(album["id"]), {"cover": elsewhere["id"]}, format="json")

    assert response.status_code == 400, response.content
    assert "cover" in response.json()


def test_alumni_cannot_make_an_album_company_only(olu, client_for):
    response = client_for(olu).post("/api/v1/albums/", {"title": "Old days", "visibility": "company"})
    assert response.status_code == 400, response.content
    assert "visibility" in response.json()


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("patch", "album", {"title": "Mine now"}),
        ("delete", "album", None),
        ("patch", "photo", {"caption": "Mine now"}),
        ("delete", "photo", None),
    ],
)
def test_others_get_403_if_they_can_see_the_album_and_404_if_they_cannot(
    method, target, body, offsite, priya, olu, client_for
):
    album, [photo, *_rest] = offsite
    url = album_url(album["id"]) if target == "album" else photo_url(photo["id"])

    # Priya, a colleague, sees the company album; Olu, an alumnus, does not.
    assert getattr(client_for(priya), method)(url, body, format="json").status_code == 403
    assert getattr(client_for(olu), method)(url, body, format="json").status_code == 404

    assert Album.objects.get(pk=album["id"]).title == "Team offsite"
    assert Photo.objects.filter(album_id=album["id"]).count() == 3
    assert Photo.objects.get(pk=photo["id"]).caption == ""


def test_an_album_the_viewer_may_not_see_is_404_wherever_they_look(offsite, olu, client_for):
    album, [photo, *_rest] = offsite
    client = client_for(olu)
    for url in (album_url(album["id"]), album_photos_url(album["id"]), photo_url(photo["id"])):
        assert client.get(url).status_code == 404, url
    assert client.get(album_url(999_999)).json() == client.get(album_url(album["id"])).json()


def test_a_photo_not_ready_yet_is_its_owners_business_until_it_is(offsite, ana, priya, client_for, committed):
    """Ana uploads a photo and captions it while it is still processing: Priya, who sees the
    album, sees neither the photo nor its caption, in the list, by its id or on the web, until
    it is ready; Ana sees it all along."""
    album, ready = offsite
    client = client_for(ana)
    [unfinished] = post_images(client, album["id"], image_bytes()).json()  # no commit: processing
    client.patch(photo_url(unfinished["id"]), {"caption": "Not this one"}, format="json")
    priyas = client_for(priya)
    web = Client()
    web.force_login(priya.user)

    assert order_of(priyas, album["id"]) == [p["id"] for p in ready]
    assert priyas.get(photo_url(unfinished["id"])).status_code == 404
    assert web.get(f"/photos/{unfinished['id']}/card/").status_code == 404
    assert order_of(client, album["id"]) == [*(p["id"] for p in ready), unfinished["id"]]
    assert client.get(photo_url(unfinished["id"])).json()["caption"] == "Not this one"

    services.photo_process(photo_id=unfinished["id"])
    assert priyas.get(photo_url(unfinished["id"])).json()["caption"] == "Not this one"
    assert web.get(f"/photos/{unfinished['id']}/card/").status_code == 200


# --- Deleting -------------------------------------------------------------------------------


def test_deleting_a_photo_removes_its_files(offsite, ana, client_for, committed):
    album, [photo, *rest] = offsite
    doomed = files_of(photo["id"])
    kept = [name for p in rest for name in files_of(p["id"])]

    with committed():
        response = client_for(ana).delete(photo_url(photo["id"]))

    assert response.status_code == 204
    assert not any(default_storage.exists(name) for name in doomed)
    assert all(default_storage.exists(name) for name in kept)
    assert client_for(ana).get(album_url(album["id"])).json()["photo_count"] == 2


def test_a_delete_that_rolls_back_keeps_the_files(offsite, ana, committed):
    _album, [photo, *_rest] = offsite
    names = files_of(photo["id"])

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        services.photo_delete(photo=Photo.objects.get(pk=photo["id"]), by=ana)
        raise RuntimeError("something later in the same request failed")

    assert Photo.objects.filter(pk=photo["id"]).exists()
    assert all(default_storage.exists(name) for name in names)


def test_deleting_the_cover_makes_another_photo_the_cover(offsite, ana, client_for, committed):
    album, [cover, second, _third] = offsite
    with committed():
        client_for(ana).delete(photo_url(cover["id"]))
    assert client_for(ana).get(album_url(album["id"])).json()["cover"]["id"] == second["id"]


def test_deleting_every_photo_of_an_upload_removes_its_feed_item(ana, priya, client_for, committed):
    with committed():
        follow(follower=priya, followee=ana)
    active(ana, priya)
    _album, [first, second] = album_with_photos(client_for(ana), committed, count=2)
    [item] = added_photos(client_for(priya))
    assert item["object"]["photo_count"] == 2

    with committed():
        client_for(ana).delete(photo_url(first["id"]))
    [item] = added_photos(client_for(priya))
    assert item["object"]["photo_count"] == 1

    with committed():
        client_for(ana).delete(photo_url(second["id"]))
    assert added_photos(client_for(priya)) == []
    assert Activity.objects.get(pk=item["id"]).removed_at is not None


def test_deleting_an_album_removes_every_file_and_its_feed_items(
    ana, priya, client_for, committed, settings, media_root, redis_client
):
    with committed():
        follow(follower=priya, followee=ana)
    active(ana, priya)
    build_timeline(priya)
    settings.FEED_AGGREGATE_WINDOW = 0  # every upload is an item of its own
    album, _photos = album_with_photos(client_for(ana), committed, count=2)
    add_photos(client_for(ana), committed, album["id"], image_bytes(color=(1, 2, 3)))
    items = added_photos(client_for(priya))
    assert len(items) == 2
    assert all(timeline_score(redis_client, priya, item["id"]) for item in items)
    assert stored_files(media_root)

    with committed():
        response = client_for(ana).delete(album_url(album["id"]))

    assert response.status_code == 204
    assert stored_files(media_root) == []
    assert added_photos(client_for(priya)) == []
    assert not any(timeline_score(redis_client, priya, item["id"]) for item in items)
    assert not Activity.objects.filter(verb="added_photos", removed_at__isnull=True).exists()
    assert not Photo.objects.exists()
    assert client_for(ana).get(album_url(album["id"])).status_code == 404


# --- Listing --------------------------------------------------------------------------------


def test_a_persons_album_list_shows_each_viewer_only_what_they_may_see(
    ana, marco, priya, olu, client_for, committed
):
    with committed():
        connect(ana, marco)
    client = client_for(ana)
    for title, visibility in [("All-hands", "company"), ("Conference", "network"), ("Family", "connections")]:
        create_album(client, title, visibility=visibility)

    def titles(viewer) -> set[str]:
        response = client_for(viewer).get("/api/v1/profiles/ana/albums/")
        assert response.status_code == 200, response.content
        return {a["title"] for a in response.json()["results"]}

    assert titles(ana) == {"All-hands", "Conference", "Family"}
    assert titles(marco) == {"All-hands", "Conference", "Family"}  # a connection
    assert titles(priya) == {"All-hands", "Conference"}  # a colleague
    assert titles(olu) == {"Conference"}  # an alumnus, not connected


def test_an_alumnus_loses_even_their_own_company_albums(marco, client_for, committed):
    album_with_photos(client_for(marco), committed, count=1, title="Platform team day", visibility="company")
    create_album(client_for(marco), "Hiking", visibility="network")

    Profile.objects.filter(pk=marco.pk).update(status="alumnus")  # offboarded

    albums = client_for(marco).get("/api/v1/profiles/marco/albums/").json()["results"]
    assert [a["title"] for a in albums] == ["Hiking"]


def test_an_album_list_page_costs_the_same_queries_for_one_album_or_many(ana, priya, client_for, committed):
    client = client_for(ana)
    active(priya)  # no "last active" write in the requests counted

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client_for(priya).get("/api/v1/profiles/ana/albums/")
        assert response.status_code == 200
        return len(queries)

    album_with_photos(client, committed, count=1, title="First")
    one = queries_for_list()
    for n in range(4):
        album_with_photos(client, committed, count=1, title=f"More {n}")
    many = queries_for_list()

    assert many == one
