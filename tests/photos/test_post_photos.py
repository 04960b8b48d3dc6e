"""A status update may carry up to 10 of its author's ready photos. The post shows them, each
to the viewers who may see the photo's album: the post's audience does not widen the album's.
"""

import pytest

from photos.models import Photo
from profiles.services import follow
from tests.feed.stories import active, connect
from tests.images import image_bytes
from tests.photos.stories import POSTS, add_photos, album_url, album_with_photos, create_album, post_images

pytestmark = pytest.mark.django_db


def post_with_photos(client, photo_ids, body="Great days with the team!", **fields):
    return client.post(POSTS, {"body": body, "photos": photo_ids, **fields}, format="json")


def test_a_post_shows_the_photos_it_carries(ana, priya, client_for, committed):
    _album, photos = album_with_photos(client_for(ana), committed, count=3)
    ids = [photos[2]["id"], photos[0]["id"]]

    response = post_with_photos(client_for(ana), ids)

    assert response.status_code == 201, response.content
    post = client_for(priya).get(f"{POSTS}{response.json()['id']}/").json()
    assert [p["id"] for p in post["photos"]] == ids  # in the order given
    assert all(p["urls"]["thumb"] and p["urls"]["medium"] for p in post["photos"])


def test_the_post_and_its_photos_reach_the_feed(ana, priya, client_for, committed):
    with committed():
        follow(follower=priya, followee=ana)
    active(ana, priya)
    _album, [photo] = album_with_photos(client_for(ana), committed, count=1)

    with committed():
        response = post_with_photos(client_for(ana), [photo["id"]])

    feed = client_for(priya).get("/api/v1/feed/").json()["results"]
    [item] = [i for i in feed if i["verb"] == "posted"]
    assert item["object"]["id"] == response.json()["id"]
    assert [p["id"] for p in item["object"]["post"]["photos"]] == [photo["id"]]


def test_ten_photos_are_allowed_and_eleven_are_400(ana, client_for, committed, settings):
    settings.PHOTO_MAX_FILES = 11
    client = client_for(ana)
    _album, photos = album_with_photos(client, committed, count=11)
    ids = [p["id"] for p in photos]

    assert post_with_photos(client, ids).status_code == 400
    assert post_with_photos(client, ids[:10]).status_code == 201


def test_someone_elses_photo_cannot_be_attached(ana, marco, client_for, committed):
    _album, [marcos] = album_with_photos(client_for(marco), committed, count=1)

    response = post_with_photos(client_for(ana), [marcos["id"]])

    assert response.status_code == 400, response.content
    assert "photos" in response.json()


def test_a_photo_still_processing_cannot_be_attached(ana, client_for):
    client = client_for(ana)
    album = create_album(client)
    # No commit: processing has not run, the photo is still processing.
    [processing] = post_images(client, album["id"], image_bytes()).json()
    assert Photo.objects.get(pk=processing["id"]).status == "processing"

    response = post_with_photos(client, [processing["id"]])

    assert response.status_code == 400, response.content
    assert "photos" in response.json()


def test_a_viewer_who_may_see_the_post_but_not_the_album_does_not_get_that_photo(
    ana, marco, priya, client_for, committed
):
    with committed():
        connect(ana, marco)
    client = client_for(ana)
    _team, [team_photo] = album_with_photos(client, committed, count=1, title="Team", visibility="company")
    family = create_album(client, "Family", visibility="company")
    [family_photo] = add_photos(client, committed, family["id"], image_bytes(color=(250, 200, 10)))

    response = post_with_photos(client, [team_photo["id"], family_photo["id"]], visibility="company")
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    # Later the album is kept for her connections (a post may not carry such a photo when
    # written, but an album can be narrowed afterwards).
    with committed():
        narrowed = client.patch(album_url(family["id"]), {"visibility": "connections"}, format="json")
    assert narrowed.status_code == 200, narrowed.content

    def photos_seen_by(viewer) -> list[int]:
        post = client_for(viewer).get(f"{POSTS}{post_id}/")
        assert post.status_code == 200, post.content
        return [p["id"] for p in post.json()["photos"]]

    assert photos_seen_by(marco) == [team_photo["id"], family_photo["id"]]  # a connection
    assert photos_seen_by(priya) == [team_photo["id"]]  # a colleague: the post, not the family photo


def test_photos_for_posts_go_to_one_album_per_visibility_even_after_it_was_renamed(ana, olu):
    from photos.services import album_update, post_photos_album
    from socialblue.errors import Invalid

    company = post_photos_album(owner=ana, visibility="company")
    album_update(album=company, by=ana, title="Snapshots")

    assert post_photos_album(owner=ana, visibility="company") == company
    network = post_photos_album(owner=ana, visibility="network")
    assert network != company and network.visibility == "network"
    with pytest.raises(Invalid):
        post_photos_album(owner=olu, visibility="company")  # alumni cannot share inside
