"""The Redis timelines are a cache of the database's feed: whatever happens — posts, deletes,
visibility changes, follows, unfollows, connections made and removed, people leaving the
company, timelines rebuilt or lost — every person's feed read through Redis is the feed the
database defines, item for item and in the same order."""

import contextlib
import itertools

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from feed import fanout, selectors, services, timelines
from feed.models import Post
from profiles import services as graph
from profiles.models import Profile, ProfileStatus, Visibility
from socialblue.errors import ServiceError
from tests.factories import make_person
from tests.feed.stories import active, database_feed, redis_feed

pytestmark = pytest.mark.django_db

PEOPLE = 5  # the first three are employees, the last two alumni
ALUMNI = {3, 4}
VISIBILITIES = [Visibility.COMPANY, Visibility.NETWORK, Visibility.CONNECTIONS]
PAGE = 2  # small pages, so that every read crosses pages, floors and refills

_examples = itertools.count()

person = st.integers(min_value=0, max_value=PEOPLE - 1)
pair = st.tuples(person, person).filter(lambda p: p[0] != p[1])
some_post = st.integers(min_value=0, max_value=50)  # an index into the posts made so far
actions = st.one_of(
    st.tuples(st.just("post"), person, st.sampled_from(VISIBILITIES)),
    st.tuples(st.just("post"), person, st.sampled_from(VISIBILITIES)),
    st.tuples(st.just("delete"), some_post),
    st.tuples(st.just("change visibility"), some_post, st.sampled_from(VISIBILITIES)),
    st.tuples(st.just("follow"), pair),
    st.tuples(st.just("unfollow"), pair),
    st.tuples(st.just("connect"), pair),
    st.tuples(st.just("remove connection"), pair),
    st.tuples(st.just("leave the company"), person),
    st.tuples(st.just("rebuild timeline"), person),
    st.tuples(st.just("drop timeline"), person),
)


class Story:
    """Five new people per example, so that examples never see each other's rows."""

    def __init__(self, committed):
        self.committed = committed
        number = next(_examples)
        self.people = [
            make_person(
                f"prop{number}x{i}",
                status=ProfileStatus.ALUMNUS if i in ALUMNI else ProfileStatus.EMPLOYEE,
            )
            for i in range(PEOPLE)
        ]
        self.posts: list[Post] = []
        self.left: set[int] = set()
        active(*self.people)
        for someone in self.people:
            selectors.feed_home_page(viewer=someone)  # everyone has opened the app

    def fresh(self, index: int) -> Profile:
        return Profile.objects.select_related("user").get(pk=self.people[index].pk)

    def pick_post(self, index: int) -> Post | None:
        if not self.posts:
            return None
        return Post.objects.filter(pk=self.posts[index % len(self.posts)].pk).first()

    def act(self, action) -> None:
        kind, *args = action
        # A refused action (an alumnus posting to the company, connecting twice) changes nothing.
        with self.committed(), contextlib.suppress(ServiceError):
            self._act(kind, *args)

    def _act(self, kind, *args) -> None:
        if kind == "post":
            who, visibility = args
            self.posts.append(
                services.post_create(author=self.fresh(who), body="news", visibility=visibility)
            )
        elif kind == "delete":
            target = self.pick_post(args[0])
            if target is not None:
                services.post_delete(post=target, by=target.author)
        elif kind == "change visibility":
            target = self.pick_post(args[0])
            if target is not None:
                services.post_update(post=target, by=self.fresh_author(target), visibility=args[1])
        elif kind in ("follow", "unfollow", "connect", "remove connection"):
            a, b = (self.fresh(i) for i in args[0])
            if kind == "follow":
                graph.follow(follower=a, followee=b)
            elif kind == "unfollow":
                graph.unfollow(follower=a, followee=b)
            elif kind == "connect":
                request, _new = graph.connection_request_send(sender=a, receiver=b)
                if request.receiver_id == b.pk:
                    graph.connection_request_accept(request=request, by=b)
            else:
                graph.connection_remove(profile=a, other=b)
        elif kind == "leave the company":
            Profile.objects.filter(pk=self.people[args[0]].pk).update(status=ProfileStatus.ALUMNUS)
            self.left.add(args[0])
        elif kind == "rebuild timeline":
            fanout.rebuild_timeline(self.people[args[0]].pk)
        elif kind == "drop timeline":
            timelines.drop(self.people[args[0]].pk)

    def fresh_author(self, target: Post) -> Profile:
        return Profile.objects.select_related("user").get(pk=target.author_id)

    def feeds_agree(self) -> None:
        for index in range(PEOPLE):
            viewer = self.fresh(index)
            truth = list(selectors.feed_queryset(viewer).order_by("-id").values_list("pk", flat=True))
            if not timelines.exists(viewer.pk):
                selectors.feed_home_page(viewer=viewer)  # a lost timeline is rebuilt when read
            from_redis = redis_feed(viewer, limit=PAGE)
            from_database = database_feed(viewer, limit=PAGE)
            note(f"person {index}: redis {from_redis} database {from_database} truth {truth}")
            assert from_redis == from_database == truth, f"person {index}'s feeds differ"
            if index not in self.left:
                # Deletes, unfollows, removed connections and narrowed visibility take items
                # out of timelines too, not only out of what is shown. (Someone who left
                # without the offboarding service still holds company items, unread.)
                held = set(timelines.read(viewer.pk, before=None, count=10_000)[0])
                assert held <= set(truth), f"person {index}'s timeline holds {held - set(truth)}"

    def forget(self) -> None:
        get_user_model().objects.filter(pk__in=[p.pk for p in self.people]).delete()
        for someone in self.people:
            timelines.drop(someone.pk)


@pytest.fixture
def small_timelines(settings):
    """Timelines small enough that caps, floors and partial merges happen in a short story."""
    settings.FEED_MAX_ITEMS = 4
    settings.FEED_FOLLOW_MERGE = 3


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written into the working tree; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=st.lists(actions, min_size=1, max_size=25))
@pytest.mark.parametrize(
    "fanout_limit",
    [10_000, 2],
    ids=["everyone-fanned-out", "popular-authors-merged-on-read"],
)
def test_every_redis_feed_equals_the_database_feed(story, committed, small_timelines, settings, fanout_limit):
    # With a limit of 2, authors cross it both ways as people follow and unfollow: their
    # activities are merged on read while they are over it, and must stay in feeds after.
    settings.FEED_FANOUT_LIMIT = fanout_limit
    told = Story(committed)
    try:
        for action in story:
            note(f"{action}")
            told.act(action)
        told.feeds_agree()
    finally:
        told.forget()
