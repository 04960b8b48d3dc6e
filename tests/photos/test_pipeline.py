"""The image pipeline on its own (``photos/pipeline.py``): bytes in, the stored files out.

No database, broker or storage: these are the pure tests ``make test-fast`` runs. The upload
stories in this folder show the same pipeline behind the API and the worker.
"""

from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageDraw

from photos.pipeline import MEDIUM_EDGE, THUMB_SIZE, BadImage, _resize, render
from tests.photos import files

pytestmark = pytest.mark.pure


def opened(data: bytes) -> Image.Image:
    im = Image.open(BytesIO(data))
    im.load()
    return im


def renditions(rendered) -> dict[str, bytes]:
    return {"original": rendered.original, "medium": rendered.medium, "thumb": rendered.thumb}


def blue_on_top(im: Image.Image) -> bool:
    rgb = im.convert("RGB")
    top = rgb.getpixel((rgb.width // 2, 2))
    bottom = rgb.getpixel((rgb.width // 2, rgb.height - 3))
    return top[2] > 150 and top[0] < 100 and bottom[0] > 150 and bottom[2] < 100


def test_a_phone_photo_comes_out_upright_with_nothing_but_its_colour_profile():
    rendered = render(files.camera_jpeg(orientation=6, size=(400, 200)))

    # Held turned, the 400×200 picture is 200×400 upright, blue on top.
    assert (rendered.width, rendered.height) == (200, 400)
    assert rendered.taken_at == files.CAMERA_TAKEN  # read before the EXIF was dropped
    for name, data in renditions(rendered).items():
        for telltale in files.TELLTALES:
            assert telltale not in data, f"{telltale!r} survived in {name}"
        im = opened(data)
        assert blue_on_top(im), name
        assert not im.getexif(), name
        assert im.info.get("icc_profile") == files.srgb_profile(), name


def test_the_sizes_and_formats_are_a_jpeg_original_a_webp_medium_and_a_square_webp_thumbnail():
    rendered = render(files.noisy("JPEG", size=(2400, 1200)))

    assert (rendered.original_ext, opened(rendered.original).format) == ("jpg", "JPEG")
    assert opened(rendered.original).size == (2400, 1200)
    medium, thumb = opened(rendered.medium), opened(rendered.thumb)
    assert (medium.format, medium.size) == ("WEBP", (MEDIUM_EDGE, MEDIUM_EDGE // 2))
    assert (thumb.format, thumb.size) == ("WEBP", (THUMB_SIZE, THUMB_SIZE))
    assert len(rendered.blurhash) > 6


def test_an_upright_jpeg_keeps_its_compressed_image_data_and_loses_its_metadata():
    upload = files.camera_jpeg(orientation=1)

    rendered = render(upload)

    scan = upload.index(b"\xff\xda")  # start of scan: the compressed picture to the end
    assert rendered.original.endswith(upload[scan:])
    assert not any(telltale in rendered.original for telltale in files.TELLTALES)


def test_a_picture_with_transparency_keeps_it_in_a_png_original():
    rendered = render(files.png_with_text(transparent=True))

    assert rendered.original_ext == "png"
    original = opened(rendered.original)
    assert original.mode == "RGBA" and original.getpixel((0, 0))[3] == 0
    assert not getattr(original, "text", {})


def test_an_opaque_png_becomes_a_jpeg_original():
    assert render(files.png_with_text(transparent=False)).original_ext == "jpg"


@pytest.mark.parametrize(
    "data",
    [files.garbage(), files.truncated(files.noisy("PNG")), files.NOT_ALLOWED["tiff"]()],
    ids=["garbage", "truncated png", "tiff"],
)
def test_a_file_that_is_not_a_whole_allowed_image_is_a_bad_image(data):
    with pytest.raises(BadImage):
        render(data)


def test_a_transparent_picture_resized_band_by_band_matches_one_whole_resize():
    """A picture with an alpha channel is resized in bands so that its processing does not
    hold a second full-size copy; every output pixel comes out as a single resize makes it
    (compared premultiplied: the colour of a nearly transparent pixel carries no weight)."""
    picture = Image.linear_gradient("L").resize((1900, 1500)).convert("RGBA")
    draw = ImageDraw.Draw(picture)
    for x in range(0, 1900, 37):
        draw.line((x, 0, 1900 - x, 1500), fill=(x % 255, 80, 200, (x * 7) % 256), width=5)
    for size in ((1600, 1263), (400, 316), (320, 252)):
        banded = _resize(picture, size)
        whole = picture.resize(size, Image.Resampling.LANCZOS)
        assert banded.size == size and banded.mode == "RGBA"
        difference = ImageChops.difference(banded.convert("RGBa"), whole.convert("RGBa"))
        assert max(high for _low, high in difference.getextrema()) <= 2, size
