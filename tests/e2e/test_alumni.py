"""An alumnus signs in: the company's internal posts are gone from their feed (what they
share with the wider network stays), and they find a former colleague to keep in touch with."""

import pytest
from playwright.sync_api import expect

from alumni.selectors import former_colleagues
from feed.services import post_create
from profiles.models import Profile, ProfileStatus, Visibility
from profiles.services import follow
from tests.e2e.conftest import beside_the_browser

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_alumnus_sees_no_company_post_and_finds_a_former_colleague(page, sign_in, demo):
    alumnus = Profile.objects.get(user__username=demo.alumnus)
    colleague = next(
        row.profile
        for row in former_colleagues(viewer=alumnus)
        if row.profile.status == ProfileStatus.EMPLOYEE
    )
    # The alumnus follows a colleague who writes for the company, and for the wider network.
    beside_the_browser(follow, follower=alumnus, followee=colleague)
    for visibility, body in [
        (Visibility.COMPANY, "Internal: the Q3 numbers are in the finance wiki."),
        (Visibility.NETWORK, "We are hiring SREs, alumni welcome back!"),
    ]:
        beside_the_browser(post_create, author=colleague, body=body, visibility=visibility)

    sign_in(page, demo.alumnus)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People")).to_have_count(0)

    posts = page.get_by_role("article", name=colleague.display_name)
    expect(posts.filter(has_text="We are hiring SREs")).to_be_visible()
    expect(page.get_by_text("Internal: the Q3 numbers")).to_have_count(0)
    # None of the feed's posts is a company post, and an alumnus cannot write one.
    company = str(Visibility.COMPANY.label)
    assert company not in page.locator(".post-visibility").all_inner_texts()
    choices = page.get_by_label("Who can see this").locator("option").all_inner_texts()
    assert choices and not any(choice.startswith(company) for choice in choices)

    nav.get_by_role("link", name="Alumni").click()
    page.get_by_role("navigation", name="Alumni network").get_by_role(
        "link", name="Former colleagues"
    ).click()
    found = page.get_by_role("region", name="Former colleagues")
    expect(found.get_by_role("link", name=colleague.display_name, exact=True)).to_be_visible()
    expect(found).to_contain_text("together")
