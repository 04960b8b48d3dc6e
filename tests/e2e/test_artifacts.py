"""When a browser story fails, what the browsers showed is kept: a full-page screenshot of
every open page, and of the signed-in person's main pages (the conftest's report hook)."""

import pytest

from tests.e2e.conftest import MAIN_PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failed_story_leaves_screenshots_of_the_open_and_main_pages(browsers, sign_in, demo, tmp_path):
    page = sign_in(browsers.new_page(), demo.employee)
    browsers.new_page().goto("/signin/")  # someone else, not signed in

    browsers.save_artifacts(tmp_path / "story")

    saved = sorted(path.name for path in (tmp_path / "story").glob("*.png"))
    assert saved == sorted(
        ["person1-page1-open.png", "person2-page1-open.png"]
        + [f"person1-{demo.employee}-{title}.png" for title in MAIN_PAGES]
    )
    assert all((tmp_path / "story" / name).stat().st_size > 1000 for name in saved)
    assert page.url in (tmp_path / "story" / "pages.txt").read_text()
