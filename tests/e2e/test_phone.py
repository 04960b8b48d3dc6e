"""On a phone (375 px wide), nothing sticks out sideways: no page scrolls horizontally; and on
the narrowest one (360 px) every section of the navigation is in sight, with nothing to scroll
to find it, and leads where it says."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import MAIN_PAGES, PHONE
from tests.e2e.layout import overflow_report

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_page_fits_a_phone(browsers, sign_in, demo):
    page = sign_in(browsers.new_page(viewport=PHONE), demo.employee)
    page.goto("/")
    page.wait_for_load_state("load")

    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert overflow_report(page) == []


def test_every_main_page_fits_a_phone(browsers, sign_in, demo):
    page = sign_in(browsers.new_page(viewport=PHONE), demo.employee)
    problems = {}
    for title, path in MAIN_PAGES.items():
        page.goto(path.format(username=demo.employee))
        page.wait_for_load_state("load")
        if report := overflow_report(page):
            problems[title] = report

    assert problems == {}


def test_the_sign_in_page_fits_a_phone_and_the_check_sees_what_sticks_out(browsers):
    page = browsers.new_page(viewport=PHONE)
    page.goto("/signin/")
    assert overflow_report(page) == []

    page.get_by_role("button", name="Sign in").evaluate("button => { button.style.width = '480px'; }")

    report = overflow_report(page)
    assert report[0].startswith("the page scrolls sideways:")
    assert any(line.startswith('button.btn.btn-primary "Sign in"') for line in report)


# The narrowest phone we design for (app.css: "from 360 px phones up").
PHONE_360 = {"width": 360, "height": 740}
# Every section of the main navigation, and where it leads (HR officers also see "HR").
SECTIONS = {
    "Home": "/",
    "People": "/people/",
    "Alumni": "/alumni/",
    "Connections": "/connections/",
    "Albums": "/albums/",
    "Notifications": "/notifications/",
    "HR": "/hr/",
    "Settings": "/settings/",
}
# Where a tap at the middle of the element lands: the element itself (or something inside
# it), so nothing hides it, clips it, or covers it.
_TAPPABLE = """
link => {
  const box = link.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit !== null && link.contains(hit);
}
"""


@pytest.mark.parametrize("role", ["employee", "hr"])
def test_on_a_360_px_phone_every_section_of_the_navigation_is_in_sight_and_leads_there(
    browsers, sign_in, demo, role
):
    page = sign_in(browsers.new_page(viewport=PHONE_360), demo.hr if role == "hr" else demo.employee)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    shown = [name.split("\n")[0].strip() for name in nav.get_by_role("link").all_inner_texts()]
    assert shown == [name for name in SECTIONS if role == "hr" or name != "HR"]

    for name in shown:
        link = nav.get_by_role("link", name=re.compile(f"^{name}"))
        expect(link).to_be_in_viewport(ratio=1)
        assert link.evaluate(_TAPPABLE), f"{name} cannot be tapped"
        link.click()
        expect(page).to_have_url(re.compile(re.escape(SECTIONS[name]) + r"$"))
        nav = page.get_by_role("navigation", name="Main")
    assert overflow_report(page) == []
