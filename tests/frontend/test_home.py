"""The home page: Ana writes posts from the composer (with photos she picks), reads her feed
page after page, sees what is new, comments and likes inline — and an alumnus's home is the
alumni network, never company content.

Real PostgreSQL and Redis timelines; tasks run inline, and what a commit would start (fan-out,
photo processing) runs when a ``committed()`` block ends.
"""

import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alumni.services import alumnus_offboard, alumnus_rehire, employment_start
from feed import services as feed_services
from feed.models import POST_MAX_CHARS, Comment, Post, Reaction
from photos import services as photo_services
from photos.models import Album, Photo
from profiles import services as graph
from profiles.models import Visibility
from tests.feed.stories import active, activity_of, build_timeline, connect
from tests.images import upload
from tests.photos.files import NOT_ALLOWED, camera_jpeg, png_with_text

pytestmark = pytest.mark.django_db

HOME = "/"
POSTS = "/posts/"
FEED_MORE = "/feed/more/"
FEED_NEW = "/feed/new/"
ATTACH = "/photos/attach/"


@pytest.fixture(autouse=True)
def _home_state(fresh_timelines, eager_tasks, media_root):
    """No timelines left by another test, tasks inline, photos stored in a temporary folder."""


def signed_in(client, person):
    client.force_login(person.user)
    return client


def htmx_get(client, url, data=None):
    return client.get(url, data or {}, HTTP_HX_REQUEST="true")


def htmx_post(client, url, data=None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def page_text(response) -> str:
    assert response.status_code in (200, 202, 400), response.status_code
    return response.content.decode()


def options(html: str) -> list[str]:
    """The visibility values the composer offers."""
    select = re.search(r'<select id="composer-visibility".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\w+)"', select)


def selected_option(html: str) -> str:
    return re.search(r'<option value="(\w+)" selected', html).group(1)


def activity_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-activity-id="(\d+)"', html)]


def post_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-object="post:(\d+)"', html)]


def write(committed, author, body, visibility=None, **kwargs):
    """A post, fanned out as after a real commit."""
    with committed():
        return feed_services.post_create(author=author, body=body, visibility=visibility, **kwargs)


@pytest.fixture
def marco_follows_ana(ana, marco, committed):
    active(ana, marco)
    with committed():
        graph.follow(follower=marco, followee=ana)
    build_timeline(ana)
    build_timeline(marco)


# --- The composer ---------------------------------------------------------------------------


def test_ana_posts_from_the_composer_and_her_post_is_at_the_top_at_once(client, ana, committed):
    signed_in(client, ana)
    write(committed, ana, "An older post")

    with committed():
        response = htmx_post(client, POSTS, {"body": "Release day! 🚀", "visibility": "network"})

    html = page_text(response)
    [post] = Post.objects.filter(body="Release day! 🚀")
    assert post.visibility == "network"
    # A fresh composer, and the post put at the top of the feed out of band.
    assert 'id="composer"' in html
    assert 'hx-swap-oob="afterbegin:#feed-items"' in html
    assert f'data-object="post:{post.pk}"' in html
    assert "sbToast" in response["HX-Trigger"]
    # And the home page has it first.
    assert post_ids(page_text(client.get(HOME)))[0] == post.pk


def test_without_script_the_composer_posts_and_comes_back_home(client, ana):
    signed_in(client, ana)

    response = client.post(POSTS, {"body": "Plain old form", "visibility": "company"})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert Post.objects.get().body == "Plain old form"


def test_an_empty_post_shows_the_error_next_to_the_text_and_stores_nothing(client, ana):
    signed_in(client, ana)

    response = htmx_post(client, POSTS, {"body": "   ", "visibility": "company"})

    html = page_text(response)
    assert response.status_code == 200  # htmx swaps the composer with its error
    assert 'id="composer-body-error"' in html and "Write something first." in html
    assert 'aria-invalid="true"' in html
    assert not Post.objects.exists()


def test_a_post_too_long_keeps_its_text_and_says_how_long_it_may_be(client, ana):
    signed_in(client, ana)
    body = "x" * 5001

    response = client.post(POSTS, {"body": body, "visibility": "company"})

    html = page_text(response)
    assert response.status_code == 400  # the whole page, with the composer's error
    assert "At most 5000 characters." in html
    assert body in html
    assert not Post.objects.exists()


def test_what_people_write_is_escaped(client, ana, priya, committed):
    signed_in(client, ana)
    write(committed, ana, '<script>alert("hi")</script> <img src=x onerror=alert(1)> @priya')

    html = page_text(client.get(HOME))

    assert '<script>alert("hi")</script>' not in html
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert '<a class="mention" href="/people/priya/">@priya</a>' in html


def test_an_employee_picks_company_network_or_connections_and_company_comes_first(client, ana):
    html = page_text(signed_in(client, ana).get(HOME))

    assert options(html) == ["company", "network", "connections"]
    assert selected_option(html) == "company"


def test_an_alumnus_is_never_offered_company_and_network_comes_first(client, olu):
    html = page_text(signed_in(client, olu).get(HOME))

    assert options(html) == ["network", "connections"]
    assert selected_option(html) == "network"


def test_an_alumnus_who_sends_company_anyway_gets_the_error_next_to_the_picker(client, olu):
    signed_in(client, olu)

    response = htmx_post(client, POSTS, {"body": "Still here", "visibility": "company"})

    html = page_text(response)
    assert 'id="composer-visibility-error"' in html
    assert "Alumni share with their network or their connections." in html
    assert not Post.objects.exists()


# --- The feed -------------------------------------------------------------------------------


def test_the_feed_shows_what_the_viewer_may_see_and_never_company_posts_to_an_alumnus(
    client, ana, olu, priya, committed
):
    active(ana, olu, priya)
    with committed():
        graph.follow(follower=olu, followee=ana)
        graph.follow(follower=priya, followee=ana)
    inside = write(committed, ana, "Quarterly numbers, internal", "company")
    outside = write(committed, ana, "Hello to everyone who moved on", "network")
    private = write(committed, ana, "Only for my connections", "connections")

    olu_sees = post_ids(page_text(signed_in(client, olu).get(HOME)))
    priya_sees = post_ids(page_text(signed_in(client, priya).get(HOME)))

    assert olu_sees == [outside.pk]
    assert priya_sees == [outside.pk, inside.pk]
    assert private.pk not in olu_sees + priya_sees


def test_the_body_knows_the_newest_item_so_the_live_socket_resumes_after_it(client, ana, committed):
    write(committed, ana, "one")
    write(committed, ana, "two")

    html = page_text(signed_in(client, ana).get(HOME))

    newest = max(activity_ids(html))
    assert f'data-last-activity="{newest}"' in html


def test_the_feed_goes_on_page_after_page_by_cursor(client, ana, committed):
    written = [write(committed, ana, f"Post number {n}") for n in range(25)]
    signed_in(client, ana)

    first = page_text(client.get(HOME))
    cursor = int(re.search(r"/feed/more/\?cursor=(\d+)", first).group(1))
    rest = page_text(htmx_get(client, FEED_MORE, {"cursor": cursor}))

    newest_first = [p.pk for p in reversed(written)]
    assert post_ids(first) == newest_first[:20]
    assert cursor == min(activity_ids(first))
    assert post_ids(rest) == newest_first[20:]
    assert "/feed/more/" not in rest  # the end: no sentinel
    assert "all caught up" in rest
    assert 'hx-trigger="revealed"' in first and "Load more" in first


def test_without_script_load_more_is_the_home_page_with_a_cursor(client, ana, committed):
    written = [write(committed, ana, f"Post number {n}") for n in range(22)]
    signed_in(client, ana)
    cursor = min(activity_ids(page_text(client.get(HOME))))

    assert client.get(FEED_MORE, {"cursor": cursor})["Location"] == f"/?cursor={cursor}"
    older = page_text(client.get(HOME, {"cursor": cursor}))
    assert post_ids(older) == [written[1].pk, written[0].pk]
    assert "data-last-activity" not in older  # an older page does not resume the live feed


def test_a_cursor_that_is_not_an_id_is_a_400(client, ana):
    assert htmx_get(signed_in(client, ana), FEED_MORE, {"cursor": "abc"}).status_code == 400


def test_new_items_are_only_those_after_the_newest_shown(client, ana, marco, marco_follows_ana, committed):
    write(committed, ana, "Seen already")
    signed_in(client, marco)
    newest = max(activity_ids(page_text(client.get(HOME))))
    later = [write(committed, ana, "Fresh one"), write(committed, ana, "Fresher one")]

    response = htmx_get(client, FEED_NEW, {"after": newest})

    assert post_ids(page_text(response)) == [later[1].pk, later[0].pk]
    assert all(i > newest for i in activity_ids(page_text(response)))
    assert (
        post_ids(
            page_text(htmx_get(client, FEED_NEW, {"after": max(activity_ids(response.content.decode()))}))
        )
        == []
    )


def test_the_feed_tells_of_photos_and_people_too(client, ana, marco, priya, committed):
    active(ana, marco, priya)
    with committed():
        graph.follow(follower=marco, followee=ana)
        connect(priya, ana)  # Ana accepts: "Ana connected with Priya", for Ana's followers
    album = Album.objects.create(owner=ana, title="Team offsite", visibility="company")
    with committed():
        photos = _upload_into(ana, album)
    signed_in(client, marco)

    html = page_text(client.get(HOME))

    assert "added 2 photos to" in html and "Team offsite" in html
    for photo in photos:
        assert f"/api/v1/photos/{photo.pk}/media/thumb/" in html
    assert "connected with" in html and "Priya Nair" in html


def test_a_colleague_leaving_and_coming_back_is_news_for_her_connections(client, ana, marco, committed):
    active(ana, marco)
    with committed():
        connect(ana, marco)
    build_timeline(marco)
    with committed():
        alumnus_offboard(profile=ana, leave_date=dt.date(2024, 6, 30), personal_email="ana@home.example")
    with committed():
        alumnus_rehire(profile=ana)

    html = page_text(signed_in(client, marco).get(HOME))

    assert "<strong>Ana Silva</strong> has left the company and joined the alumni network." in html
    assert "<strong>Ana Silva</strong> is back at the company. Welcome back!" in html
    assert "Visit Ana Silva's profile" in html


def _upload_into(person, album) -> list[Photo]:
    return photo_services.photos_upload(
        album=album,
        by=person,
        files=[
            upload(camera_jpeg(), "a.jpg"),
            upload(png_with_text(transparent=False), "b.png", "image/png"),
        ],
    )


# --- Empty states and the sidebar -----------------------------------------------------------


def test_a_newcomer_is_told_to_follow_people_and_to_write_a_first_post(client, ana):
    html = page_text(signed_in(client, ana).get(HOME))

    assert 'id="feed-empty"' in html
    assert 'href="/people/"' in html and "Find people to follow" in html
    assert 'href="#composer-body"' in html and "Write your first post" in html


def test_an_alumnus_with_an_empty_feed_is_pointed_to_former_colleagues_and_alumni(client, olu):
    html = page_text(signed_in(client, olu).get(HOME))

    assert 'id="feed-empty"' in html
    assert 'href="/alumni/former-colleagues/"' in html
    assert 'href="/alumni/"' in html


def test_an_alumnus_sees_former_colleagues_beside_the_feed(client, ana, marco, platform, committed):
    employment_start(profile=ana, start=dt.date(2020, 1, 1), department=platform, manager=marco)
    employment_start(profile=marco, start=dt.date(2018, 1, 1), department=platform)
    with committed():
        alumnus_offboard(profile=ana, leave_date=dt.date(2024, 6, 30), personal_email="ana@home.example")
    ana.refresh_from_db()

    html = page_text(signed_in(client, ana).get(HOME))

    assert "Former colleagues" in html
    assert 'href="/people/marco/"' in html
    assert 'href="/alumni/former-colleagues/"' in html and 'href="/alumni/"' in html
    assert "Your network" not in html


def test_an_employee_sees_her_card_and_her_waiting_connection_requests(client, ana, priya, marco):
    graph.connection_request_send(sender=priya, receiver=ana)
    graph.connection_request_send(sender=marco, receiver=ana)

    html = page_text(signed_in(client, ana).get(HOME))

    assert "2 connection requests waiting" in html
    assert 'href="/connections/"' in html
    assert "Former colleagues" not in html


# --- Comments and reactions -----------------------------------------------------------------


def test_priya_comments_inline_and_the_count_follows(client, ana, priya, committed):
    post = write(committed, ana, "Lunch on Friday?")
    signed_in(client, priya)

    response = htmx_post(client, f"/posts/{post.pk}/comments/", {"body": "Count me in <b>!</b>"})

    html = page_text(response)
    assert "Count me in &lt;b&gt;!&lt;/b&gt;" in html
    assert f'id="comment-count-{post.pk}"' in html and 'hx-swap-oob="true"' in html and "1 comment" in html
    assert Comment.objects.get().author == priya


def test_comments_open_inline_newest_page_first(client, ana, priya, committed):
    post = write(committed, ana, "Ideas for the offsite?")
    for n in range(23):
        feed_services.comment_create(post=post, author=priya, body=f"Idea {n}")
    signed_in(client, ana)

    thread = page_text(htmx_get(client, f"/posts/{post.pk}/comments/"))
    earlier = page_text(htmx_get(client, f"/posts/{post.pk}/comments/", {"page": 1}))

    assert re.findall(r"Idea (\d+)<", thread) == ["20", "21", "22"]
    assert "Show earlier comments" in thread
    assert re.findall(r"Idea (\d+)<", earlier) == [str(n) for n in range(20)]
    assert 'for="comment-body-' in thread  # the form to add one


def test_an_empty_comment_shows_the_error_and_stores_nothing(client, ana, priya, committed):
    post = write(committed, ana, "Lunch?")

    html = page_text(htmx_post(signed_in(client, priya), f"/posts/{post.pk}/comments/", {"body": ""}))

    assert "Write something first." in html and f'id="comment-error-{post.pk}"' in html
    assert not Comment.objects.exists()


def test_priya_deletes_her_own_comment_but_not_marcos(client, ana, priya, marco, committed):
    post = write(committed, ana, "Lunch?")
    mine = feed_services.comment_create(post=post, author=priya, body="Yes")
    marcos = feed_services.comment_create(post=post, author=marco, body="No")
    signed_in(client, priya)

    thread = page_text(htmx_get(client, f"/posts/{post.pk}/comments/"))
    assert thread.count('name="delete"') == 1 and f'value="{mine.pk}"' in thread

    htmx_post(client, f"/posts/{post.pk}/comments/", {"delete": mine.pk})
    htmx_post(client, f"/posts/{post.pk}/comments/", {"delete": marcos.pk})

    assert list(Comment.objects.values_list("pk", flat=True)) == [marcos.pk]


def test_a_hidden_posts_comments_and_reactions_are_404(client, ana, olu, committed):
    inside = write(committed, ana, "Internal", "company")
    signed_in(client, olu)

    assert htmx_get(client, f"/posts/{inside.pk}/comments/").status_code == 404
    assert htmx_post(client, f"/posts/{inside.pk}/comments/", {"body": "hi"}).status_code == 404
    assert htmx_post(client, f"/posts/{inside.pk}/reaction/", {"action": "like"}).status_code == 404
    assert client.get(f"/posts/{inside.pk}/").status_code == 404
    assert not Comment.objects.exists() and not Reaction.objects.exists()


def test_a_like_toggles_with_its_count(client, ana, priya, committed):
    post = write(committed, ana, "Shipped!")
    signed_in(client, priya)

    liked = page_text(htmx_post(client, f"/posts/{post.pk}/reaction/", {"action": "like"}))
    assert 'aria-pressed="true"' in liked and "1 like<" in liked and 'value="unlike"' in liked

    unliked = page_text(htmx_post(client, f"/posts/{post.pk}/reaction/", {"action": "unlike"}))
    assert 'aria-pressed="false"' in unliked and "0 likes" in unliked
    assert not Reaction.objects.exists()


def test_without_script_a_like_comes_back_to_the_page(client, ana, priya, committed):
    post = write(committed, ana, "Shipped!")

    response = signed_in(client, priya).post(f"/posts/{post.pk}/reaction/", {"action": "like", "next": "/"})

    assert response["Location"] == "/"
    assert Reaction.objects.get().person == priya


# --- Deleting a post ------------------------------------------------------------------------


def test_ana_deletes_her_post_and_it_leaves_the_page(client, ana, committed):
    post = write(committed, ana, "Oops, wrong channel")
    html = page_text(signed_in(client, ana).get(HOME))
    assert f'hx-post="/posts/{post.pk}/delete/"' in html and "hx-confirm=" in html

    with committed():
        response = htmx_post(client, f"/posts/{post.pk}/delete/")

    assert (response.status_code, response.content) == (200, b"")
    assert not Post.objects.exists()
    assert post.pk not in post_ids(page_text(client.get(HOME)))


def test_no_one_else_may_delete_it(client, ana, priya, committed):
    post = write(committed, ana, "Mine")
    signed_in(client, priya)

    assert f"/posts/{post.pk}/delete/" not in page_text(client.get(f"/posts/{post.pk}/"))
    assert htmx_post(client, f"/posts/{post.pk}/delete/").status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_post_has_its_own_page_with_the_comments_open(client, ana, priya, committed):
    post = write(committed, ana, "Read me")
    feed_services.comment_create(post=post, author=priya, body="Read it")

    html = page_text(signed_in(client, priya).get(f"/posts/{post.pk}/"))

    assert "Read me" in html and "Read it" in html
    assert 'aria-expanded="true"' in html


# --- Photos on a post -----------------------------------------------------------------------


def attach(client, committed, *files, visibility="company"):
    """Ana picks images: they are uploaded, then processed once the upload commits."""
    with committed():
        response = client.post(ATTACH, {"image": list(files), "visibility": visibility})
    return response


def test_ana_attaches_photos_follows_their_processing_and_posts_them(client, ana, priya, committed):
    signed_in(client, ana)

    response = attach(
        client,
        committed,
        upload(camera_jpeg(), "IMG_0001.jpg"),
        upload(png_with_text(transparent=True), "IMG_0002.png", "image/png"),
    )

    assert response.status_code == 202
    chips = page_text(response)
    ids = [int(i) for i in re.findall(r'data-photo-id="(\d+)"', chips)]
    assert len(ids) == 2 and chips.count('data-status="processing"') == 2
    album = Album.objects.get(owner=ana)
    assert (album.title, album.visibility) == ("Photos from my posts", "company")

    # The composer asks again: processing has run since.
    followed = page_text(client.get(ATTACH, {"album": album.pk, "ids": ids}))
    assert followed.count('data-status="ready"') == 2
    assert f"/api/v1/photos/{ids[0]}/media/thumb/" in followed
    assert 'name="alt_' in followed and "Describe this photo" in followed

    with committed():
        posted = htmx_post(
            client,
            POSTS,
            {"body": "Offsite!", "visibility": "company", "photos": ids, f"alt_{ids[0]}": "Ana on the boat"},
        )
    assert posted.status_code == 200

    post = Post.objects.get()
    html = page_text(signed_in(client, priya).get(f"/posts/{post.pk}/"))
    for pk in ids:
        assert f"/api/v1/photos/{pk}/media/thumb/" in html
    assert 'alt="Ana on the boat"' in html
    assert Photo.objects.get(pk=ids[0]).alt_text == "Ana on the boat"


def attached_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-photo-id="(\d+)"', response.content.decode())]


def test_a_refused_post_leaves_the_alt_texts_as_they_were(client, ana, committed):
    signed_in(client, ana)
    ids = attached_ids(attach(client, committed, upload(camera_jpeg(), "boat.jpg")))
    too_long = "x" * (POST_MAX_CHARS + 1)

    response = htmx_post(
        client,
        POSTS,
        {"body": too_long, "visibility": "company", "photos": ids, f"alt_{ids[0]}": "On the boat"},
    )

    html = page_text(response)
    assert "At most" in html and not Post.objects.exists()
    assert Photo.objects.get(pk=ids[0]).alt_text == ""
    assert 'value="On the boat"' in html  # what she typed is still in the composer


def test_a_photo_from_a_narrower_album_refuses_the_post_and_leaves_its_alt_text(client, ana, committed):
    signed_in(client, ana)
    ids = attached_ids(attach(client, committed, upload(camera_jpeg(), "a.jpg"), visibility="connections"))

    response = htmx_post(
        client,
        POSTS,
        {"body": "For everyone", "visibility": "company", "photos": ids, f"alt_{ids[0]}": "A cat"},
    )

    assert "fewer people may see than this post" in page_text(response)
    assert not Post.objects.exists()
    assert Photo.objects.get(pk=ids[0]).alt_text == ""


def test_an_alt_text_too_long_is_an_error_beside_the_photos_not_a_crash(client, ana, committed):
    signed_in(client, ana)
    ids = attached_ids(attach(client, committed, upload(camera_jpeg(), "a.jpg")))

    response = client.post(POSTS, {"body": "Hello", "photos": ids, f"alt_{ids[0]}": "y" * 501})

    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not Post.objects.exists() and Photo.objects.get(pk=ids[0]).alt_text == ""


def test_deleting_a_post_takes_the_photos_uploaded_with_it_out_of_her_albums(client, ana, committed):
    signed_in(client, ana)
    ids = attached_ids(
        attach(client, committed, upload(camera_jpeg(), "a.jpg"), upload(camera_jpeg(), "b.jpg"))
    )
    with committed():
        htmx_post(client, POSTS, {"body": "Offsite!", "visibility": "company", "photos": ids})
    post = Post.objects.get()
    album = Album.objects.get(owner=ana, for_posts=True)
    files = [name for photo in Photo.objects.all() for name in photo.stored_files()]
    assert album.photo_count == 2 and album.cover_id in ids and all(default_storage.exists(f) for f in files)

    with committed():
        response = htmx_post(client, f"/posts/{post.pk}/delete/")

    assert response.status_code == 200
    album.refresh_from_db()
    assert not Photo.objects.filter(pk__in=ids).exists()
    assert (album.photo_count, album.cover_id) == (0, None)
    assert not any(default_storage.exists(f) for f in files)


def test_deleting_a_post_keeps_photos_that_live_on_elsewhere(client, ana, committed):
    """A photo of an album Ana made herself, and one another post of hers still carries."""
    own_album = Album.objects.create(owner=ana, title="Team offsite", visibility="company")
    with committed():
        [kept, _other] = _upload_into(ana, own_album)
    signed_in(client, ana)
    [shared] = attached_ids(attach(client, committed, upload(camera_jpeg(), "a.jpg")))
    first = write(committed, ana, "Day one", "company", attachments={"photos": [kept.pk, shared]})
    write(committed, ana, "Day two", "company", attachments={"photos": [shared]})

    with committed():
        client.post(f"/posts/{first.pk}/delete/")

    assert not Post.objects.filter(pk=first.pk).exists()
    assert Photo.objects.filter(pk__in=[kept.pk, shared]).count() == 2


def test_the_delete_button_says_the_photos_go_too(client, ana, committed):
    signed_in(client, ana)
    ids = attached_ids(attach(client, committed, upload(camera_jpeg(), "a.jpg")))
    with committed():
        htmx_post(client, POSTS, {"body": "With a photo", "visibility": "company", "photos": ids})
    write(committed, ana, "Without one", "company")

    html = page_text(client.get(HOME))

    assert html.count("the photos uploaded with it leave your albums") == 1


def test_photos_for_posts_of_one_visibility_share_one_album(client, ana, committed):
    signed_in(client, ana)

    attach(client, committed, upload(camera_jpeg(), "a.jpg"))
    attach(client, committed, upload(camera_jpeg(), "b.jpg"))
    attach(client, committed, upload(camera_jpeg(), "c.jpg"), visibility="connections")

    assert sorted(Album.objects.filter(owner=ana).values_list("visibility", "photo_count")) == [
        ("company", 2),
        ("connections", 1),
    ]


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, ana, committed):
    signed_in(client, ana)

    response = attach(client, committed, upload(NOT_ALLOWED["svg"](), "holiday.jpg"))

    assert response.status_code == 415
    assert "not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_photo_still_processing_cannot_be_posted_and_the_error_is_beside_the_photos(client, ana):
    signed_in(client, ana)
    # No commit: processing has not run.
    response = client.post(ATTACH, {"image": [upload(camera_jpeg(), "a.jpg")], "visibility": "company"})
    [pk] = [int(i) for i in re.findall(r'data-photo-id="(\d+)"', response.content.decode())]

    html = page_text(htmx_post(client, POSTS, {"body": "Too soon", "visibility": "company", "photos": [pk]}))

    assert 'id="composer-photos-error"' in html and "not ready photos of yours" in html
    assert f'data-photo-id="{pk}"' in html  # the photo is still in the composer
    assert not Post.objects.exists()


def test_someone_elses_photos_cannot_be_followed(client, ana, marco, committed):
    signed_in(client, marco)
    attach(client, committed, upload(camera_jpeg(), "a.jpg"))
    album = Album.objects.get(owner=marco)

    response = signed_in(client, ana).get(ATTACH, {"album": album.pk, "ids": [Photo.objects.get().pk]})

    assert response.status_code == 404


# --- Constant queries -----------------------------------------------------------------------


def queries(client, url, data=None, htmx=False) -> int:
    client.get(url, data or {}, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))  # warm up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {}, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
    assert response.status_code == 200
    return len(captured)


def busy_posts(committed, ana, priya, marco, count: int, photos: list[int]) -> None:
    """``count`` posts from the people Ana follows, with photos, comments and likes."""
    for n in range(count):
        author = (priya, marco)[n % 2]
        attachments = {"photos": photos} if author == priya else None
        post = write(committed, author, f"Update {n} from @{author.user.username}", attachments=attachments)
        feed_services.comment_create(post=post, author=ana, body="Nice")
        feed_services.reaction_set(post=post, person=ana)


@pytest.fixture
def ana_follows_priya_and_marco(client, ana, priya, marco, committed):
    active(ana, priya, marco)
    with committed():
        graph.follow(follower=ana, followee=priya)
        graph.follow(follower=ana, followee=marco)
    build_timeline(ana)
    album = Album.objects.create(owner=priya, title="Sketches", visibility="company")
    with committed():
        photos = _upload_into(priya, album)
    return [p.pk for p in photos]


def test_the_home_page_costs_the_same_queries_for_3_or_15_items(
    client, ana, priya, marco, committed, ana_follows_priya_and_marco
):
    signed_in(client, ana)

    busy_posts(committed, ana, priya, marco, 3, ana_follows_priya_and_marco)
    with_3 = queries(client, HOME)
    busy_posts(committed, ana, priya, marco, 12, ana_follows_priya_and_marco)
    with_15 = queries(client, HOME)

    assert len(post_ids(page_text(client.get(HOME)))) == 15
    assert with_3 == with_15


def test_more_of_the_feed_costs_the_same_queries_for_3_or_15_items(
    client, ana, priya, marco, committed, ana_follows_priya_and_marco
):
    signed_in(client, ana)

    def more_after_a_marker() -> int:
        marker = write(committed, marco, "Everything older than this")
        cursor = activity_of(marker).pk
        return queries(client, FEED_MORE, {"cursor": cursor}, htmx=True)

    busy_posts(committed, ana, priya, marco, 3, ana_follows_priya_and_marco)
    with_3 = more_after_a_marker()
    busy_posts(committed, ana, priya, marco, 12, ana_follows_priya_and_marco)
    with_16 = more_after_a_marker()  # 12 + the first marker + 3

    assert with_3 == with_16


def test_the_home_page_of_an_alumnus_costs_the_same_for_3_or_15_items(client, olu, ana, committed):
    active(olu, ana)
    with committed():
        graph.follow(follower=olu, followee=ana)
    build_timeline(olu)
    signed_in(client, olu)

    def cost(count: int) -> int:
        for n in range(count):
            write(committed, ana, f"For the network {n}", Visibility.NETWORK)
        return queries(client, HOME)

    assert cost(3) == cost(12)


def test_photos_picked_for_a_post_are_announced_by_the_post_alone(
    client, ana, marco, marco_follows_ana, committed
):
    signed_in(client, ana)
    response = attach(client, committed, upload(camera_jpeg(), "a.jpg"))
    ids = [int(i) for i in re.findall(r'data-photo-id="(\d+)"', response.content.decode())]
    with committed():
        htmx_post(client, POSTS, {"body": "Offsite!", "visibility": "company", "photos": ids})

    html = page_text(signed_in(client, marco).get(HOME))

    assert "Offsite!" in html
    assert "added a photo" not in html and "Photos from my posts" not in html
