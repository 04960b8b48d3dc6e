"""Bad input is a clear 4xx, never a 500: what fuzzing the API found, one story each.

Every whole number a client sends is bounded by the range its use can hold
(``socialblue/fields.py``): ids by PostgreSQL's bigint, positions by its integer, pages by
PAGE_MAX. A URL carrying a NUL is refused before it reaches a query, a path that names
nothing is a JSON 404 in the API, and an avatar's name is a file's name, never a folder's.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from socialblue.fields import ID_MAX, INT_MAX, PAGE_MAX
from tests.factories import make_person
from tests.images import image_bytes
from tests.photos.stories import album_with_photos, create_album, photo_url

pytestmark = pytest.mark.django_db

TOO_BIG = 99999999999999999999999  # past bigint, as the fuzzer sent it


@pytest.fixture(autouse=True)
def _real_backends(media_root, fresh_timelines, eager_tasks):
    """Files in a temporary MEDIA_ROOT, real Redis timelines, tasks run when sent."""


@pytest.fixture
def as_ana(ana, client_for):
    return client_for(ana)


@pytest.fixture
def browser(ana):
    client = Client()
    client.force_login(ana.user)
    return client


def field_error(response, name: str) -> list:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()[name]


# --- Pages ----------------------------------------------------------------------------------


def test_a_page_number_past_any_database_integer_is_a_400(as_ana):
    response = as_ana.get(f"/api/v1/profiles/?page={TOO_BIG}")
    assert field_error(response, "page") == [f"A whole number from 1 to {PAGE_MAX} is expected."]


def test_a_negative_page_is_a_400(as_ana, marco):
    assert field_error(as_ana.get("/api/v1/profiles/marco/followers/?page=-342"), "page")
    assert field_error(as_ana.get("/api/v1/profiles/?page=0"), "page")


def test_a_page_past_the_end_is_empty_and_a_page_past_the_deepest_is_a_400(as_ana):
    past_the_end = as_ana.get(f"/api/v1/profiles/?page={PAGE_MAX}")
    assert past_the_end.status_code == 200
    assert past_the_end.json()["results"] == [] and past_the_end.json()["next"] is None
    assert field_error(as_ana.get("/api/v1/profiles/?page=94099"), "page")


def test_a_page_is_written_in_plain_digits(as_ana):
    for page in ["1.5", "1e3", "²", "+2", "0x10"]:
        assert field_error(as_ana.get("/api/v1/notifications/", {"page": page}), "page"), page
    assert as_ana.get("/api/v1/notifications/", {"page": ""}).status_code == 200


def test_a_limit_past_any_database_integer_is_a_400(as_ana):
    assert field_error(as_ana.get(f"/api/v1/feed/?limit={TOO_BIG}"), "limit")
    assert field_error(as_ana.get(f"/api/v1/notifications/?limit={TOO_BIG}"), "limit")


# --- Ids in queries and bodies ---------------------------------------------------------------


def test_a_feed_cursor_past_bigint_is_a_400(as_ana):
    assert field_error(as_ana.get(f"/api/v1/feed/?cursor={TOO_BIG}"), "cursor") == [
        "A cursor is the id of the last item seen."
    ]
    assert as_ana.get(f"/api/v1/feed/?cursor={ID_MAX}").status_code == 200


def test_photo_ids_past_bigint_in_a_new_post_are_a_400(as_ana):
    for huge in (1e25, 10**25, ID_MAX + 1):
        response = as_ana.post("/api/v1/posts/", {"body": "Look!", "photos": [huge]}, format="json")
        assert field_error(response, "photos"), huge


def test_marking_notifications_read_up_to_an_id_past_bigint_is_a_400(as_ana):
    for huge in (1e25, 10**25):
        response = as_ana.post("/api/v1/notifications/read/", {"up_to": huge}, format="json")
        assert field_error(response, "up_to"), huge


def test_a_photo_position_past_int_is_a_400(as_ana, committed):
    _, photos = album_with_photos(as_ana, committed, count=1)
    for huge in (1e25, 10**25, INT_MAX + 1):
        response = as_ana.patch(photo_url(photos[0]["id"]), {"position": huge}, format="json")
        assert field_error(response, "position"), huge


def test_an_album_cover_or_order_past_bigint_is_a_400(as_ana):
    album = create_album(as_ana)
    url = f"/api/v1/albums/{album['id']}/"
    assert field_error(as_ana.patch(url, {"cover": 10**25}, format="json"), "cover")
    assert field_error(as_ana.patch(url, {"photo_order": [10**25]}, format="json"), "photo_order")


# --- Paths ----------------------------------------------------------------------------------


def test_an_api_path_that_names_nothing_is_a_json_404(as_ana):
    for path in ["/api/v1/posts/-1/", "/api/v1/albums/x/", "/api/v1/nothing-here/"]:
        response = as_ana.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_id_past_bigint_in_a_path_is_a_404(as_ana):
    response = as_ana.get(f"/api/v1/posts/{TOO_BIG}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_non_ascii_username_in_a_path_is_found_or_a_json_404(as_ana):
    missing = as_ana.get("/api/v1/profiles/ÓÏñ/posts/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    make_person("ÓÏñ")
    assert as_ana.get("/api/v1/profiles/ÓÏñ/posts/").status_code == 200


def test_a_nul_in_an_api_path_or_query_is_a_400(as_ana):
    for url in [
        "/api/v1/profiles/ana%00/",
        "/api/v1/profiles/?q=%00",
        "/api/v1/me/export/1/download/?x%00=1",
    ]:
        response = as_ana.get(url)
        assert response.status_code == 400, url
        assert response.json() == {"detail": "A URL cannot contain a NUL character.", "code": "bad_request"}


# --- Avatars --------------------------------------------------------------------------------


def test_an_avatar_name_that_names_a_folder_is_a_404(ana, settings):
    settings.SERVE_AVATARS = True
    name = default_storage.save("avatars/a1b2c3.webp", ContentFile(image_bytes(fmt="WEBP")))
    browser = Client()
    assert browser.get(f"/media/{name}").status_code == 200
    for path in ["/media/avatars/..", "/media/avatars/.", "/media/avatars/%2e%2e", "/media/avatars/.webp"]:
        assert browser.get(path).status_code == 404, path


# --- The web pages take the same parameters -------------------------------------------------


def test_a_web_page_refuses_a_page_that_is_not_one(browser):
    assert browser.get("/people/?page=2").status_code == 200
    for page in ["-3", TOO_BIG, PAGE_MAX + 1, "x"]:
        assert browser.get("/people/", {"page": page}).status_code == 400, page


def test_a_nul_in_a_web_page_url_is_a_400(browser):
    for url in ["/people/?q=%00", "/people/ana%00/", "/alumni/?q=%00"]:
        assert browser.get(url).status_code == 400, url


def test_web_ids_that_are_not_ids_select_nothing(browser, as_ana):
    album = create_album(as_ana)
    # A cursor in another script's digits starts the feed from the top.
    assert browser.get("/", {"cursor": "²"}).status_code == 200
    response = browser.get("/photos/attach/", {"album": album["id"], "ids": [TOO_BIG, "²", "-1"]})
    assert response.status_code == 200
    assert browser.get("/feed/more/", {"cursor": TOO_BIG}).status_code == 400
    assert browser.get("/feed/new/", {"after": TOO_BIG}).status_code == 400
