"""The check every uploaded image passes before anything is stored (``socialblue/images.py``):
by content, never by name or header. Pure: ``make test-fast`` runs these without services."""

from io import BytesIO

import pytest
from PIL import Image

from socialblue.images import ImageRejected, check_image, sniff_format, square_thumbnail
from tests.photos import files

pytestmark = pytest.mark.pure

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 10_000_000}


def rejection(data: bytes, **limits) -> tuple[int, str]:
    with pytest.raises(ImageRejected) as rejected:
        check_image(BytesIO(data), **{**LIMITS, **limits})
    return rejected.value.status, rejected.value.code


def test_an_allowed_image_is_known_by_its_first_bytes():
    assert sniff_format(files.camera_jpeg()[:16]) == "JPEG"
    assert sniff_format(files.png_with_text(transparent=False)[:16]) == "PNG"
    assert sniff_format(files.gif_with_comment()[:16]) == "GIF"
    assert sniff_format(files.webp_with_exif_and_xmp()[:16]) == "WEBP"


@pytest.mark.parametrize("kind", sorted(files.NOT_ALLOWED))
def test_anything_else_is_415_whatever_it_is_called(kind):
    assert rejection(files.NOT_ALLOWED[kind]()) == (415, "unsupported_type")


def test_a_file_over_the_byte_limit_is_413_and_an_empty_one_400():
    assert rejection(files.noisy(), max_bytes=1000) == (413, "too_large")
    assert rejection(b"") == (400, "empty")


@pytest.mark.parametrize(
    "liar", [files.png_claiming, files.gif_claiming, files.jpeg_claiming], ids=["png", "gif", "jpeg"]
)
def test_a_header_claiming_too_many_pixels_is_400_before_any_decoding(liar):
    assert rejection(liar(40_000, 40_000)) == (400, "too_many_pixels")


def test_a_decompression_bomb_is_refused_as_too_many_pixels():
    assert rejection(files.decompression_bomb_png()) == (400, "too_many_pixels")


def test_a_truncated_file_is_400_corrupt():
    assert rejection(files.truncated(files.noisy("JPEG"))) == (400, "corrupt")


def test_an_accepted_file_is_handed_back_at_its_start_with_its_format_and_size():
    upload = BytesIO(files.camera_jpeg(size=(400, 200)))

    checked = check_image(upload, **LIMITS)

    assert (checked.format, checked.width, checked.height) == ("JPEG", 400, 200)
    assert upload.tell() == 0


def test_an_avatar_thumbnail_is_an_upright_clean_webp_square():
    upload = BytesIO(files.camera_jpeg(orientation=6, size=(400, 200)))
    checked = check_image(upload, **LIMITS)

    data = square_thumbnail(upload, checked, size=128)

    im = Image.open(BytesIO(data))
    assert (im.format, im.size) == ("WEBP", (128, 128))
    assert not im.getexif()
    assert not any(telltale in data for telltale in files.TELLTALES)
