"""A post may carry only photos everyone who may see the post may see too: a photo from an
album kept for fewer people is refused when attached (400, ``photos``), and a post that
carries such photos cannot be widened past their albums (400, ``visibility``). The web
composer says the same next to the photos.
"""

import pytest

from feed.models import Post
from tests.photos.stories import POSTS, album_with_photos

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    """Photos are processed for real, into a temporary MEDIA_ROOT."""


def photo_in_album(client, committed, visibility: str, title: str) -> int:
    _album, [photo] = album_with_photos(client, committed, count=1, title=title, visibility=visibility)
    return photo["id"]


def post_with(client, photo_ids, visibility: str):
    return client.post(
        POSTS, {"body": "Look at this", "visibility": visibility, "photos": photo_ids}, format="json"
    )


NARROWER = [
    # (album, post): the album is seen by fewer people than the post.
    ("company", "network"),  # alumni see the post, not the album
    ("connections", "network"),
    ("connections", "company"),  # colleagues who are not her connections
    ("company", "connections"),  # her connections who are alumni
]


@pytest.mark.parametrize(("album", "post"), NARROWER)
def test_a_photo_from_an_album_seen_by_fewer_people_cannot_be_attached(
    ana, client_for, committed, album, post
):
    client = client_for(ana)
    photo = photo_in_album(client, committed, album, title="Family")

    response = post_with(client, [photo], post)

    assert response.status_code == 400, response.content
    [message] = response.json()["photos"]
    assert str(photo) in message and "Family" in message
    assert not Post.objects.exists()


WIDE_ENOUGH = [("network", "company"), ("network", "connections"), ("company", "company")]


@pytest.mark.parametrize(("album", "post"), [*WIDE_ENOUGH, ("connections", "connections")])
def test_a_photo_from_an_album_at_least_as_wide_as_the_post_is_attached(
    ana, client_for, committed, album, post
):
    client = client_for(ana)
    photo = photo_in_album(client, committed, album, title="Team")

    response = post_with(client, [photo], post)

    assert response.status_code == 201, response.content
    assert [p["id"] for p in response.json()["photos"]] == [photo]


def test_one_narrower_photo_refuses_the_whole_post(ana, client_for, committed):
    client = client_for(ana)
    wide = photo_in_album(client, committed, "network", title="Team")
    narrow = photo_in_album(client, committed, "connections", title="Family")

    response = post_with(client, [wide, narrow], "network")

    assert response.status_code == 400, response.content
    assert str(narrow) in response.json()["photos"][0]
    assert not Post.objects.exists()


@pytest.mark.parametrize("wider", ["network", "connections"])
def test_a_post_cannot_be_widened_past_the_albums_of_its_photos(ana, client_for, committed, wider):
    client = client_for(ana)
    photo = photo_in_album(client, committed, "company", title="Roadmap")
    post = post_with(client, [photo], "company").json()

    response = client.patch(f"{POSTS}{post['id']}/", {"visibility": wider}, format="json")

    assert response.status_code == 400, response.content
    assert "Roadmap" in response.json()["visibility"][0]
    assert Post.objects.get(pk=post["id"]).visibility == "company"


def test_a_post_may_be_narrowed_whatever_it_carries(ana, client_for, committed):
    client = client_for(ana)
    photo = photo_in_album(client, committed, "network", title="Team")
    post = post_with(client, [photo], "network").json()

    response = client.patch(f"{POSTS}{post['id']}/", {"visibility": "company"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["visibility"] == "company"


def test_a_post_without_photos_may_be_widened(ana, client_for):
    post = client_for(ana).post(POSTS, {"body": "Hello", "visibility": "company"}, format="json").json()

    response = client_for(ana).patch(f"{POSTS}{post['id']}/", {"visibility": "network"}, format="json")

    assert response.status_code == 200, response.content


def test_the_web_composer_shows_the_refusal_next_to_the_photos(ana, client, client_for, committed):
    photo = photo_in_album(client_for(ana), committed, "connections", title="Family")
    client.force_login(ana.user)

    response = client.post("/posts/", {"body": "Look at this", "visibility": "network", "photos": [photo]})

    assert response.status_code == 400
    page = response.content.decode()
    error = page.split('id="composer-photos-error"', 1)[1].split("</div>", 1)[0]
    assert "Family" in error and "fewer people" in error
    assert not Post.objects.exists()
