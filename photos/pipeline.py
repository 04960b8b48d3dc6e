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
thumbnail from the medium one. An upright JPEG is not decoded at full size at all (its
original keeps the compressed data); a picture with an alpha channel is resized band by band
(``_resize``). The peak is two decoded copies only where Pillow needs both: turning a rotated
picture upright, and an opaque RGBA picture made RGB for its JPEG original; that is why
``PHOTO_MAX_PIXELS`` defaults to 36 megapixels (about 290 MB at most).
"""

import math
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
        lossless = _upright_jpeg_without_metadata(data) if fmt == "JPEG" and _is_upright(im) else None
        if lossless is not None:
            # The original is the upload's own compressed data: no decode is needed for it,
            # so libjpeg decodes at 1/2, 1/4 or 1/8 scale for the renditions and memory no
            # longer grows with the picture.
            size = im.size
            im.draft("RGB", _fit_within(size, MEDIUM_EDGE))
            im.load()
            return _rendered(im, size=size, icc=icc, taken_at=taken_at, original=(lossless, "jpg"))
        im.load()
        ImageOps.exif_transpose(im, in_place=True)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise BadImage(f"The image could not be decoded ({exc.__class__.__name__}).") from exc
    if im.mode not in ("RGB", "RGBA"):
        has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
    if icc:
        im.info["icc_profile"] = icc
    # Per-band extrema read the picture in place (no copy of its alpha channel).
    alpha = im.mode == "RGBA" and im.getextrema()[3][0] < 255
    if not alpha and im.mode == "RGBA":
        im = im.convert("RGB")
    original = encode_clean(im, fmt="PNG" if alpha else "JPEG", quality=90)
    return _rendered(
        im, size=im.size, icc=icc, taken_at=taken_at, original=(original, "png" if alpha else "jpg")
    )


def _rendered(im: Image.Image, *, size, icc, taken_at, original: tuple[bytes, str]) -> Rendered:
    """The renditions of an upright, decoded picture (possibly decoded at reduced scale;
    ``size`` is the picture's full size)."""
    medium = _resize(im, _fit_within(im.size, MEDIUM_EDGE))
    thumb = ImageOps.fit(medium, (THUMB_SIZE, THUMB_SIZE), method=Image.Resampling.LANCZOS)
    for rendition in (medium, thumb):
        if icc:
            rendition.info["icc_profile"] = icc
    tiny = thumb.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    pixels = list(tiny.get_flattened_data())
    rows = [pixels[y * tiny.width : (y + 1) * tiny.width] for y in range(tiny.height)]
    return Rendered(
        original=original[0],
        original_ext=original[1],
        medium=encode_clean(medium, fmt="WEBP", quality=82),
        thumb=encode_clean(thumb, fmt="WEBP", quality=80),
        width=size[0],
        height=size[1],
        blurhash=blurhash.encode(rows, *BLURHASH_COMPONENTS),
        taken_at=taken_at,
    )


# Output rows resized at a time when a whole-picture resize would copy the picture.
BAND_ROWS = 128


def _resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``im`` resized with Lanczos, in horizontal bands when it has an alpha channel.

    Pillow resizes RGBA through a premultiplied copy of the whole picture (144 MB more at
    36 megapixels). Band by band, each band is cut from the source with the filter's reach
    on both sides and resized with its exact source ``box``, so each output pixel sees the
    same source pixels and weights as in one whole resize, and only one band is copied at a
    time. Other modes resize in one call, with Pillow's reduce path for large shrinks.
    """
    if im.mode != "RGBA" or im.size == size:
        return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    width, height = im.size
    scale = height / size[1]
    reach = math.ceil(3.0 * max(scale, 1.0)) + 2  # Lanczos support is 3 source pixels × scale
    out = Image.new("RGBA", size)
    for top in range(0, size[1], BAND_ROWS):
        bottom = min(size[1], top + BAND_ROWS)
        src_top, src_bottom = top * scale, bottom * scale
        cut_top = max(0, math.floor(src_top) - reach)
        cut_bottom = min(height, math.ceil(src_bottom) + reach)
        band = im.crop((0, cut_top, width, cut_bottom))
        box = (0, src_top - cut_top, width, src_bottom - cut_top)
        out.paste(band.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=box), (0, top))
    return out


def _is_upright(im: Image.Image) -> bool:
    return im.getexif().get(0x0112, 1) == 1


# JPEG segments kept in a lossless original: JFIF (APP0), the ICC profile (APP2) and Adobe's
# colour transform (APP14). Everything else before the image data goes: EXIF and XMP
# (APP1, with GPS), IPTC (APP13), comments (COM) and vendors' blocks.
_KEEP_APP = {0xE0, 0xE2, 0xEE}


def _upright_jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG with its metadata segments removed and its image data untouched, or None if
    its structure is not the plain one this reads (then it is decoded and re-encoded)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [b"\xff\xd8"]
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            return None
        segment = data[pos : pos + 2 + length]
        if marker == 0xDA:  # start of scan: the compressed image follows to the end
            out.append(data[pos:])
            return b"".join(out)
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE) or marker in _KEEP_APP:
            out.append(segment)
        pos += 2 + length
    return None
