"""Verbs the photo stories are told with: make an album, add photos to it, look at what was
stored, look at a feed. Everything goes through the API, as a person would act."""

from io import BytesIO

from django.core.files.storage import default_storage
from PIL import Image

from tests.feed.stories import FEED
from tests.images import image_bytes, upload

ALBUMS = "/api/v1/albums/"
POSTS = "/api/v1/posts/"


def album_url(album_id: int) -> str:
    return f"{ALBUMS}{album_id}/"


def album_photos_url(album_id: int) -> str:
    return f"{ALBUMS}{album_id}/photos/"


def photo_url(photo_id: int) -> str:
    return f"/api/v1/photos/{photo_id}/"


def create_album(client, title: str = "Team offsite", visibility: str = "company", **fields) -> dict:
    response = client.post(ALBUMS, {"title": title, "visibility": visibility, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def post_images(client, album_id: int, *parts):
    """Upload ``parts`` (bytes, or ready-made uploads) as ``image`` parts in one request."""
    files = [
        part if hasattr(part, "read") else upload(part, f"IMG_{n:04}.jpg") for n, part in enumerate(parts)
    ]
    return client.post(album_photos_url(album_id), {"image": files}, format="multipart")


def add_photos(client, committed, album_id: int, *parts) -> list[dict]:
    """Upload and let processing run (it starts once the upload commits); returns the photos
    as the API shows them afterwards."""
    with committed():
        response = post_images(client, album_id, *(parts or (image_bytes(),)))
    assert response.status_code == 202, response.content
    ids = [p["id"] for p in response.json()]
    return [client.get(photo_url(pk)).json() for pk in ids]


def album_with_photos(client, committed, count: int = 2, **album_fields) -> tuple[dict, list[dict]]:
    album = create_album(client, **album_fields)
    colours = [(30 + 40 * n, 120, 200) for n in range(count)]
    photos = add_photos(client, committed, album["id"], *(image_bytes(color=c) for c in colours))
    assert all(p["status"] == "ready" for p in photos), photos
    return album, photos


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def stored_image(name: str) -> Image.Image:
    im = Image.open(BytesIO(stored_bytes(name)))
    im.load()
    return im


def feed_items(client, verb: str | None = None) -> list[dict]:
    response = client.get(FEED, {"limit": 50})
    assert response.status_code == 200, response.content
    items = response.json()["results"]
    return [item for item in items if verb is None or item["verb"] == verb]


def added_photos(client) -> list[dict]:
    """The "added photos" items of a person's home feed."""
    return feed_items(client, "added_photos")


def media(client, url: str):
    """GET a media URL; the body is read whole (streamed or not)."""
    response = client.get(url)
    response.body = (
        b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    )
    return response
