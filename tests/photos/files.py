"""The files people upload in the photo stories, made on the spot: a camera's JPEG full of
metadata, hostile files that pretend to be photos, bombs, liars, broken files.

Everything is generated here with Pillow or written byte by byte; nothing is checked in.
"""

import os
import random
import struct
import zlib
from datetime import UTC, datetime
from functools import cache
from io import BytesIO

from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

BLUE = (20, 20, 220)
RED = (200, 40, 40)

# What a phone writes into a photo, and what must never leave the server.
CAMERA_MAKE = "SpyCam Industries"
CAMERA_TAKEN = datetime(2023, 5, 1, 10, 20, 30, tzinfo=UTC)
COMMENT = b"Taken at home: 12 Rua Secreta, Lisbon"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Secret City"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
PNG_TEXT = {"Comment": "Taken at home: 12 Rua Secreta", "Author": "Ana's phone"}
# Bytes that betray one of the blocks above if any of them survives in a stored file.
TELLTALES = (b"Rua Secreta", b"SpyCam", b"Secret City", b"xmpmeta", b"Ana's phone")


@cache
def srgb_profile() -> bytes:
    """An sRGB colour profile, made once: its header records the second it was created."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def blue_left_red_right(size=(400, 200), mode="RGB") -> Image.Image:
    """Blue on the left half, red on the right: which way is up can be read from pixels."""
    width, height = size
    im = Image.new(mode, size, RED if mode == "RGB" else (*RED, 255))
    im.paste(BLUE if mode == "RGB" else (*BLUE, 255), (0, 0, width // 2, height))
    return im


def camera_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: the camera, when, where (GPS) and which way it was held."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: 6 = the camera was turned 90° clockwise
    exif[0x010F] = CAMERA_MAKE  # Make
    exif.get_ifd(0x8769)[0x9003] = CAMERA_TAKEN.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    exif.get_ifd(0x8825).update(  # GPS: somewhere in Lisbon
        {1: "N", 2: (38.0, 42.0, 49.0), 3: "W", 4: (9.0, 8.0, 21.0)}
    )
    return exif


def camera_jpeg(orientation: int = 6, size=(400, 200)) -> bytes:
    """A picture taken with the phone turned (orientation 6) unless told otherwise, with GPS,
    a camera make, the time taken, a JPEG comment, XMP and an sRGB colour profile."""
    buffer = BytesIO()
    blue_left_red_right(size).save(
        buffer,
        format="JPEG",
        exif=camera_exif(orientation),
        comment=COMMENT,
        xmp=XMP,
        icc_profile=srgb_profile(),
    )
    return buffer.getvalue()


def png_with_text(*, transparent: bool) -> bytes:
    """A PNG with text chunks (tEXt and iTXt) and an sRGB profile; with real transparency
    if asked, so that its clean original stays a PNG."""
    info = PngInfo()
    for key, value in PNG_TEXT.items():
        info.add_text(key, value)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    im = blue_left_red_right(mode="RGBA" if transparent else "RGB")
    if transparent:
        im.putpixel((0, 0), (0, 0, 0, 0))
    buffer = BytesIO()
    im.save(buffer, format="PNG", pnginfo=info, icc_profile=srgb_profile())
    return buffer.getvalue()


def gif_with_comment() -> bytes:
    buffer = BytesIO()
    blue_left_red_right().convert("P").save(buffer, format="GIF", comment=COMMENT)
    return buffer.getvalue()


def webp_with_exif_and_xmp() -> bytes:
    buffer = BytesIO()
    blue_left_red_right().save(
        buffer, format="WEBP", exif=camera_exif(orientation=1), xmp=XMP, icc_profile=srgb_profile()
    )
    return buffer.getvalue()


def noisy(fmt: str = "JPEG", size=(640, 480), **save_args) -> bytes:
    """A picture of random noise: it barely compresses, so its bytes are mostly pixel data."""
    width, height = size
    buffer = BytesIO()
    Image.frombytes("RGB", size, os.urandom(width * height * 3)).save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


# --- Liars and bombs ------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, compressed_rows: bytes, *, bit_depth: int = 1) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)  # greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", compressed_rows)
        + _png_chunk(b"IEND", b"")
    )


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A real, complete PNG of side×side black pixels (400 million at the default): about
    fifty kilobytes on the wire, gigabytes once decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + one bit per pixel
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return _png(side, side, rows)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height but which holds a single row of data."""
    return _png(width, height, zlib.compress(b"\x00" * (1 + (width + 7) // 8)))


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and only frame claim width×height, with almost no data."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x4c\x01\x00"
    return b"GIF89a" + screen + frame + b";"


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) was rewritten to claim width×height."""
    data = bytearray(_plain_jpeg())
    sof = data.index(b"\xff\xc0")
    # FFC0, length (2), precision (1), then height and width (2 bytes each).
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _plain_jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (16, 16), BLUE).save(buffer, format="JPEG")
    return buffer.getvalue()


# --- Not images at all (each would be uploaded as "holiday.jpg", image/jpeg) ----------------


def _pillow(fmt: str, **save_args) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (64, 64), BLUE).save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


NOT_ALLOWED = {
    "svg": lambda: (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        b"<script>fetch('/api/v1/me/').then(r => r.text()).then(alert)</script></svg>"
    ),
    "html": lambda: b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
    "tiff": lambda: _pillow("TIFF"),
    "pdf": lambda: _pillow("PDF"),
    "eps": lambda: _pillow("EPS"),
    # Photoshop: Pillow reads PSD but cannot write it; its signature is what matters.
    "psd": lambda: b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 64, 64, 8, 3) + b"\x00" * 64,
    "bmp": lambda: _pillow("BMP"),
}


# --- Broken files ---------------------------------------------------------------------------


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first part of a file, as a dropped connection leaves it."""
    return data[: int(len(data) * keep)]


def garbage(n: int = 4000) -> bytes:
    """The same noise every run, so a broken file is broken the same way each time."""
    return random.Random(4).randbytes(n)


BROKEN = {
    "truncated JPEG": lambda: truncated(noisy("JPEG")),
    "truncated PNG": lambda: truncated(noisy("PNG")),
    "truncated WebP": lambda: truncated(noisy("WEBP")),
    "JPEG signature then garbage": lambda: b"\xff\xd8\xff\xe0" + garbage(),
    "PNG signature then garbage": lambda: b"\x89PNG\r\n\x1a\n" + garbage(),
    "truncated GIF": lambda: truncated(noisy("GIF")),
    "GIF frame of garbage": lambda: (
        b"GIF89a"
        + struct.pack("<HHBBB", 64, 64, 0, 0, 0)
        + b","
        + struct.pack("<HHHHB", 0, 0, 64, 64, 0)
        + b"\x08"
        + garbage()
    ),
    "empty file": lambda: b"",
}
