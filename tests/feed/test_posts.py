"""Status updates, comments and reactions, as people use them through the API, and who may
see each of them (DESIGN.md, "Audience")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feed.models import Activity, Comment, Post, Reaction
from profiles import services as graph
from profiles.models import ProfileStatus
from tests.audience import SEES
from tests.factories import make_person
from tests.feed.stories import (
    active,
    activity_of,
    build_timeline,
    connect,
    database_feed,
    feed_post_ids,
    post,
    timeline_score,
)

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def post_url(post_or_id) -> str:
    return f"{POSTS}{getattr(post_or_id, 'pk', post_or_id)}/"


# --- Creating a post ------------------------------------------------------------------------


def test_employee_posts_to_the_company_by_default(ana, client_for):
    response = client_for(ana).post(POSTS, {"body": "Shipped the new build pipeline"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visibility"] == "company"
    assert body["author"]["username"] == "ana"
    assert body["body"] == "Shipped the new build pipeline"
    assert (body["comment_count"], body["reaction_count"], body["my_reaction"]) == (0, 0, None)
    stored = Post.objects.get(pk=body["id"])
    assert (stored.author, stored.visibility) == (ana, "company")
    assert activity_of(stored).visibility == "company"


def test_alumnus_posts_to_their_network_by_default(olu, client_for):
    response = client_for(olu).post(POSTS, {"body": "Now at a startup in Lagos"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["visibility"] == "network"


def test_alumnus_cannot_post_to_the_company(olu, client_for):
    response = client_for(olu).post(POSTS, {"body": "Hello old team", "visibility": "company"}, format="json")

    assert response.status_code == 400
    assert "visibility" in response.json()
    assert not Post.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("visibility", ["company", "network", "connections"])
def test_employee_may_choose_any_visibility(ana, client_for, visibility):
    response = client_for(ana).post(POSTS, {"body": "Hi", "visibility": visibility}, format="json")

    assert response.status_code == 201, response.content
    assert Post.objects.get().visibility == visibility


def test_unknown_visibility_is_refused(ana, client_for):
    response = client_for(ana).post(POSTS, {"body": "Hi", "visibility": "everyone"}, format="json")

    assert response.status_code == 400
    assert "visibility" in response.json()
    assert not Post.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n\t  ", None], ids=["empty", "blank", "missing"])
def test_post_without_text_is_refused_and_nothing_stored(ana, client_for, body):
    payload = {} if body is None else {"body": body}

    response = client_for(ana).post(POSTS, payload, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Post.objects.exists()
    assert not Activity.objects.exists()


def test_post_over_5000_characters_is_refused_and_nothing_stored(ana, client_for):
    response = client_for(ana).post(POSTS, {"body": "x" * 5001}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Post.objects.exists()
    assert not Activity.objects.exists()


def test_post_of_exactly_5000_characters_is_accepted(ana, client_for):
    response = client_for(ana).post(POSTS, {"body": "x" * 5000}, format="json")

    assert response.status_code == 201
    assert len(Post.objects.get().body) == 5000


def test_html_in_a_post_is_shown_as_text_never_run(ana, client_for):
    text = '<script>alert("hi")</script><img src=x onerror=alert(1)>'

    body = client_for(ana).post(POSTS, {"body": text}, format="json").json()

    assert body["body"] == text  # the text is kept as written
    assert "<script" not in body["body_html"]
    assert "<img" not in body["body_html"]
    assert "&lt;script&gt;" in body["body_html"]


def test_links_and_mentions_become_safe_links(ana, priya, client_for):
    text = "Design review with @priya, notes at https://wiki.example.com/review?id=7 ."

    body = client_for(ana).post(POSTS, {"body": text}, format="json").json()

    html = body["body_html"]
    assert '<a class="mention" href="/people/priya/">@priya</a>' in html
    assert (
        '<a href="https://wiki.example.com/review?id=7" rel="nofollow noopener" target="_blank">'
        "https://wiki.example.com/review?id=7</a>"
    ) in html
    assert body["mentions"] == ["priya"]


# --- Editing and deleting -------------------------------------------------------------------


def test_author_edits_a_post(ana, client_for):
    written = post(ana, "Frist draft")

    response = client_for(ana).patch(post_url(written), {"body": "First draft"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["body"] == "First draft"
    assert response.json()["edited_at"] is not None
    written.refresh_from_db()
    assert written.body == "First draft"


def test_edit_with_an_empty_body_is_refused_and_changes_nothing(ana, client_for):
    written = post(ana, "Keep me")

    response = client_for(ana).patch(post_url(written), {"body": "  "}, format="json")

    assert response.status_code == 400
    written.refresh_from_db()
    assert (written.body, written.edited_at) == ("Keep me", None)


def test_alumnus_cannot_change_an_old_post_to_company(olu, client_for):
    written = post(olu, "Network news", "network")

    response = client_for(olu).patch(post_url(written), {"visibility": "company"}, format="json")

    assert response.status_code == 400
    written.refresh_from_db()
    assert written.visibility == "network"


def test_someone_who_sees_a_post_may_not_edit_it(ana, priya, client_for):
    written = post(ana, "Mine", "company")

    response = client_for(priya).patch(post_url(written), {"body": "Yours now"}, format="json")

    assert response.status_code == 403
    written.refresh_from_db()
    assert written.body == "Mine"


def test_someone_who_sees_a_post_may_not_delete_it(ana, priya, client_for):
    written = post(ana, "Mine", "company")

    response = client_for(priya).delete(post_url(written))

    assert response.status_code == 403
    assert Post.objects.filter(pk=written.pk).exists()


def test_someone_who_cannot_see_a_post_gets_404_on_edit_and_delete(ana, olu, client_for):
    written = post(ana, "Inside the company", "company")

    assert client_for(olu).patch(post_url(written), {"body": "x"}, format="json").status_code == 404
    assert client_for(olu).delete(post_url(written)).status_code == 404
    written.refresh_from_db()
    assert written.body == "Inside the company"


def test_author_deletes_a_post(ana, client_for):
    written = post(ana, "Oops")
    activity = activity_of(written)

    response = client_for(ana).delete(post_url(written))

    assert response.status_code == 204
    assert not Post.objects.filter(pk=written.pk).exists()
    assert client_for(ana).get(post_url(written)).status_code == 404
    # The activity stays as a tombstone, so that a late fan-out knows not to write it.
    activity.refresh_from_db()
    assert activity.removed_at is not None


def test_a_hidden_post_looks_exactly_like_a_missing_one(ana, olu, client_for):
    hidden = post(ana, "Inside the company", "company")

    as_hidden = client_for(olu).get(post_url(hidden))
    as_missing = client_for(olu).get(post_url(hidden.pk + 1000))

    assert as_hidden.status_code == as_missing.status_code == 404
    assert as_hidden.json() == as_missing.json()


# --- Comments -------------------------------------------------------------------------------


def comments_url(post_or_id) -> str:
    return f"{post_url(post_or_id)}comments/"


def test_comments_are_listed_oldest_first(ana, marco, priya, client_for):
    written = post(ana, "Lunch?")
    for person, text in [(marco, "Yes"), (priya, "Sure"), (ana, "12:30 then")]:
        response = client_for(person).post(comments_url(written), {"body": text}, format="json")
        assert response.status_code == 201, response.content

    listed = client_for(priya).get(comments_url(written)).json()["results"]

    assert [(c["author"]["username"], c["body"]) for c in listed] == [
        ("marco", "Yes"),
        ("priya", "Sure"),
        ("ana", "12:30 then"),
    ]


def test_comment_is_created_and_counted(ana, priya, client_for):
    written = post(ana, "Lunch?")

    response = client_for(priya).post(comments_url(written), {"body": "<b>Yes</b>"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["author"]["username"], body["post"], body["body"]) == ("priya", written.pk, "<b>Yes</b>")
    assert "<b>" not in body["body_html"]
    assert client_for(priya).get(post_url(written)).json()["comment_count"] == 1


@pytest.mark.parametrize("text", ["", "   ", "y" * 2001], ids=["empty", "blank", "too-long"])
def test_bad_comment_is_refused_and_nothing_stored(ana, priya, client_for, text):
    written = post(ana, "Lunch?")

    response = client_for(priya).post(comments_url(written), {"body": text}, format="json")

    assert response.status_code == 400
    assert not Comment.objects.exists()
    written.refresh_from_db()
    assert written.comment_count == 0


def test_comment_author_deletes_their_comment(ana, priya, client_for):
    written = post(ana, "Lunch?")
    comment_id = client_for(priya).post(comments_url(written), {"body": "Yes"}, format="json").json()["id"]

    assert client_for(priya).delete(f"/api/v1/comments/{comment_id}/").status_code == 204

    assert not Comment.objects.filter(pk=comment_id).exists()
    assert client_for(ana).get(post_url(written)).json()["comment_count"] == 0


def test_post_author_deletes_a_comment_on_their_post(ana, priya, client_for):
    written = post(ana, "Lunch?")
    comment_id = client_for(priya).post(comments_url(written), {"body": "Spam"}, format="json").json()["id"]

    assert client_for(ana).delete(f"/api/v1/comments/{comment_id}/").status_code == 204

    assert not Comment.objects.filter(pk=comment_id).exists()


def test_others_may_not_delete_a_comment(ana, marco, priya, client_for):
    written = post(ana, "Lunch?")
    comment_id = client_for(priya).post(comments_url(written), {"body": "Yes"}, format="json").json()["id"]

    assert client_for(marco).delete(f"/api/v1/comments/{comment_id}/").status_code == 403

    assert Comment.objects.filter(pk=comment_id).exists()


def test_comment_on_a_hidden_post_is_404_for_every_comment_action(ana, priya, olu, client_for):
    hidden = post(ana, "Inside the company", "company")
    comment_id = client_for(priya).post(comments_url(hidden), {"body": "Yes"}, format="json").json()["id"]

    assert client_for(olu).get(comments_url(hidden)).status_code == 404
    assert client_for(olu).post(comments_url(hidden), {"body": "Me too"}, format="json").status_code == 404
    assert client_for(olu).delete(f"/api/v1/comments/{comment_id}/").status_code == 404
    assert Comment.objects.count() == 1


# --- Reactions ------------------------------------------------------------------------------


def reaction_url(post_or_id) -> str:
    return f"{post_url(post_or_id)}reaction/"


def test_like_is_created_then_repeated_without_effect(ana, priya, client_for):
    written = post(ana, "Lunch?")
    priya_client = client_for(priya)

    first = priya_client.put(reaction_url(written), {"kind": "like"}, format="json")
    again = priya_client.put(reaction_url(written), {"kind": "like"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json() == again.json() == {"my_reaction": "like", "reaction_count": 1}
    assert Reaction.objects.filter(post=written).count() == 1


def test_reactions_are_counted_per_person_and_my_reaction_is_mine(ana, marco, priya, client_for):
    written = post(ana, "Lunch?")
    client_for(priya).put(reaction_url(written), {"kind": "like"}, format="json")
    client_for(marco).put(reaction_url(written), {"kind": "like"}, format="json")

    assert client_for(priya).get(post_url(written)).json()["reaction_count"] == 2
    assert client_for(priya).get(post_url(written)).json()["my_reaction"] == "like"
    assert client_for(ana).get(post_url(written)).json()["my_reaction"] is None


def test_taking_a_like_back_is_idempotent(ana, priya, client_for):
    written = post(ana, "Lunch?")
    priya_client = client_for(priya)
    priya_client.put(reaction_url(written), {"kind": "like"}, format="json")

    assert priya_client.delete(reaction_url(written)).status_code == 204
    assert priya_client.delete(reaction_url(written)).status_code == 204

    shown = priya_client.get(post_url(written)).json()
    assert (shown["reaction_count"], shown["my_reaction"]) == (0, None)
    assert not Reaction.objects.exists()


def test_unknown_reaction_kind_is_refused(ana, priya, client_for):
    written = post(ana, "Lunch?")

    response = client_for(priya).put(reaction_url(written), {"kind": "angry"}, format="json")

    assert response.status_code == 400
    assert "kind" in response.json()
    assert not Reaction.objects.exists()


def test_reacting_to_a_hidden_post_is_404(ana, olu, client_for):
    hidden = post(ana, "Inside the company", "company")

    assert client_for(olu).put(reaction_url(hidden), {"kind": "like"}, format="json").status_code == 404
    assert client_for(olu).delete(reaction_url(hidden)).status_code == 404
    assert not Reaction.objects.exists()


def test_counts_are_shown_without_counting_queries(ana, marco, priya, client_for):
    written = post(ana, "Lunch?")
    for person in (marco, priya):
        client_for(person).put(reaction_url(written), {"kind": "like"}, format="json")
        client_for(person).post(comments_url(written), {"body": "Yes"}, format="json")
    reader = client_for(marco)
    reader.get(post_url(written))  # warm up

    with CaptureQueriesContext(connection) as queries:
        shown = reader.get(post_url(written)).json()

    assert (shown["comment_count"], shown["reaction_count"]) == (2, 2)
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


# --- Profile posts --------------------------------------------------------------------------


def test_profile_posts_are_newest_first(ana, priya, client_for):
    older, newer = post(ana, "one"), post(ana, "two")

    results = client_for(priya).get("/api/v1/profiles/ana/posts/").json()["results"]

    assert [p["id"] for p in results] == [newer.pk, older.pk]


def test_profile_posts_of_someone_unknown_is_404(ana, client_for):
    assert client_for(ana).get("/api/v1/profiles/nobody/posts/").status_code == 404


# --- Every visibility for every viewer ------------------------------------------------------

VISIBILITIES = list(SEES)

# Each test below posts once per visibility and asks every kind of viewer; a failure shows
# the whole row of the table, what was expected against what happened.
by_visibility = pytest.mark.parametrize("visibility", VISIBILITIES)


@pytest.fixture
def audience(ana, priya, olu):
    """Ana, and a viewer of each kind; every one of them follows Ana."""
    carla = make_person("carla", display_name="Carla Connected")
    alex = make_person("alex", display_name="Alex Alumnus", status=ProfileStatus.ALUMNUS)
    connect(ana, carla)
    connect(ana, alex)
    graph.follow(follower=priya, followee=ana)
    graph.follow(follower=olu, followee=ana)
    cast = {
        "author": ana,
        "employee connection": carla,
        "employee stranger": priya,
        "alumnus connection": alex,
        "alumnus stranger": olu,
    }
    active(*cast.values())
    return cast


def for_everyone(audience, check) -> dict[str, object]:
    return {who: check(viewer) for who, viewer in audience.items()}


@by_visibility
def test_feed_shows_a_post_to_its_audience_only(audience, visibility, client_for, committed, redis_client):
    for viewer in audience.values():
        build_timeline(viewer)

    with committed():
        written = post(audience["author"], "Quarterly update", visibility)

    activity = activity_of(written)
    # The fan-out wrote it into the timelines of those who may see it ...
    assert (
        for_everyone(audience, lambda v: timeline_score(redis_client, v, activity.pk) is not None)
        == (SEES[visibility])
    )
    # ... the feed read from Redis shows it to them ...
    assert for_everyone(audience, lambda v: written.pk in feed_post_ids(client_for(v))) == SEES[visibility]
    # ... and so does the feed read from the database.
    assert for_everyone(audience, lambda v: activity.pk in database_feed(v)) == SEES[visibility]


@by_visibility
def test_profile_posts_show_a_post_to_its_audience_only(audience, visibility, client_for):
    written = post(audience["author"], "Quarterly update", visibility)

    def listed(viewer):
        response = client_for(viewer).get("/api/v1/profiles/ana/posts/")
        assert response.status_code == 200
        return written.pk in [p["id"] for p in response.json()["results"]]

    assert for_everyone(audience, listed) == SEES[visibility]


@by_visibility
def test_post_page_is_shown_to_its_audience_only(audience, visibility, client_for):
    written = post(audience["author"], "Quarterly update", visibility)

    statuses = for_everyone(audience, lambda v: client_for(v).get(post_url(written)).status_code)

    assert statuses == {who: 200 if sees else 404 for who, sees in SEES[visibility].items()}


@by_visibility
def test_comments_are_open_to_the_posts_audience_only(audience, visibility, client_for):
    written = post(audience["author"], "Quarterly update", visibility)

    def comment(viewer):
        client = client_for(viewer)
        listed = client.get(comments_url(written)).status_code
        created = client.post(comments_url(written), {"body": "Nice"}, format="json").status_code
        return listed, created, Comment.objects.filter(post=written, author=viewer).exists()

    assert for_everyone(audience, comment) == {
        who: (200, 201, True) if sees else (404, 404, False) for who, sees in SEES[visibility].items()
    }


@by_visibility
def test_reactions_are_open_to_the_posts_audience_only(audience, visibility, client_for):
    written = post(audience["author"], "Quarterly update", visibility)

    def react(viewer):
        client = client_for(viewer)
        liked = client.put(reaction_url(written), {"kind": "like"}, format="json").status_code
        stored = Reaction.objects.filter(post=written, person=viewer).exists()
        unliked = client.delete(reaction_url(written)).status_code
        return liked, stored, unliked

    assert for_everyone(audience, react) == {
        who: (201, True, 204) if sees else (404, False, 404) for who, sees in SEES[visibility].items()
    }


# --- A constant number of queries per page --------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def busy_posts(authors, count: int, reactors) -> None:
    """``count`` posts by turns from ``authors``, each with a comment and reactions."""
    for index in range(count):
        written = post(authors[index % len(authors)], f"post {index}")
        for person in reactors:
            Reaction.objects.create(post=written, person=person)
        Comment.objects.create(post=written, author=reactors[0], body="Nice")


def test_feed_page_costs_the_same_number_of_queries_whatever_its_length(
    ana, marco, priya, client_for, committed
):
    active(ana, marco, priya)
    graph.follow(follower=priya, followee=ana)
    graph.follow(follower=priya, followee=marco)
    reader = client_for(priya)
    reader.get("/api/v1/feed/")  # warm up: the timeline is built, the viewer marked active
    with committed():
        busy_posts([ana, marco], 2, [priya, marco])
    few = queries_for(reader, "/api/v1/feed/?limit=50")

    with committed():
        busy_posts([ana, marco, priya], 12, [priya, marco])
    many = queries_for(reader, "/api/v1/feed/?limit=50")

    assert len(feed_post_ids(reader, limit=50)) == 14
    assert few == many


def test_database_feed_page_costs_the_same_number_of_queries_whatever_its_length(ana, marco, priya):
    from feed.selectors import _database_page

    graph.follow(follower=priya, followee=ana)
    graph.follow(follower=priya, followee=marco)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = _database_page(priya, cursor=None, limit=50)
        return len(queries), len(page.items)

    busy_posts([ana, marco], 2, [priya])
    few, few_items = count()
    busy_posts([ana, marco], 12, [priya])
    many, many_items = count()

    assert (few_items, many_items) == (2, 14)
    assert few == many


def test_profile_posts_page_costs_the_same_number_of_queries_whatever_its_length(
    ana, marco, priya, client_for
):
    reader = client_for(priya)
    busy_posts([ana], 2, [priya, marco])
    reader.get("/api/v1/profiles/ana/posts/")  # warm up
    few = queries_for(reader, "/api/v1/profiles/ana/posts/?limit=50")

    busy_posts([ana], 12, [priya, marco])
    many = queries_for(reader, "/api/v1/profiles/ana/posts/?limit=50")

    assert len(reader.get("/api/v1/profiles/ana/posts/?limit=50").json()["results"]) == 14
    assert few == many
