"""Uploads are hostile until proven otherwise: every bad upload is refused with its own status
and a JSON reason, before anything is stored: no row, no file under MEDIA_ROOT, and no
temporary file left from spooling the upload to disk. Whole request or nothing: one bad part
refuses the good parts with it.
"""

import time

import pytest

from photos.models import Photo
from tests.images import image_bytes, upload
from tests.photos import files
from tests.photos.conftest import stored_files
from tests.photos.stories import create_album, post_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def album(ana, client_for):
    return create_album(client_for(ana), "Team offsite")


@pytest.fixture
def post_as_ana(ana, client_for, album, upload_tmp):
    """Ana posts parts to her album, with uploads spooled to disk."""
    client = client_for(ana)
    return lambda *parts: post_images(client, album["id"], *parts)


@pytest.fixture
def nothing_left(media_root, upload_tmp):
    """After the test: no photo row, no stored file, no temporary file."""
    yield
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []
    assert list(upload_tmp.iterdir()) == []


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]


def as_jpg(data: bytes):
    """A file named like a photo and sent as one, whatever it really is."""
    return upload(data, "holiday.jpg", "image/jpeg")


def test_more_parts_than_photo_max_files_is_400(post_as_ana, settings, nothing_left):
    settings.PHOTO_MAX_FILES = 3
    response = post_as_ana(*(image_bytes(color=(10 * n, 0, 0)) for n in range(4)))
    assert response.status_code == 400, response.content
    assert "At most 3" in str(response.json())


def test_a_part_over_photo_max_bytes_is_413(post_as_ana, settings, nothing_left):
    settings.PHOTO_MAX_BYTES = 50_000
    refused(post_as_ana(as_jpg(files.noisy(size=(400, 300)))), 413, "too_large")


@pytest.mark.parametrize("kind", sorted(files.NOT_ALLOWED))
def test_a_file_named_jpg_that_is_not_an_allowed_image_is_415(kind, post_as_ana, nothing_left):
    refused(post_as_ana(as_jpg(files.NOT_ALLOWED[kind]())), 415, "unsupported_type")


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(post_as_ana, nothing_left):
    bomb = files.decompression_bomb_png(side=20_000)  # 400 million pixels in ~50 kB
    started = time.monotonic()
    response = post_as_ana(as_jpg(bomb))
    elapsed = time.monotonic() - started
    refused(response, 400, "too_many_pixels")
    # Decoding it would take gigabytes and many seconds; reading a header takes nothing.
    assert elapsed < 2, f"took {elapsed:.1f}s: was the bomb decoded?"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    "liar",
    [
        lambda: files.png_claiming(100_000, 100_000),
        lambda: files.gif_claiming(65_535, 65_535),
        lambda: files.jpeg_claiming(65_500, 65_500),
        lambda: files.png_claiming(8_000, 6_000),  # just past PHOTO_MAX_PIXELS
    ],
    ids=["PNG 100000x100000", "GIF 65535x65535", "JPEG 65500x65500", "PNG 8000x6000"],
)
def test_a_file_whose_header_claims_too_many_pixels_is_400(liar, post_as_ana, nothing_left):
    refused(post_as_ana(as_jpg(liar())), 400, "too_many_pixels")


def test_the_pixel_limit_is_the_setting(post_as_ana, settings, nothing_left):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    refused(post_as_ana(as_jpg(image_bytes(size=(1200, 1000)))), 400, "too_many_pixels")


@pytest.mark.parametrize("kind", list(files.BROKEN))
def test_a_truncated_or_corrupt_file_is_400(kind, post_as_ana, nothing_left):
    response = post_as_ana(as_jpg(files.BROKEN[kind]()))
    refused(response, 400, "empty" if kind == "empty file" else "corrupt")


def test_one_bad_part_refuses_the_good_parts_with_it(post_as_ana, nothing_left):
    good = [files.noisy(size=(300, 200)), files.noisy("PNG", size=(300, 200))]
    refused(post_as_ana(*good, as_jpg(files.NOT_ALLOWED["svg"]())), 415, "unsupported_type")


def test_an_upload_with_no_image_part_is_400(ana, client_for, album, nothing_left):
    response = client_for(ana).post(
        f"/api/v1/albums/{album['id']}/photos/", {"caption": "forgot the file"}, format="multipart"
    )
    assert response.status_code == 400, response.content


def test_content_decides_not_name_or_header(post_as_ana, upload_tmp):
    # A PNG sent as "notes.txt", text/plain, is a PNG: accepted, and stored as one.
    response = post_as_ana(upload(files.noisy("PNG", size=(300, 200)), "notes.txt", "text/plain"))
    assert response.status_code == 202, response.content
    photo = Photo.objects.get()
    assert photo.incoming.endswith(".png")
    assert "notes" not in photo.incoming
    # Accepted or not, the spooled upload does not stay behind.
    assert list(upload_tmp.iterdir()) == []


def test_others_may_not_add_photos_403_if_they_see_the_album_404_if_not(
    priya, olu, client_for, album, upload_tmp, nothing_left
):
    assert post_images(client_for(priya), album["id"], image_bytes()).status_code == 403
    assert post_images(client_for(olu), album["id"], image_bytes()).status_code == 404


def test_a_request_with_more_parts_than_django_reads_is_a_json_400(ana, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    album = client_for(ana).post("/api/v1/albums/", {"title": "Many"}, format="json").json()
    parts = [upload(image_bytes(size=(8, 8)), f"{i}.jpg") for i in range(5)]
    response = client_for(ana).post(
        f"/api/v1/albums/{album['id']}/photos/", {"image": parts}, format="multipart"
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Photo.objects.exists()
