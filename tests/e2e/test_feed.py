"""The home feed: a demo employee posts an update and sees it in their feed; a colleague who
follows them, with the home page open in another browser, is told of it live and shows it
without reloading."""

import pytest
from playwright.sync_api import Page, expect

from profiles.models import Follow, ProfileStatus

pytestmark = pytest.mark.django_db(transaction=True)


def post_update(page: Page, text: str) -> None:
    page.get_by_label("Write a post").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()


def the_post(page: Page, author: str, text: str):
    """The feed's post by ``author`` that says ``text``."""
    return page.get_by_role("article", name=author).filter(has_text=text)


def wait_until_live(page: Page) -> None:
    """The page's socket to /ws/feed/ is open (the conftest's init script records it)."""
    page.wait_for_function("() => window.__sbLiveOpen === true")


def test_an_employee_posts_an_update_and_sees_it_in_the_feed(page, sign_in, demo):
    name = demo.name_of(demo.employee)
    sign_in(page, demo.employee)
    expect(page).to_have_title("Home · SocialBlue")

    post_update(page, "Release 4.2 is out: faster search for everyone.")

    post = the_post(page, name, "Release 4.2 is out: faster search for everyone.")
    expect(post).to_be_visible()
    expect(page.get_by_label("Write a post")).to_have_value("")
    # It is in the feed for good, not only on the page that wrote it.
    page.reload()
    expect(post).to_be_visible()
    expect(page.locator("#feed-items .feed-item").first).to_contain_text("Release 4.2 is out")


def test_a_follower_sees_a_new_post_arrive_without_reloading(browsers, sign_in, demo):
    author = demo.employee
    follower = (
        Follow.objects.filter(followee__user__username=author, follower__status=ProfileStatus.EMPLOYEE)
        .values_list("follower__user__username", flat=True)
        .order_by("follower_id")
        .first()
    )
    reader = sign_in(browsers.new_page(), follower)
    wait_until_live(reader)
    new_posts = reader.get_by_role("button", name="1 new post")
    expect(new_posts).to_be_hidden()

    writer = sign_in(browsers.new_page(), author)
    post_update(writer, "Coffee in the Lisbon kitchen at 3, everyone welcome.")
    expect(the_post(writer, demo.name_of(author), "Coffee in the Lisbon kitchen")).to_be_visible()

    # The reader did not reload: the page offers the new post, and shows it when asked.
    expect(new_posts).to_be_visible()
    new_posts.click()
    post = the_post(reader, demo.name_of(author), "Coffee in the Lisbon kitchen at 3, everyone welcome.")
    expect(post).to_be_visible()
    expect(post).to_be_focused()
    expect(reader.locator(".new-items")).to_be_hidden()
