"""Notifications in the browser: the unread badge in the header counts up live when a
colleague comments on one's post, without a reload, and marking them read clears it."""

import pytest
from playwright.sync_api import expect

from profiles.models import Follow, ProfileStatus
from tests.e2e.test_feed import post_update, the_post, wait_until_live

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_unread_badge_counts_a_new_comment_live_and_clears_when_read(browsers, sign_in, demo, server):
    author = demo.employee
    colleague = (
        Follow.objects.filter(followee__user__username=author, follower__status=ProfileStatus.EMPLOYEE)
        .values_list("follower__user__username", flat=True)
        .order_by("follower_id")
        .first()
    )
    writer = sign_in(browsers.new_page(), author)
    # The demo has left the writer some unread notifications: read them first.
    writer.goto(f"{server}/notifications/")
    mark_all_read = writer.get_by_role("button", name="Mark all as read")
    if mark_all_read.count():
        mark_all_read.click()
    writer.goto(f"{server}/")
    wait_until_live(writer)
    badge = writer.locator("#unread-badge")
    expect(badge).to_be_hidden()
    post_update(writer, "Who wants to pair on the search ranking?")
    expect(the_post(writer, demo.name_of(author), "pair on the search ranking")).to_be_visible()

    reader = sign_in(browsers.new_page(), colleague)
    post = the_post(reader, demo.name_of(author), "pair on the search ranking")
    post.get_by_role("button", name="Comment", exact=True).click()
    post.get_by_label("Write a comment").fill("Me! After lunch?")
    post.get_by_role("button", name="Post comment").click()

    # The writer did not reload: the badge says one unread.
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("1")

    writer.get_by_role("link", name="Notifications").click()
    expect(writer.get_by_role("link", name="commented on your post").first).to_be_visible()
    writer.get_by_role("button", name="Mark all as read").click()
    expect(writer.locator("#unread-badge")).to_be_hidden()
