"""What a phone puts in a photo stays on the phone: every stored file of a photo (the clean
original, the medium size, the thumbnail) is upright and carries no EXIF, GPS, XMP, comment
or text chunk, only its colour profile. The time it was taken is read before the rest is
dropped.
"""

import pytest
from django.core.files.storage import default_storage

from photos.models import Photo
from tests.images import upload
from tests.photos import files
from tests.photos.conftest import stored_files
from tests.photos.stories import add_photos, create_album, stored_bytes, stored_image

pytestmark = pytest.mark.django_db

RENDITIONS = ("original", "medium", "thumb")


def assert_no_metadata(name: str) -> None:
    """Read the stored file back and find nothing but pixels and a colour profile in it."""
    data = stored_bytes(name)
    for telltale in files.TELLTALES:
        assert telltale not in data, f"{telltale!r} survived in {name}"
    im = stored_image(name)
    assert not im.getexif(), f"EXIF in {name}"
    assert not set(im.info) & {"exif", "xmp", "comment", "XML:com.adobe.xmp"}, (name, set(im.info))
    assert not set(im.info) & set(files.PNG_TEXT), (name, set(im.info))
    assert not getattr(im, "text", {}), f"text chunks in {name}"


def blue_on_top(im) -> bool:
    rgb = im.convert("RGB")
    top = rgb.getpixel((rgb.width // 2, 2))
    bottom = rgb.getpixel((rgb.width // 2, rgb.height - 3))
    return top[2] > 150 and top[0] < 100 and bottom[0] > 150 and bottom[2] < 100


@pytest.fixture
def camera_photo(ana, client_for, committed) -> Photo:
    """Ana uploads a photo straight from her phone, named after her street."""
    client = client_for(ana)
    album = create_album(client)
    [photo] = add_photos(client, committed, album["id"], upload(files.camera_jpeg(), "rua-secreta-12.jpg"))
    assert photo["status"] == "ready", photo
    return Photo.objects.get(pk=photo["id"])


def test_a_photo_taken_with_the_phone_turned_comes_out_upright(camera_photo):
    # 400×200 as stored by the camera, blue on the left: turned 90° clockwise it is 200×400
    # with the blue half on top, in every file.
    assert (camera_photo.width, camera_photo.height) == (200, 400)
    assert stored_image(camera_photo.original).size == (200, 400)
    assert stored_image(camera_photo.medium).size == (200, 400)
    for rendition in RENDITIONS:
        assert blue_on_top(stored_image(getattr(camera_photo, rendition))), rendition


def test_no_gps_exif_xmp_or_comment_survives_in_any_stored_file(camera_photo):
    for rendition in RENDITIONS:
        assert_no_metadata(getattr(camera_photo, rendition))


def test_the_time_taken_is_read_from_exif_before_it_is_stripped(camera_photo, ana, client_for):
    assert camera_photo.taken_at == files.CAMERA_TAKEN
    shown = client_for(ana).get(f"/api/v1/photos/{camera_photo.pk}/").json()
    assert shown["taken_at"] == "2023-05-01T10:20:30Z"


def test_the_colour_profile_is_kept_in_every_stored_file(camera_photo):
    for rendition in RENDITIONS:
        assert stored_image(getattr(camera_photo, rendition)).info.get("icc_profile") == files.srgb_profile()


def test_stored_files_have_random_names_and_the_upload_as_received_is_gone(camera_photo, media_root):
    names = [str(path.relative_to(media_root)) for path in stored_files(media_root)]
    assert sorted(names) == sorted(getattr(camera_photo, r) for r in RENDITIONS)
    assert not any("secreta" in name for name in names)
    assert camera_photo.incoming == ""
    assert not default_storage.listdir("photos/incoming")[1]


@pytest.mark.parametrize(
    ("source", "original_format"),
    [
        (lambda: files.png_with_text(transparent=True), "PNG"),
        (lambda: files.png_with_text(transparent=False), "JPEG"),
        (files.gif_with_comment, "JPEG"),
        (files.webp_with_exif_and_xmp, "JPEG"),
    ],
    ids=["PNG with transparency", "opaque PNG", "GIF", "WebP"],
)
def test_text_chunks_comments_and_exif_of_other_formats_are_dropped_too(
    source, original_format, ana, client_for, committed
):
    client = client_for(ana)
    album = create_album(client)
    [shown] = add_photos(client, committed, album["id"], upload(source(), "image.bin"))
    assert shown["status"] == "ready", shown
    photo = Photo.objects.get(pk=shown["id"])
    assert stored_image(photo.original).format == original_format
    for rendition in RENDITIONS:
        assert_no_metadata(getattr(photo, rendition))


def test_an_upright_jpeg_keeps_its_image_data_and_loses_its_metadata(ana, client_for, committed):
    # Held the right way up (orientation 1), a JPEG needs no decode for its clean original:
    # the metadata segments go and the compressed picture stays byte for byte.
    client = client_for(ana)
    uploaded = files.camera_jpeg(orientation=1, size=(3200, 1600))
    [shown] = add_photos(client, committed, create_album(client)["id"], upload(uploaded, "upright.jpg"))
    photo = Photo.objects.get(pk=shown["id"])
    assert photo.status == "ready" and (photo.width, photo.height) == (3200, 1600)
    scan = uploaded.index(b"\xff\xda")
    assert stored_bytes(photo.original).endswith(uploaded[scan:])
    assert photo.taken_at == files.CAMERA_TAKEN
    for rendition in RENDITIONS:
        assert_no_metadata(getattr(photo, rendition))
        assert stored_image(getattr(photo, rendition)).info.get("icc_profile") == files.srgb_profile()
    assert stored_image(photo.medium).size == (1600, 800)
