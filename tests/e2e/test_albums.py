"""An album of photos: a demo employee makes an album, uploads two photos, sees their
thumbnails once they are processed, describes one, and looks at them in the lightbox."""

import pytest
from playwright.sync_api import Locator, expect

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
