"""An album of photos: a demo employee makes an album, uploads two photos, sees their
thumbnails once they are processed, describes one, and looks at them in the lightbox; a long
album shows more photos as she scrolls, and its count follows what she uploads and deletes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Locator, expect

from frontend.views import albums as album_pages
from photos import services as photo_services
from profiles.models import Profile
from tests.e2e.conftest import PHONE, beside_the_browser
from tests.photos.files import blue_left_red_right

pytestmark = pytest.mark.django_db(transaction=True)


def photo_file(directory, name: str, size: tuple[int, int]):
    path = directory / name
    blue_left_red_right(size).save(path, "JPEG", quality=85)
    return path


def expect_loaded(image: Locator) -> None:
    """The image is shown: the browser fetched and decoded it."""
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0


def test_photos_uploaded_to_an_album_show_as_thumbnails_and_in_the_lightbox(page, sign_in, demo, tmp_path):
    sign_in(page, demo.employee)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Albums").click()
    page.get_by_role("link", name="New album").click()
    page.get_by_label("Title").fill("Lisbon offsite")
    page.get_by_role("button", name="Create album").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lisbon offsite")

    page.get_by_label("Choose photos to upload").set_input_files(
        [
            photo_file(tmp_path, "rooftop.jpg", (1200, 800)),
            photo_file(tmp_path, "river.jpg", (800, 1000)),
        ]
    )

    uploads = page.get_by_role("list", name="Uploads").get_by_role("listitem")
    expect(uploads).to_have_count(2)
    for row in uploads.all():
        expect(row).to_contain_text("Ready. Add alt text below.", timeout=20_000)
    thumbnails = page.locator("#photo-grid").get_by_role("img", name="A photo from the album Lisbon offsite")
    expect(thumbnails).to_have_count(2)
    expect(page.locator("#album-count")).to_have_text("2 photos")  # without a reload
    for thumbnail in thumbnails.all():
        expect_loaded(thumbnail)

    # The alt text is asked for; once given, it is the photo's name.
    page.get_by_label("Alt text").first.fill("The team on a rooftop at sunset")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.reload()
    grid = page.locator("#photo-grid")
    first = grid.get_by_role("img", name="The team on a rooftop at sunset")
    expect_loaded(first)

    # The lightbox shows the photos one by one, larger, and closes with Escape. (The two
    # uploads ran side by side: either may have come first.)
    names = grid.get_by_role("link").evaluate_all(
        "links => links.map(link => link.querySelector('img[alt]:not([alt=\"\"])').alt)"
    )
    described = names.index("The team on a rooftop at sunset")
    other = "A photo from the album Lisbon offsite"
    assert names[1 - described] == other
    grid.get_by_role("link", name="The team on a rooftop at sunset").click()
    viewer = page.get_by_role("dialog", name="Photo viewer")
    expect(viewer).to_be_visible()
    expect(viewer).to_contain_text(f"Photo {described + 1} of 2")
    large = viewer.get_by_role("img", name="The team on a rooftop at sunset")
    expect_loaded(large)
    assert large.evaluate("img => img.naturalWidth") > first.evaluate("img => img.naturalWidth")

    viewer.get_by_role("button", name="Next photo").click()
    expect(viewer).to_contain_text(f"Photo {2 - described} of 2")
    expect_loaded(viewer.get_by_role("img", name=other))

    # Escape closes it, and the keyboard is back on the photo last shown.
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(grid.get_by_role("link", name=other)).to_be_focused()


def an_album_of(owner: Profile, count: int):
    """An album of ``count`` ready photos, made as the owner would (processing runs inline)."""

    def make():
        album = photo_services.album_create(owner=owner, title="Ten years of offsites")
        for n in range(count):
            image = io.BytesIO()
            blue_left_red_right((64 + n, 48)).save(image, "JPEG")
            upload = SimpleUploadedFile(f"offsite-{n}.jpg", image.getvalue(), "image/jpeg")
            photo_services.photos_upload(album=album, by=owner, files=[upload])
        return album

    return beside_the_browser(make)


def test_a_long_album_shows_more_photos_as_she_scrolls_and_its_count_follows(
    browsers, sign_in, demo, monkeypatch, tmp_path
):
    monkeypatch.setattr(album_pages, "ALBUM_PAGE", 4)
    album = an_album_of(Profile.objects.get(user__username=demo.employee), 10)
    in_order = list(album.photos.order_by("position", "pk").values_list("pk", flat=True))
    page = sign_in(browsers.new_page(viewport=PHONE), demo.employee)

    page.goto(f"/albums/{album.pk}/")
    cards = page.locator("#photo-grid > li")
    expect(cards).to_have_count(4)
    expect(page.locator("#album-count")).to_have_text("10 photos")
    for loaded in (8, 10):
        page.locator("#photo-more").scroll_into_view_if_needed()
        expect(cards).to_have_count(loaded)
    expect(page.get_by_role("link", name="More photos")).to_have_count(0)
    assert [int(pk) for pk in cards.evaluate_all("cards => cards.map(c => c.dataset.photo)")] == in_order
    # The last photo of all, loaded with the last page, cannot move later; the one before can.
    assert cards.nth(9).locator("button[value=later]").get_attribute("aria-disabled") == "true"
    assert cards.nth(8).locator("button[value=later]").get_attribute("aria-disabled") is None

    cards.first.get_by_role("button", name="Delete photo").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete photo").click()
    expect(cards).to_have_count(9)
    expect(page.locator("#album-count")).to_have_text("9 photos")

    page.get_by_label("Choose photos to upload").set_input_files(
        [photo_file(tmp_path, "new.jpg", (300, 200))]
    )
    expect(page.get_by_role("list", name="Uploads")).to_contain_text("Ready.", timeout=20_000)
    expect(page.locator("#album-count")).to_have_text("10 photos")
    expect(cards).to_have_count(10)
