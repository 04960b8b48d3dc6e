"""Uploaded images are hostile input until proven otherwise.

One place checks every uploaded image (avatars, album photos) by its content, before
anything is stored:

1. size in bytes, from the upload itself (413);
2. the format, from the file's first bytes, not its name or Content-Type (415). Only JPEG,
   PNG, WebP and GIF: never SVG, EPS, PSD, TIFF or anything Pillow would hand to an outside
   program;
3. the pixel count, from the header, before any decoding (400);
4. a full decode, which finds truncated or corrupt files (400).

It also holds the cleaning steps every stored image goes through: turned upright from its
EXIF orientation, all metadata dropped (EXIF with GPS, XMP, comments, PNG text chunks),
the colour profile kept.
"""

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps

# Pillow is told to open only these formats, whatever the file claims to be.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)


class ImageRejected(Exception):
    """An upload that is not accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, detail: str, *, status: int, code: str):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.code = code


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The image format that ``head`` (the first bytes of a file) starts with, if allowed."""
    for signature, fmt in _SIGNATURES:
        if head.startswith(signature):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_image(upload, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """Check an uploaded file (anything with ``size``, ``seek`` and ``read``).

    Raises :class:`ImageRejected` with 413, 415 or 400; leaves the file at position 0.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > max_bytes:
        raise ImageRejected(
            f"The image is {size} bytes; the limit is {max_bytes} bytes.", status=413, code="too_large"
        )
    if size == 0:
        raise ImageRejected("The file is empty.", status=400, code="empty")
    upload.seek(0)
    fmt = sniff_format(upload.read(16))
    upload.seek(0)
    if fmt is None:
        raise ImageRejected(
            "This file is not a JPEG, PNG, WebP or GIF image.", status=415, code="unsupported_type"
        )
    try:
        with Image.open(upload, formats=[fmt]) as im:
            width, height = im.size
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image is {width}×{height} pixels; the limit is {max_pixels} pixels.",
                    status=400,
                    code="too_many_pixels",
                )
            if fmt == "JPEG":
                # Decoding at a reduced scale still reads every byte of the stream, so a
                # truncated file is found without paying for a full-size decode.
                im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            im.load()
    except ImageRejected:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses at open, from the header, past twice Image.MAX_IMAGE_PIXELS: the same
        # "too many pixels" as our own check, not a corrupt file.
        raise ImageRejected(
            f"The image has more pixels than the limit of {max_pixels} pixels.",
            status=400,
            code="too_many_pixels",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            "The image is truncated or corrupt and cannot be read.", status=400, code="corrupt"
        ) from exc
    finally:
        upload.seek(0)
    return CheckedImage(format=fmt, width=width, height=height)


def open_checked(upload, checked: CheckedImage) -> Image.Image:
    """Open a file that :func:`check_image` accepted, restricted to its sniffed format."""
    upload.seek(0)
    return Image.open(upload, formats=[checked.format])


def upright(im: Image.Image) -> Image.Image:
    """Turn the image as its EXIF orientation says (the orientation tag is then dropped)."""
    return ImageOps.exif_transpose(im)


def encode_clean(im: Image.Image, *, fmt: str = "WEBP", quality: int = 85) -> bytes:
    """Encode ``im`` with no metadata at all except its ICC colour profile.

    Only ``params`` reach the file: no ``exif``, ``xmp`` or ``pnginfo`` is passed, and the
    picture's own ``info`` (what was read from the upload) is hidden while it is written,
    because Pillow's JPEG writer copies a ``comment`` from ``info`` when none is given.
    That drops EXIF (with GPS), XMP, comments and text chunks.
    """
    icc = im.info.get("icc_profile")
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if "transparency" in im.info or im.mode in ("LA", "PA") else "RGB")
    if fmt == "JPEG" and im.mode == "RGBA":
        background = Image.new("RGB", im.size, "white")
        background.paste(im, mask=im.getchannel("A"))
        im = background
    out = BytesIO()
    params: dict = {"quality": quality}
    if icc:
        params["icc_profile"] = icc
    if fmt == "WEBP":
        params["method"] = 4
    read_info, im.info = im.info, {}
    try:
        im.save(out, format=fmt, **params)
    finally:
        im.info = read_info
    return out.getvalue()


def square_thumbnail(upload, checked: CheckedImage, *, size: int) -> bytes:
    """A clean, upright ``size``×``size`` WebP of the centre of the image.

    WebP: about a third smaller than JPEG at the same quality, keeps transparency, and every
    browser we serve shows it.
    """
    with open_checked(upload, checked) as im:
        if checked.format == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is small anyway.
            im.draft("RGB", (size * 2, size * 2))
        icc = im.info.get("icc_profile")
        im = upright(im)
        im = ImageOps.fit(
            im.convert("RGBA") if im.mode in ("P", "LA", "PA") else im,
            (size, size),
            method=Image.Resampling.LANCZOS,
        )
        if icc:
            im.info["icc_profile"] = icc
        return encode_clean(im, fmt="WEBP")
