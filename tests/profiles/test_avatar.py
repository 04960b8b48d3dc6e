"""Avatars: checked by content, bounded, turned upright, stripped, stored small and square."""

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from profiles.models import Profile
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def put_avatar(client, data, name="me.jpg", content_type="image/jpeg"):
    return client.put("/api/v1/me/avatar/", {"image": upload(data, name, content_type)}, format="multipart")


def test_a_photo_becomes_a_small_square_webp(ana, client_for, settings):
    response = put_avatar(client_for(ana), image_bytes(size=(1200, 800)))
    assert response.status_code == 200
    assert response.json()["avatar"].endswith(".webp")
    ana.refresh_from_db()
    with default_storage.open(ana.avatar.name) as f, Image.open(f) as im:
        assert im.format == "WEBP"
        assert im.size == (settings.AVATAR_SIZE, settings.AVATAR_SIZE)


def test_the_stored_name_is_random_not_the_uploaded_name(ana, client_for):
    put_avatar(client_for(ana), image_bytes(), name="ana-passport-scan.jpg")
    ana.refresh_from_db()
    assert "passport" not in ana.avatar.name


def test_avatar_is_turned_upright_and_stripped_of_metadata(ana, client_for):
    # Orientation 6: the camera was turned; the picture is shown rotated 90°.
    # A 400x200 image, blue on its left half and red on its right...
    im = Image.new("RGB", (400, 200), (200, 40, 40))
    im.paste((20, 20, 220), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (38.0, 42.0, 0.0)}
    buffer = BytesIO()
    im.save(buffer, format="JPEG", exif=exif)
    assert put_avatar(client_for(ana), buffer.getvalue()).status_code == 200
    ana.refresh_from_db()
    with default_storage.open(ana.avatar.name) as f, Image.open(f) as out:
        assert not out.getexif()
        assert "exif" not in out.info and "xmp" not in out.info
        # ... rotated 90° clockwise, the blue stripe is at the top.
        top = out.convert("RGB").getpixel((out.width // 2, 2))
        bottom = out.convert("RGB").getpixel((out.width // 2, out.height - 3))
        assert top[2] > 150 and top[0] < 100
        assert bottom[0] > 150


def test_png_with_transparency_and_gif_are_accepted(ana, client_for):
    rgba = BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(rgba, format="PNG")
    assert put_avatar(client_for(ana), rgba.getvalue(), "a.png", "image/png").status_code == 200
    assert put_avatar(client_for(ana), image_bytes("GIF"), "a.gif", "image/gif").status_code == 200
    assert put_avatar(client_for(ana), image_bytes("WEBP"), "a.webp", "image/webp").status_code == 200


def test_replacing_an_avatar_deletes_the_old_file(
    ana, client_for, _media_in_tmp, django_capture_on_commit_callbacks
):
    client = client_for(ana)
    with django_capture_on_commit_callbacks(execute=True):
        put_avatar(client, image_bytes())
        put_avatar(client, image_bytes(color=(0, 0, 0)))
    assert len(stored_files(_media_in_tmp)) == 1


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.jpg", "image/jpeg"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "x.eps", "image/jpeg"),
        (b"8BPS\x00\x01" + b"\x00" * 64, "x.psd", "image/png"),
        (b"%PDF-1.7\n", "x.jpg", "image/jpeg"),
    ],
    ids=["svg", "eps", "psd", "pdf"],
)
def test_files_that_are_not_allowed_images_are_415(ana, client_for, _media_in_tmp, data, name, content_type):
    response = put_avatar(client_for(ana), data, name, content_type)
    assert response.status_code == 415
    assert "JPEG, PNG, WebP or GIF" in response.json()["detail"]
    assert stored_files(_media_in_tmp) == []


def test_tiff_is_415_even_though_pillow_reads_it(ana, client_for, _media_in_tmp):
    response = put_avatar(client_for(ana), image_bytes("TIFF"), "a.jpg", "image/jpeg")
    assert response.status_code == 415


def test_an_image_over_the_byte_limit_is_413(ana, client_for, settings, _media_in_tmp):
    settings.AVATAR_MAX_BYTES = 10_000
    response = put_avatar(client_for(ana), image_bytes("PNG", size=(400, 400), color=None) + b"\0" * 20_000)
    assert response.status_code == 413
    assert stored_files(_media_in_tmp) == []


def test_an_image_with_too_many_pixels_is_400_before_decoding(ana, client_for, settings, _media_in_tmp):
    settings.AVATAR_MAX_PIXELS = 1_000_000
    # A PNG claiming 20000x20000 compresses to a few hundred kilobytes; it is refused from
    # its header alone.
    response = put_avatar(client_for(ana), image_bytes("PNG", size=(2000, 1000)), "big.png", "image/png")
    assert response.status_code == 400
    assert "pixels" in response.json()["detail"]
    assert stored_files(_media_in_tmp) == []


def test_a_truncated_image_is_400(ana, client_for, _media_in_tmp):
    data = image_bytes("JPEG", size=(800, 600), quality=95)
    response = put_avatar(client_for(ana), data[: len(data) // 2])
    assert response.status_code == 400
    assert "truncated or corrupt" in response.json()["detail"]
    assert stored_files(_media_in_tmp) == []
    assert not Profile.objects.get(pk=ana.pk).avatar


def test_a_corrupt_png_is_400(ana, client_for, _media_in_tmp):
    data = bytearray(image_bytes("PNG", size=(300, 300), color=(1, 2, 3)))
    data[60:80] = b"\xff" * 20
    response = put_avatar(client_for(ana), bytes(data), "a.png", "image/png")
    assert response.status_code == 400


def test_no_file_is_a_field_error(ana, client_for):
    response = client_for(ana).put("/api/v1/me/avatar/", {}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()


def test_a_failed_upload_keeps_the_previous_avatar(ana, client_for):
    client = client_for(ana)
    put_avatar(client, image_bytes())
    ana.refresh_from_db()
    before = ana.avatar.name
    assert put_avatar(client, b"not an image").status_code == 415
    ana.refresh_from_db()
    assert ana.avatar.name == before


def test_an_avatar_can_be_removed(ana, client_for, _media_in_tmp, django_capture_on_commit_callbacks):
    client = client_for(ana)
    with django_capture_on_commit_callbacks(execute=True):
        put_avatar(client, image_bytes())
        assert client.delete("/api/v1/me/avatar/").status_code == 204
    assert client.get("/api/v1/me/").json()["avatar"] is None
    assert stored_files(_media_in_tmp) == []


def test_an_upload_far_over_the_limit_is_cut_off_while_it_arrives(
    ana, client_for, settings, _media_in_tmp, tmp_path
):
    settings.UPLOAD_MAX_FILE_BYTES = 50_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000
    (tmp_path / "spool").mkdir()
    response = put_avatar(client_for(ana), image_bytes("PNG", size=(64, 64)) + b"\0" * 2_000_000)
    assert response.status_code == 413
    assert stored_files(_media_in_tmp) == []
    assert list((tmp_path / "spool").iterdir()) == []


def test_avatars_are_served_where_asked_to_and_nothing_else_under_media(ana, client_for, settings):
    from django.core.files.base import ContentFile
    from django.test import Client

    assert put_avatar(client_for(ana), image_bytes()).status_code == 200
    url = Profile.objects.get(pk=ana.pk).avatar.url
    default_storage.save("photos/secret.jpg", ContentFile(image_bytes()))
    browser = Client()

    settings.SERVE_AVATARS = True
    served = browser.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert browser.get("/media/photos/secret.jpg").status_code == 404
    assert browser.get("/media/avatars/..%2Fphotos%2Fsecret.jpg").status_code == 404

    settings.SERVE_AVATARS = False  # production: the web server serves them
    assert browser.get(url).status_code == 404
