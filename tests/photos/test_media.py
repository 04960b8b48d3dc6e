"""Media files are served only to people who may see the album, right now: with the content
type of the stored format and headers that keep browsers from sniffing, scripting or sharing
the file in a cache; a 404 for everyone else, also for a URL they saved while they could
still see the album.
"""

from io import BytesIO

import pytest
from PIL import Image

from photos.models import Photo
from profiles.models import Profile
from profiles.services import connection_remove
from tests.feed.stories import connect
from tests.images import upload
from tests.photos import files
from tests.photos.stories import add_photos, album_with_photos, create_album, media

pytestmark = pytest.mark.django_db

CONTENT_TYPES = {"thumb": "image/webp", "medium": "image/webp", "original": "image/jpeg"}


def assert_private_image(response, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "private" in response["Cache-Control"]


@pytest.fixture
def company_photo(ana, client_for, committed) -> dict:
    _album, [photo, _other] = album_with_photos(client_for(ana), committed, visibility="company")
    return photo


@pytest.fixture
def connections_photo(ana, marco, client_for, committed) -> dict:
    with committed():
        connect(ana, marco)
    _album, [photo, _other] = album_with_photos(
        client_for(ana), committed, title="Family barbecue", visibility="connections"
    )
    return photo


@pytest.mark.parametrize("rendition", ["thumb", "medium", "original"])
def test_a_colleague_gets_each_file_with_its_type_and_safe_headers(
    rendition, company_photo, priya, client_for
):
    response = media(client_for(priya), company_photo["urls"][rendition])

    assert_private_image(response, CONTENT_TYPES[rendition])
    assert Image.open(BytesIO(response.body)).format == CONTENT_TYPES[rendition].split("/")[1].upper()


def test_a_transparent_png_original_is_served_as_png(ana, priya, client_for, committed):
    client = client_for(ana)
    album = create_album(client)
    [photo] = add_photos(
        client, committed, album["id"], upload(files.png_with_text(transparent=True), "a.png")
    )

    response = media(client_for(priya), photo["urls"]["original"])

    assert_private_image(response, "image/png")
    assert Image.open(BytesIO(response.body)).format == "PNG"


def test_connections_get_the_files_of_a_connections_album(connections_photo, marco, client_for):
    assert_private_image(media(client_for(marco), connections_photo["urls"]["thumb"]), "image/webp")


@pytest.mark.parametrize("rendition", ["thumb", "medium", "original"])
def test_a_stranger_gets_404_for_a_connections_album(rendition, connections_photo, priya, client_for):
    assert media(client_for(priya), connections_photo["urls"][rendition]).status_code == 404


@pytest.mark.parametrize("rendition", ["thumb", "medium", "original"])
def test_an_alumnus_gets_404_for_a_company_album(rendition, company_photo, olu, client_for):
    assert media(client_for(olu), company_photo["urls"][rendition]).status_code == 404


def test_nobody_signed_out_gets_a_file(company_photo, anon):
    assert media(anon, company_photo["urls"]["thumb"]).status_code == 401


def test_a_url_saved_while_allowed_stops_working_when_its_holder_leaves_the_company(
    company_photo, marco, client_for
):
    saved = company_photo["urls"]["medium"]
    assert media(client_for(marco), saved).status_code == 200

    Profile.objects.filter(pk=marco.pk).update(status="alumnus")  # offboarded

    assert media(client_for(marco), saved).status_code == 404


def test_a_url_saved_while_connected_stops_working_when_the_connection_ends(
    connections_photo, ana, marco, client_for, committed
):
    saved = connections_photo["urls"]["original"]
    assert media(client_for(marco), saved).status_code == 200

    with committed():
        connection_remove(profile=ana, other=marco)

    assert media(client_for(marco), saved).status_code == 404


def test_a_photo_still_processing_has_no_files_to_serve(ana, client_for, company_photo):
    Photo.objects.filter(pk=company_photo["id"]).update(status=Photo.Status.PROCESSING, thumb="")
    assert media(client_for(ana), company_photo["urls"]["thumb"]).status_code == 404


def test_an_unknown_rendition_is_404(company_photo, ana, client_for):
    url = company_photo["urls"]["thumb"].replace("/thumb/", "/incoming/")
    assert media(client_for(ana), url).status_code == 404


def test_with_accel_delivery_nginx_sends_the_file_after_the_check(
    company_photo, priya, olu, client_for, settings
):
    settings.PHOTO_MEDIA_DELIVERY = "accel"
    settings.PHOTO_ACCEL_PREFIX = "/protected-media/"
    stored = Photo.objects.get(pk=company_photo["id"]).medium

    response = media(client_for(priya), company_photo["urls"]["medium"])

    assert_private_image(response, "image/webp")
    assert response.body == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored
    assert media(client_for(olu), company_photo["urls"]["medium"]).status_code == 404
