"""Image files for upload tests, made on the spot with Pillow."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt="JPEG", size=(640, 480), color=(30, 120, 200), **save_args) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_exif(*, orientation: int, gps: bool = True, size=(400, 200)) -> bytes:
    """A wide JPEG whose EXIF says to rotate it, with a GPS position and a camera make."""
    im = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SpyCam"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (38.0, 42.0, 0.0), 3: "W", 4: (9.0, 8.0, 0.0)}
    buffer = BytesIO()
    im.save(buffer, format="JPEG", exif=exif, comment=b"secret comment")
    return buffer.getvalue()
