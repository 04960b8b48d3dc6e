import pytest
from django.utils import timezone

from photos.models import Photo
from profiles.models import Profile
from profiles.services import follow
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_process_feed_and_media(ana, priya, client_for):
    Profile.objects.update(last_active_at=timezone.now())
    follow(follower=priya, followee=ana)
    client = client_for(ana)
    album = client.post("/api/v1/albums/", {"title": "Team offsite"}, format="json").json()
    response = client.post(
        f"/api/v1/albums/{album['id']}/photos/",
        {
            "image": [
                upload(image_bytes(size=(2000, 1500)), "a.jpg"),
                upload(image_bytes("PNG"), "b.png", "image/png"),
            ]
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content
    assert [p["status"] for p in response.json()] == ["processing", "processing"]
    photos = client.get(f"/api/v1/albums/{album['id']}/photos/").json()["results"]
    assert [p["status"] for p in photos] == ["ready", "ready"], photos
    feed = client_for(priya).get("/api/v1/feed/").json()["results"]
    print(feed)
    assert feed[0]["verb"] == "added_photos"
    media = client_for(priya).get(photos[0]["urls"]["thumb"])
    assert media.status_code == 200
    assert media["Content-Type"] == "image/webp"
    assert Photo.objects.filter(status="ready").count() == 2
