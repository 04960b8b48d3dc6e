"""Ana's notifications page: newest first, unread ones highlighted, each leading to the post
or the person; "Mark all as read" clears them and the header badge with them."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feed import services as feed_services
from feed.models import Notification
from profiles import services as graph
from tests.factories import make_person

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/notifications/"
READ = "/notifications/read/"
BADGE = "/notifications/badge/"


@pytest.fixture(autouse=True)
def _feed_state(fresh_timelines, eager_tasks):
    """No timelines left by another test; tasks inline."""


def signed_in(client, person):
    client.force_login(person.user)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str) -> list[str]:
    return re.findall(r'<li class="notification[^"]*".*?</li>', html, re.S)


def unread_rows(html: str) -> int:
    return len(re.findall(r'<li class="notification is-unread"', html))


@pytest.fixture
def anas_post(ana):
    return feed_services.post_create(author=ana, body="Who is in for the hackathon?", visibility="company")


def test_ana_sees_who_did_what_newest_first_with_links(client, ana, priya, marco, anas_post, committed):
    comment = feed_services.comment_create(post=anas_post, author=priya, body="Me! <b>obviously</b>")
    feed_services.reaction_set(post=anas_post, person=marco)
    with committed():  # the graph tells the feed once the request is committed
        graph.connection_request_send(sender=marco, receiver=ana)

    html = text(signed_in(client, ana).get(NOTIFICATIONS))

    listed = rows(html)
    assert len(listed) == 3
    assert "Marco Rossi wants to connect with you" in listed[0] and 'href="/connections/"' in listed[0]
    assert "Marco Rossi liked your post" in listed[1] and f'href="/posts/{anas_post.pk}/"' in listed[1]
    assert "Priya Nair commented on your post" in listed[2]
    assert f'href="/posts/{anas_post.pk}/#comment-{comment.pk}"' in listed[2]
    assert "Me! &lt;b&gt;obviously&lt;/b&gt;" in listed[2]  # what she wrote, escaped
    assert unread_rows(html) == 3
    assert html.count("Unread:") == 3  # said, not only shown
    assert "Mark all as read" in html


def test_an_accepted_request_leads_to_the_person(client, ana, priya, committed):
    with committed():
        request, _created = graph.connection_request_send(sender=ana, receiver=priya)
        graph.connection_request_accept(request=request, by=priya)

    html = text(signed_in(client, ana).get(NOTIFICATIONS))

    assert "Priya Nair accepted your connection request" in html
    assert 'href="/people/priya/"' in html


def test_a_mention_in_a_comment_says_so(client, ana, priya, marco, anas_post):
    feed_services.comment_create(post=anas_post, author=priya, body="@marco you too?")

    html = text(signed_in(client, marco).get(NOTIFICATIONS))

    assert "Priya Nair mentioned you in a comment" in html


def test_mark_all_as_read_clears_the_list_and_the_badge(client, ana, priya, anas_post):
    feed_services.comment_create(post=anas_post, author=priya, body="Yes")
    feed_services.reaction_set(post=anas_post, person=priya)
    signed_in(client, ana)
    newest = Notification.objects.latest("pk").pk

    response = client.post(READ, {"up_to": newest}, HTTP_HX_REQUEST="true")

    html = text(response)
    assert unread_rows(html) == 0 and len(rows(html)) == 2
    assert json.loads(response["HX-Trigger"]) == {"sbBadge": {"count": 0}}
    assert not Notification.objects.filter(read=False).exists()
    assert 'data-count="0"' in text(client.get(BADGE))


def test_what_arrived_after_the_page_was_shown_stays_unread(client, ana, priya, marco, anas_post):
    feed_services.comment_create(post=anas_post, author=priya, body="Yes")
    signed_in(client, ana)
    shown = re.search(r'name="up_to" value="(\d+)"', text(client.get(NOTIFICATIONS))).group(1)
    feed_services.reaction_set(post=anas_post, person=marco)

    response = client.post(READ, {"up_to": shown}, HTTP_HX_REQUEST="true")

    assert json.loads(response["HX-Trigger"]) == {"sbBadge": {"count": 1}}
    assert unread_rows(text(response)) == 1


def test_without_script_mark_all_as_read_comes_back_to_the_page(client, ana, priya, anas_post):
    feed_services.comment_create(post=anas_post, author=priya, body="Yes")

    response = signed_in(client, ana).post(READ)

    assert (response.status_code, response["Location"]) == (302, NOTIFICATIONS)
    assert not Notification.objects.filter(read=False).exists()


def test_the_badge_fragment_counts_unread(client, ana, priya, anas_post):
    feed_services.comment_create(post=anas_post, author=priya, body="Yes")
    feed_services.reaction_set(post=anas_post, person=priya)

    html = text(signed_in(client, ana).get(BADGE))

    assert 'id="unread-badge"' in html and 'data-count="2"' in html
    assert not re.search(r"data-count=\"2\"\s+hidden", html)


def test_notifications_come_a_page_at_a_time(client, ana, anas_post):
    for n in range(25):
        feed_services.reaction_set(post=anas_post, person=make_person(f"fan{n}"))
    signed_in(client, ana)

    first = text(client.get(NOTIFICATIONS))
    second = text(client.get(NOTIFICATIONS, {"page": 2}))

    assert len(rows(first)) == 20 and len(rows(second)) == 5
    assert "Page 2 of 2" in second and 'href="?page=1"' in second
    # "Mark all as read" on any page marks up to the newest of all.
    newest = Notification.objects.latest("pk").pk
    assert f'name="up_to" value="{newest}"' in second


def test_nothing_yet_says_what_will_show_up_here(client, ana):
    html = text(signed_in(client, ana).get(NOTIFICATIONS))

    assert "Nothing new yet" in html
    assert "Mark all as read" not in html


def test_notifications_about_a_post_she_may_no_longer_see_are_left_out(client, priya, olu):
    post = feed_services.post_create(author=olu, body="Old times, @priya!", visibility="network")
    signed_in(client, priya)
    assert len(rows(text(client.get(NOTIFICATIONS)))) == 1

    feed_services.post_update(post=post, by=olu, visibility="connections")

    assert rows(text(client.get(NOTIFICATIONS))) == []


def test_the_page_costs_the_same_queries_for_3_or_15_notifications(client, ana, priya, anas_post):
    def cost(count: int) -> int:
        for n in range(count):
            feed_services.comment_create(post=anas_post, author=priya, body=f"Comment {n}")
        client.get(NOTIFICATIONS)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(NOTIFICATIONS)
        assert response.status_code == 200
        return len(captured)

    signed_in(client, ana)
    assert cost(3) == cost(12)
