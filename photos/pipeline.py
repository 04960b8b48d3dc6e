"""The image pipeline of one uploaded photo: from the file as received to clean files.

Sizes and formats, and why:

* ``original``: the whole picture, upright, every metadata block dropped but the colour
  profile. JPEG at quality 90 when it has no transparency (what cameras produce, and what
  people expect to download), PNG when it has.
* ``medium``: long edge ``MEDIUM_EDGE`` (1600 px: sharp in a lightbox on a laptop, a fraction
  of a camera's file), WebP at quality 82 — about a third smaller than JPEG at the same look,
  with transparency, and every browser we serve reads it.
* ``thumb``: a ``THUMB_SIZE`` square (320 px: a grid cell at twice a phone's density), WebP.

Upright first (EXIF orientation), then nothing of the metadata travels on: Pillow writes only
what it is given, and it is given no EXIF (with GPS), XMP, comments or PNG text.

Bounded: the file was checked before it was stored (``socialblue.images.check_image``: bytes,
pixels from the header, a decode at reduced scale for JPEG). The picture is decoded once, at
most ``PHOTO_MAX_PIXELS``, and turned upright in place; the medium rendition is resized from
it (with ``reducing_gap``, Pillow's reduce path, when the shrink is large enough) and the
thumbnail from the medium one. Peak memory is about two decoded copies (Pillow's rotation
needs both), which is why ``PHOTO_MAX_PIXELS`` defaults to 36 megapixels.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

import blurhash
from PIL import Image, ImageOps

from socialblue.images import ALLOWED_FORMATS, encode_clean, sniff_format

MEDIUM_EDGE = 1600
THUMB_SIZE = 320
BLURHASH_COMPONENTS = (4, 3)


class BadImage(Exception):
    """The file cannot be made into a photo; retrying will not help."""


@dataclass
class Rendered:
    original: bytes
    original_ext: str
    medium: bytes
    thumb: bytes
    width: int
    height: int
    blurhash: str
    taken_at: datetime | None


def _taken_at(im: Image.Image) -> datetime | None:
    exif = im.getexif()
    raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
    if not raw:
        return None
    try:
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _fit_within(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def render(data: bytes) -> Rendered:
    """Every stored file of one photo, from the bytes as uploaded. Raises BadImage."""
    fmt = sniff_format(data[:16])
    if fmt not in ALLOWED_FORMATS:
        raise BadImage("Not a JPEG, PNG, WebP or GIF image.")
    try:
        # One name for the picture throughout, so that no full-size copy outlives its use.
        im = Image.open(BytesIO(data), formats=[fmt])
        taken_at = _taken_at(im)
        icc = im.info.get("icc_profile")
        im.load()
        ImageOps.exif_transpose(im, in_place=True)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise BadImage(f"The image could not be decoded ({exc.__class__.__name__}).") from exc
    if im.mode not in ("RGB", "RGBA"):
        has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
    if icc:
        im.info["icc_profile"] = icc
    alpha = im.mode == "RGBA" and im.getchannel("A").getextrema()[0] < 255
    if not alpha and im.mode == "RGBA":
        im = im.convert("RGB")
    original = encode_clean(im, fmt="PNG" if alpha else "JPEG", quality=90)
    medium = im.resize(_fit_within(im.size, MEDIUM_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = ImageOps.fit(medium, (THUMB_SIZE, THUMB_SIZE), method=Image.Resampling.LANCZOS)
    for rendition in (medium, thumb):
        if icc:
            rendition.info["icc_profile"] = icc
    tiny = thumb.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    pixels = list(tiny.get_flattened_data())
    rows = [pixels[y * tiny.width : (y + 1) * tiny.width] for y in range(tiny.height)]
    return Rendered(
        original=original,
        original_ext="png" if alpha else "jpg",
        medium=encode_clean(medium, fmt="WEBP", quality=82),
        thumb=encode_clean(thumb, fmt="WEBP", quality=80),
        width=im.width,
        height=im.height,
        blurhash=blurhash.encode(rows, *BLURHASH_COMPONENTS),
        taken_at=taken_at,
    )
