"""Albums on the web pages: Ana makes an album, adds photos (one request per file, as the
uploader script sends them, or several in one plain form), describes them, orders them,
picks a cover, changes who may see the album and deletes what she no longer wants. Others
see the grid only, and an album they may not see is a 404. Every page costs the same number
of queries however many albums or photos it shows.

Uploads are processed for real (eager Celery tasks, a temporary MEDIA_ROOT) once the
request's transaction commits (``committed()``).
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from photos import services
from photos.models import Album, Photo
from tests.feed.stories import connect
from tests.images import image_bytes, upload
from tests.photos import files
from tests.photos.conftest import stored_files

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _photo_state(media_root, fresh_timelines, eager_tasks):
    """Stored files in a temporary MEDIA_ROOT; photo processing runs inline."""


def url(name: str, *args) -> str:
    return reverse(f"frontend:{name}", args=args)


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def photo(n: int = 0, size=(96, 64)) -> object:
    return upload(image_bytes(size=size, color=(30 + 20 * n, 120, 200)), f"IMG_{n:04}.jpg")


def make_album(client: Client, title: str = "Team offsite", visibility: str = "company", **fields) -> Album:
    response = client.post(url("album_create"), {"title": title, "visibility": visibility, **fields})
    assert response.status_code == 302, response.content.decode()
    album = Album.objects.latest("id")
    assert response["Location"] == url("album", album.pk)
    return album


def add_photos(client: Client, committed, album: Album, *uploads):
    """Upload in one plain form post; processing runs when the request commits."""
    with committed():
        response = client.post(url("album_upload", album.pk), {"image": list(uploads)})
    assert response.status_code == 302, response.content.decode()
    return list(Photo.objects.filter(album=album).order_by("position", "id"))


def page_of(client: Client, name: str, *args) -> str:
    response = client.get(url(name, *args))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def thumb_url(photo_id: int) -> str:
    return reverse("photo-media", kwargs={"pk": photo_id, "rendition": "thumb"})


def grid_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="photo-card[^"]*" id="photo-(\d+)"', html)]


@pytest.fixture
def offsite(ana, committed):
    """Ana's company album "Team offsite" with three ready photos."""
    client = signed_in(ana)
    album = make_album(client)
    add_photos(client, committed, album, photo(1), photo(2), photo(3))
    album.refresh_from_db()
    return album


# --- Making an album and filling it -----------------------------------------------------------


def test_ana_creates_an_album_and_finds_it_in_her_albums(ana):
    client = signed_in(ana)
    form = page_of(client, "album_create")
    assert 'name="title"' in form and 'value="company" checked' in form  # her default audience
    album = make_album(client, "Team offsite", "network", description="Two days in Sintra")
    assert (album.owner, album.visibility, album.description) == (ana, "network", "Two days in Sintra")
    page = page_of(client, "album", album.pk)
    assert "Team offsite" in page and "Two days in Sintra" in page
    assert 'type="file" name="image" multiple accept="image/jpeg,image/png,image/webp,image/gif"' in page
    assert '<label for="upload-input">Choose photos to upload</label>' in page
    mine = page_of(client, "albums")
    assert "Team offsite" in mine and url("album", album.pk) in mine and "New album" in mine


def test_an_album_needs_a_title(ana):
    response = signed_in(ana).post(url("album_create"), {"title": "  ", "visibility": "company"})
    assert response.status_code == 400
    assert "This field may not be blank." in response.content.decode()
    assert not Album.objects.exists()


def test_an_alumnus_is_not_offered_company_visibility(olu):
    client = signed_in(olu)
    form = page_of(client, "album_create")
    assert 'value="company"' not in form and 'value="network" checked' in form
    response = client.post(url("album_create"), {"title": "Reunion", "visibility": "company"})
    assert response.status_code == 400
    assert "Alumni share with their network or their connections." in response.content.decode()


def test_two_photos_uploaded_one_per_request_become_ready_with_thumbnails_and_placeholders(ana, committed):
    client = signed_in(ana)
    album = make_album(client)
    cards = []
    for n in (1, 2):
        # As the uploader script sends them: one file per request, the new card comes back.
        with committed():
            response = client.post(url("album_upload", album.pk), {"image": [photo(n)]}, **HTMX)
            assert response.status_code == 202, response.content.decode()
            cards.append(response.content.decode())
    first, second = Photo.objects.filter(album=album).order_by("position")
    # The card came back while the photo was still processing, asking for itself again.
    assert 'data-status="processing"' in cards[0]
    assert f'hx-get="{url("photo_card", first.pk)}" hx-trigger="every 2s"' in cards[0]
    assert f'for="alt-{first.pk}">Alt text</label>' in cards[0]
    assert "Describe this photo for people who can't see it." in cards[0]

    assert [first.status, second.status] == ["ready", "ready"]
    page = page_of(client, "album", album.pk)
    assert grid_ids(page) == [first.pk, second.pk]
    for each in (first, second):
        assert f'src="{thumb_url(each.pk)}"' in page
    placeholders = re.findall(
        r'class="photo-placeholder" src="(data:image/png;base64,[A-Za-z0-9+/=]+)"', page
    )
    assert len(placeholders) == 2
    assert "processing" not in re.findall(r'data-status="(\w+)"', page)

    # The polled card now shows the picture and stops asking.
    live = page_of(client, "photo_card", first.pk)
    assert f'src="{thumb_url(first.pk)}"' in live and "hx-trigger" not in live
    assert client.get(thumb_url(first.pk)).status_code == 200


def test_several_photos_in_one_plain_form_post(ana, committed):
    client = signed_in(ana)
    album = make_album(client)
    with committed():
        response = client.post(url("album_upload", album.pk), {"image": [photo(1), photo(2)]}, follow=True)
    assert "2 photos uploaded. Add captions and alt text below." in response.content.decode()
    assert [p.status for p in Photo.objects.filter(album=album)] == ["ready", "ready"]
    album.refresh_from_db()
    assert album.photo_count == 2 and album.cover_id is not None


def test_a_file_named_jpg_that_is_svg_is_refused_with_415_and_nothing_is_stored(ana, media_root):
    client = signed_in(ana)
    album = make_album(client)
    svg = upload(files.NOT_ALLOWED["svg"](), "holiday.jpg", "image/jpeg")
    response = client.post(url("album_upload", album.pk), {"image": [svg]}, **HTMX)
    assert response.status_code == 415
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        "This file is not a photo we can take: use a JPEG, PNG, WebP or GIF image."
    )
    # Without the script: the album page again, with the reason.
    svg.seek(0)
    page = client.post(url("album_upload", album.pk), {"image": [photo(1), svg]})
    assert page.status_code == 415
    assert "use a JPEG, PNG, WebP or GIF image." in page.content.decode()
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_a_photo_over_the_size_limit_is_refused_with_413_and_nothing_is_stored(ana, media_root, settings):
    settings.PHOTO_MAX_BYTES = 2 * 1024 * 1024
    client = signed_in(ana)
    album = make_album(client)
    big = upload(files.noisy(size=(1200, 900), quality=100), "big.jpg")
    response = client.post(url("album_upload", album.pk), {"image": [big]}, **HTMX)
    assert response.status_code == 413
    assert response.content.decode() == "This file is too large: a photo may be at most 2 MB."
    # Cut off while it arrives, past the largest upload of any kind.
    settings.UPLOAD_MAX_FILE_BYTES = 100_000
    big.seek(0)
    response = client.post(url("album_upload", album.pk), {"image": [big]}, **HTMX)
    assert response.status_code == 413
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_a_truncated_photo_is_refused_with_400(ana):
    client = signed_in(ana)
    album = make_album(client)
    broken = upload(files.BROKEN["truncated JPEG"](), "broken.jpg")
    response = client.post(url("album_upload", album.pk), {"image": [broken]}, **HTMX)
    assert response.status_code == 400
    assert response.content.decode() == "This file is damaged or incomplete and cannot be read."
    assert not Photo.objects.exists()


# --- Describing, ordering, cover, visibility -------------------------------------------------


def test_ana_describes_a_photo_with_a_caption_and_alt_text(ana, offsite):
    client = signed_in(ana)
    first = offsite.photos.order_by("position").first()
    page = page_of(client, "album", offsite.pk)
    assert "Add alt text" in page  # asked for while it has none

    fields = {"caption": "Sunset over Sintra", "alt_text": "Five people on a cliff at sunset"}
    response = client.post(url("photo_edit", first.pk), fields, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'<span id="saved-{first.pk}" hx-swap-oob="innerHTML">Saved</span>' in fragment
    assert (
        f'id="photo-media-{first.pk}" data-photo="{first.pk}" data-status="ready" hx-swap-oob="true"'
        in fragment
    )
    first.refresh_from_db()
    assert (first.caption, first.alt_text) == ("Sunset over Sintra", "Five people on a cliff at sunset")

    page = page_of(client, "album", offsite.pk)
    assert 'alt="Five people on a cliff at sunset"' in page
    assert 'data-caption="Sunset over Sintra"' in page

    # Without the script: a page of its own, then back to the photo in the album.
    assert 'name="alt_text"' in page_of(client, "photo_edit", first.pk)
    response = client.post(url("photo_edit", first.pk), {"caption": "", "alt_text": "A cliff"})
    assert response["Location"] == url("album", offsite.pk) + f"#photo-{first.pk}"
    first.refresh_from_db()
    assert (first.caption, first.alt_text) == ("", "A cliff")


def test_alt_text_longer_than_the_api_allows_is_refused_on_the_form(ana, offsite):
    first = offsite.photos.first()
    response = signed_in(ana).post(url("photo_edit", first.pk), {"alt_text": "x" * 501}, **HTMX)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    first.refresh_from_db()
    assert first.alt_text == ""


def test_ana_moves_photos_with_the_buttons_and_the_script(ana, offsite):
    client = signed_in(ana)
    a, b, c = offsite.photos.order_by("position")
    # The button without the script: one place earlier, back to the photo.
    response = client.post(url("album_reorder", offsite.pk), {"photo": c.pk, "direction": "earlier"})
    assert response["Location"] == url("album", offsite.pk) + f"#photo-{c.pk}"
    assert grid_ids(page_of(client, "album", offsite.pk)) == [a.pk, c.pk, b.pk]
    # The first photo cannot move earlier; the page says so to assistive technology.
    client.post(url("album_reorder", offsite.pk), {"photo": a.pk, "direction": "earlier"})
    page = page_of(client, "album", offsite.pk)
    assert grid_ids(page) == [a.pk, c.pk, b.pk]
    assert re.search(rf'id="move-earlier-{a.pk}"[^>]*aria-disabled="true"', page)
    # The script sends the whole order.
    response = client.post(url("album_reorder", offsite.pk), {"order": [b.pk, a.pk, c.pk]}, **HTMX)
    assert response.status_code == 204
    assert grid_ids(page_of(client, "album", offsite.pk)) == [b.pk, a.pk, c.pk]
    # The album pages its photos, so the script sends the order of those it has shown: they
    # take the places they held, and the others stay where they are.
    response = client.post(url("album_reorder", offsite.pk), {"order": [a.pk, b.pk]}, **HTMX)
    assert response.status_code == 204
    assert grid_ids(page_of(client, "album", offsite.pk)) == [a.pk, b.pk, c.pk]
    # An order that names a photo twice, or one of another album, is refused and changes nothing.
    for order in ([a.pk, a.pk, c.pk], [a.pk, b.pk, c.pk, c.pk + 1000]):
        response = client.post(url("album_reorder", offsite.pk), {"order": order}, **HTMX)
        assert response.status_code == 400
        assert "List every photo of the album exactly once." in response.content.decode()
        assert grid_ids(page_of(client, "album", offsite.pk)) == [a.pk, b.pk, c.pk]


def test_ana_makes_another_photo_the_cover(ana, offsite):
    client = signed_in(ana)
    a, b, _c = offsite.photos.order_by("position")
    assert offsite.cover_id == a.pk
    response = client.post(url("photo_cover", b.pk), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    # The new cover says so; the previous one gets its button back, out of band.
    assert f'id="cover-{b.pk}" tabindex="-1"' in fragment
    assert f'id="cover-control-{a.pk}" hx-swap-oob="true"' in fragment
    offsite.refresh_from_db()
    assert offsite.cover_id == b.pk
    mine = page_of(client, "albums")
    assert f'src="{thumb_url(b.pk)}"' in mine


def test_ana_changes_who_can_see_the_album(ana, offsite):
    client = signed_in(ana)
    form = page_of(client, "album_edit", offsite.pk)
    assert 'value="Team offsite"' in form and 'value="company" checked' in form
    response = client.post(
        url("album_edit", offsite.pk),
        {"title": "Offsite in Sintra", "description": "By the sea", "visibility": "connections"},
    )
    assert response["Location"] == url("album", offsite.pk)
    offsite.refresh_from_db()
    assert (offsite.title, offsite.description, offsite.visibility) == (
        "Offsite in Sintra",
        "By the sea",
        "connections",
    )
    response = client.post(url("album_edit", offsite.pk), {"title": "Offsite", "visibility": "everyone"})
    assert response.status_code == 400
    offsite.refresh_from_db()
    assert offsite.visibility == "connections"


# --- Paging through an album, and its count ----------------------------------------------------


@pytest.fixture
def pages_of_4(monkeypatch):
    """Albums show 4 photos a page, so a short album has several."""
    from frontend.views import albums

    monkeypatch.setattr(albums, "ALBUM_PAGE", 4)


def next_page_address(html: str) -> str | None:
    found = re.search(r'id="photo-more".*?hx-get="([^"]+)"', html, re.S)
    return found.group(1).replace("&amp;", "&") if found else None


def scroll_through(client: Client, album: Album) -> list[list[int]]:
    """The pages of the album's grid as the reader scrolls (htmx asks for each next one)."""
    html = page_of(client, "album", album.pk)
    pages = [grid_ids(html)]
    while address := next_page_address(html):
        response = client.get(address, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html and 'id="photo-more" hx-swap-oob="true"' in html
        pages.append(grid_ids(html))
    return pages


def test_an_album_pages_through_its_photos_as_the_reader_scrolls(ana, marco, committed, pages_of_4):
    owner = signed_in(ana)
    album = make_album(owner)
    add_photos(owner, committed, album, *(photo(n) for n in range(5)))
    every = [p.pk for p in add_photos(owner, committed, album, *(photo(n) for n in range(5, 10)))]

    for reader in (owner, signed_in(marco)):
        pages = scroll_through(reader, album)

        assert [len(p) for p in pages] == [4, 4, 2]
        assert [pk for p in pages for pk in p] == every


def test_a_photo_deleted_while_she_scrolls_skips_no_other(ana, committed, pages_of_4):
    client = signed_in(ana)
    album = make_album(client)
    every = [p.pk for p in add_photos(client, committed, album, *(photo(n) for n in range(8)))]
    first_page = page_of(client, "album", album.pk)

    client.post(url("photo_delete", every[3]), **HTMX)
    second = client.get(next_page_address(first_page), **HTMX).content.decode()

    assert grid_ids(second) == every[4:8]


def test_without_a_script_more_photos_is_a_link_to_the_next_page(ana, committed, pages_of_4):
    client = signed_in(ana)
    album = make_album(client)
    every = [p.pk for p in add_photos(client, committed, album, *(photo(n) for n in range(6)))]

    first = page_of(client, "album", album.pk)
    link = re.search(r'<a class="btn" href="([^"]+)"[^>]*>More photos</a>', first).group(1)
    second = client.get(link.replace("&amp;", "&"))

    html = second.content.decode()
    assert second.status_code == 200 and "<html" in html
    assert grid_ids(html) == every[4:]
    assert "Back to the first photos" in html and "More photos" not in html


@pytest.mark.parametrize("after", ["x", "5", "5-", "-1-3", "1-2-3", "1-99999999999999999999", "3.0-1"])
def test_a_place_in_an_album_that_is_not_one_is_a_400(ana, offsite, after):
    response = signed_in(ana).get(url("album", offsite.pk), {"after": after}, **HTMX)

    assert response.status_code == 400


def test_the_next_page_costs_the_same_queries_for_a_short_or_long_album(ana, marco, committed, pages_of_4):
    owner, colleague = signed_in(ana), signed_in(marco)
    album = make_album(owner)
    add_photos(owner, committed, album, *(photo(n) for n in range(6)))
    after = next_page_address(page_of(owner, "album", album.pk))

    def cost() -> tuple[int, ...]:
        return tuple(
            len(captured) for client in (owner, colleague) for captured in [_queries_of(client, after)]
        )

    short = cost()
    add_photos(owner, committed, album, *(photo(n) for n in range(6, 16)))
    assert cost() == short


def _queries_of(client: Client, address: str) -> list:
    client.get(address, **HTMX)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address, **HTMX).status_code == 200
    return queries.captured_queries


def test_the_count_follows_uploads_processing_and_deletes(ana):
    client = signed_in(ana)
    album = make_album(client)
    assert '<span id="album-count">0 photos</span>' in page_of(client, "album", album.pk)

    # Processing has not run yet: the new card comes back with the count as it stands.
    uploaded = client.post(url("album_upload", album.pk), {"image": [photo(1)]}, **HTMX).content.decode()
    assert '<span id="album-count" hx-swap-oob="true">0 photos</span>' in uploaded
    [new] = Photo.objects.filter(album=album)
    services.photo_process(photo_id=new.pk)
    # The card polled until the photo is ready brings the new count, out of band.
    live = client.get(url("photo_card", new.pk), **HTMX).content.decode()
    assert '<span id="album-count" hx-swap-oob="true">1 photo</span>' in live
    other = services.photos_upload(album=album, by=ana, files=[photo(2)])[0]
    services.photo_process(photo_id=other.pk)

    deleted = client.post(url("photo_delete", new.pk), **HTMX).content.decode()
    assert deleted.strip().endswith('<span id="album-count">1 photo</span>')


# --- Deleting ----------------------------------------------------------------------------------


def test_ana_deletes_a_photo_and_its_files_are_gone(ana, offsite, committed, media_root):
    client = signed_in(ana)
    first = offsite.photos.order_by("position").first()
    its_files = [media_root / name for name in (first.original, first.medium, first.thumb)]
    assert all(path.exists() for path in its_files)
    confirm = page_of(client, "photo_delete", first.pk)
    assert "Delete this photo?" in confirm
    with committed():
        response = client.post(url("photo_delete", first.pk), **HTMX)
    # The answer is the album's count, for the page to show the photos left.
    assert response.status_code == 200
    assert '<span id="album-count">2 photos</span>' in response.content.decode()
    assert not Photo.objects.filter(pk=first.pk).exists()
    assert not any(path.exists() for path in its_files)


def test_ana_deletes_an_album_after_confirming_and_every_file_is_gone(ana, offsite, committed, media_root):
    client = signed_in(ana)
    assert stored_files(media_root)
    confirm = page_of(client, "album_delete", offsite.pk)
    assert "Delete this album?" in confirm and "Team offsite" in confirm
    with committed():
        response = client.post(url("album_delete", offsite.pk))
    assert response["Location"] == url("albums")
    assert not Album.objects.exists() and not Photo.objects.exists()
    assert stored_files(media_root) == []
    assert client.get(url("album", offsite.pk)).status_code == 404


# --- Who sees what ---------------------------------------------------------------------------


def test_a_stranger_gets_404_for_a_connections_only_album(ana, marco, priya, offsite):
    services.album_update(album=offsite, by=ana, visibility="connections")
    connect(ana, marco)
    some_photo = offsite.photos.first()
    stranger = signed_in(priya)
    for name, pk in (("album", offsite.pk), ("photo_card", some_photo.pk), ("album_edit", offsite.pk)):
        assert stranger.get(url(name, pk)).status_code == 404, name
    assert stranger.post(url("photo_cover", some_photo.pk)).status_code == 404
    assert stranger.get(thumb_url(some_photo.pk)).status_code == 404
    # Her connection sees it.
    assert signed_in(marco).get(url("album", offsite.pk)).status_code == 200


def test_an_alumnus_gets_404_for_a_company_album(olu, offsite):
    alumnus = signed_in(olu)
    assert alumnus.get(url("album", offsite.pk)).status_code == 404
    assert alumnus.get(url("photo_card", offsite.photos.first().pk)).status_code == 404


def test_others_see_the_grid_and_lightbox_but_no_edit_controls(ana, marco, offsite):
    client = signed_in(marco)
    page = page_of(client, "album", offsite.pk)
    assert len(grid_ids(page)) == 3 and 'id="lightbox"' in page
    for control in (
        "Move earlier",
        "Make cover",
        "Delete photo",
        "Edit album",
        "Delete album",
        "Alt text",
        'type="file"',
    ):
        assert control not in page, control
    # And asking anyway is refused.
    some_photo = offsite.photos.first()
    assert client.get(url("album_edit", offsite.pk)).status_code == 403
    assert client.post(url("album_edit", offsite.pk), {"title": "Mine now"}).status_code == 403
    assert client.post(url("photo_cover", some_photo.pk)).status_code == 403
    assert client.post(url("photo_edit", some_photo.pk), {"caption": "Hi"}).status_code == 403
    assert client.post(url("photo_delete", some_photo.pk)).status_code == 403
    assert client.post(url("album_upload", offsite.pk), {"image": [photo(9)]}).status_code == 403
    assert client.post(url("album_reorder", offsite.pk), {"order": []}).status_code == 403
    offsite.refresh_from_db()
    assert offsite.title == "Team offsite" and offsite.photos.count() == 3


def test_others_see_ready_photos_only(ana, marco, offsite):
    Photo.objects.create(album=offsite, uploader=ana, position=9)  # still processing
    assert len(grid_ids(page_of(signed_in(marco), "album", offsite.pk))) == 3
    assert len(grid_ids(page_of(signed_in(ana), "album", offsite.pk))) == 4


def test_what_people_write_is_shown_as_text(ana, marco, offsite):
    script = "<script>alert('x')</script>"
    services.album_update(album=offsite, by=ana, title=script, description=script)
    first = offsite.photos.first()
    services.photo_update(photo=first, by=ana, caption=script, alt_text='"><img src=x>')
    for client in (signed_in(ana), signed_in(marco)):
        page = page_of(client, "album", offsite.pk)
        assert script not in page and "<img src=x>" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert script not in page_of(signed_in(ana), "albums")


# --- A constant number of queries -------------------------------------------------------------


def queries_for(client: Client, address: str) -> int:
    client.get(address)  # a person's first request of a while also records that they were active
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_my_albums_costs_the_same_for_2_or_8_albums(ana, committed):
    client = signed_in(ana)
    for n in range(2):
        album = make_album(client, f"Album {n}")
        add_photos(client, committed, album, photo(n))
    two = queries_for(client, url("albums"))
    for n in range(2, 8):
        album = make_album(client, f"Album {n}")
        add_photos(client, committed, album, photo(n))
    page = page_of(client, "albums")
    assert page.count('class="photo-thumb"') == 8
    assert queries_for(client, url("albums")) == two


def test_an_album_page_costs_the_same_for_2_or_12_photos(ana, marco, committed):
    owner = signed_in(ana)
    album = make_album(owner)
    add_photos(owner, committed, album, photo(1), photo(2))
    colleague = signed_in(marco)
    two = queries_for(owner, url("album", album.pk)), queries_for(colleague, url("album", album.pk))
    add_photos(owner, committed, album, *(photo(n) for n in range(3, 13)))
    assert len(grid_ids(page_of(owner, "album", album.pk))) == 12
    twelve = queries_for(owner, url("album", album.pk)), queries_for(colleague, url("album", album.pk))
    assert twelve == two
