"""On a phone (375 px wide), nothing sticks out sideways: no page scrolls horizontally."""

import pytest

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
