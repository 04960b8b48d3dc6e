"""The feed tells colleagues about new photos: one "Ana added 5 photos to Team offsite" item per
upload, grown (not repeated) by more photos within FEED_AGGREGATE_WINDOW, shown only to
people who may see the album, and following the album when its visibility changes.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from feed.models import Activity
from photos.models import PhotoBatch
from profiles.services import follow
from tests.feed.stories import active, build_timeline, connect, timeline_score
from tests.images import image_bytes
from tests.photos.stories import add_photos, added_photos, album_url, create_album

pytestmark = pytest.mark.django_db


def some_photos(count: int) -> list[bytes]:
    return [image_bytes(size=(320, 240), color=(20 * n, 100, 200)) for n in range(count)]


@pytest.fixture
def audience(ana, marco, priya, olu, committed):
    """Marco and Olu (an alumnus now) are Ana's connections; Priya, in Marketing, follows Ana
    without being connected. Everyone used SocialBlue today."""
    with committed():
        connect(ana, marco)
        connect(ana, olu)
        follow(follower=priya, followee=ana)
    active(ana, marco, priya, olu)


def test_one_upload_of_several_photos_is_one_added_photos_item(audience, ana, priya, client_for, committed):
    ana_client = client_for(ana)
    album = create_album(ana_client, "Team offsite")

    add_photos(ana_client, committed, album["id"], *some_photos(5))

    [item] = added_photos(client_for(priya))
    assert item["actor"]["username"] == "ana"
    assert item["object"]["album"]["title"] == "Team offsite"
    assert item["object"]["photo_count"] == 5
    previews = item["object"]["photos"]
    assert 1 <= len(previews) < 5  # a few thumbnails, not the whole upload
    assert all(p["urls"]["thumb"] for p in previews)
    assert Activity.objects.filter(verb="added_photos").count() == 1


def test_more_photos_within_the_window_grow_the_same_item(audience, ana, priya, client_for, committed):
    ana_client = client_for(ana)
    album = create_album(ana_client, "Team offsite")
    add_photos(ana_client, committed, album["id"], *some_photos(3))
    [first] = added_photos(client_for(priya))

    # A few minutes later Ana finds two more on her phone.
    add_photos(ana_client, committed, album["id"], *some_photos(2))

    [grown] = added_photos(client_for(priya))
    assert grown["id"] == first["id"]
    assert grown["object"]["photo_count"] == 5
    assert grown["updated_at"] > first["updated_at"]
    assert Activity.objects.filter(verb="added_photos").count() == 1


def test_photos_added_after_the_window_are_a_new_item(audience, ana, priya, client_for, committed, settings):
    ana_client = client_for(ana)
    album = create_album(ana_client, "Team offsite")
    add_photos(ana_client, committed, album["id"], *some_photos(3))
    # The first upload was longer ago than the window.
    PhotoBatch.objects.update(
        updated_at=timezone.now() - timedelta(seconds=settings.FEED_AGGREGATE_WINDOW + 60)
    )

    add_photos(ana_client, committed, album["id"], *some_photos(2))

    items = added_photos(client_for(priya))
    assert [item["object"]["photo_count"] for item in items] == [2, 3]
    assert len({item["id"] for item in items}) == 2


def test_a_connections_album_reaches_connections_and_not_followers(
    audience, ana, marco, priya, client_for, committed, redis_client
):
    build_timeline(marco)
    build_timeline(priya)
    ana_client = client_for(ana)
    album = create_album(ana_client, "Family barbecue", visibility="connections")

    add_photos(ana_client, committed, album["id"], *some_photos(2))

    activity = Activity.objects.get(verb="added_photos")
    assert activity.visibility == "connections"
    assert [i["id"] for i in added_photos(client_for(marco))] == [activity.pk]
    assert added_photos(client_for(priya)) == []
    # The fan-out itself respected the audience: it never reached Priya's timeline.
    assert timeline_score(redis_client, marco, activity.pk) is not None
    assert timeline_score(redis_client, priya, activity.pk) is None


def test_an_alumnus_never_sees_a_company_album_even_as_a_connection(
    audience, ana, olu, priya, client_for, committed
):
    ana_client = client_for(ana)
    album = create_album(ana_client, "Quarterly all-hands", visibility="company")

    add_photos(ana_client, committed, album["id"], *some_photos(2))

    assert len(added_photos(client_for(priya))) == 1
    assert added_photos(client_for(olu)) == []


def test_the_feed_item_follows_the_album_when_its_visibility_changes(
    audience, ana, marco, priya, client_for, committed, redis_client
):
    build_timeline(priya)
    ana_client = client_for(ana)
    album = create_album(ana_client, "Team offsite", visibility="company")
    add_photos(ana_client, committed, album["id"], *some_photos(2))
    activity = Activity.objects.get(verb="added_photos")
    assert len(added_photos(client_for(priya))) == 1

    with committed():
        response = ana_client.patch(album_url(album["id"]), {"visibility": "connections"}, format="json")
    assert response.status_code == 200, response.content
    assert added_photos(client_for(priya)) == []
    assert timeline_score(redis_client, priya, activity.pk) is None
    assert len(added_photos(client_for(marco))) == 1

    with committed():
        ana_client.patch(album_url(album["id"]), {"visibility": "company"}, format="json")
    assert [i["id"] for i in added_photos(client_for(priya))] == [activity.pk]
