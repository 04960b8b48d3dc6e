"""Demo posts for the demo company: status updates over the last weeks, with comments and
likes from colleagues, written with bulk inserts. Called by ``manage.py seed_demo`` after the
people exist. What people write is the table of ``demo/data/posts.toml``."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.tables import table
from feed.models import Activity, Comment, Post, Reaction
from feed.services import POST_VERB
from profiles.audience import default_visibility, visibilities_for
from profiles.models import Connection, Follow, Profile, ProfileStatus, Visibility

_POSTS = table("posts")["posts"]
UPDATES: tuple[str, ...] = tuple(_POSTS["updates"])
ALUMNI_UPDATES: tuple[str, ...] = tuple(_POSTS["alumni_updates"])
COMMENTS: tuple[str, ...] = tuple(_POSTS["comments"])
TOPICS: tuple[str, ...] = tuple(_POSTS["topics"])


def build_demo_posts(*, seed: int, posts_per_person: float = 1.5, days: int = 30) -> int:
    """Write demo posts (and their activities, comments and likes). Returns how many."""
    rng = random.Random(seed)
    people = list(Profile.objects.select_related("user").order_by("pk"))
    if not people:
        return 0
    by_pk = {p.pk: p for p in people}
    followers: dict[int, list[int]] = {}
    for follower_id, followee_id in Follow.objects.values_list("follower_id", "followee_id"):
        followers.setdefault(followee_id, []).append(follower_id)
    connections: dict[int, list[int]] = {}
    for profile_id, other_id in Connection.objects.values_list("profile_id", "other_id"):
        connections.setdefault(profile_id, []).append(other_id)

    now = timezone.now()
    drafts = []
    for person in people:
        for _ in range(int(posts_per_person * 2 * rng.random() + 0.5)):
            alumnus = person.status == ProfileStatus.ALUMNUS
            template = rng.choice(ALUMNI_UPDATES if alumnus else UPDATES)
            colleague = by_pk.get(rng.choice(connections.get(person.pk) or [person.pk]))
            body = template.format(topic=rng.choice(TOPICS), colleague=colleague.user.username)
            visibility = default_visibility(person)
            if rng.random() < 0.2:
                visibility = rng.choice([Visibility.NETWORK, Visibility.CONNECTIONS])
            at = now - timedelta(seconds=rng.randint(60, days * 24 * 3600))
            drafts.append((at, person, body, visibility))
    drafts.sort(key=lambda draft: draft[0])

    posts = [
        Post(author=person, body=body, visibility=visibility, created_at=at)
        for at, person, body, visibility in drafts
    ]
    reactions, comments = [], []
    for post in posts:
        audience = [
            by_pk[i]
            for i in followers.get(post.author_id, [])
            if _sees(by_pk[i], post, connections.get(post.author_id, ()))
        ]
        fans = rng.sample(audience, min(len(audience), rng.randint(0, 6)))
        talkers = rng.sample(audience, min(len(audience), rng.randint(0, 2)))
        post.reaction_count, post.comment_count = len(fans), len(talkers)
        reactions += [Reaction(post=post, person=fan, created_at=post.created_at) for fan in fans]
        comments += [
            Comment(
                post=post,
                author=p,
                body=rng.choice(COMMENTS),
                created_at=post.created_at + timedelta(minutes=5),
            )
            for p in talkers
        ]
    with transaction.atomic():
        # Oldest first: activity ids are allocated in time order.
        Post.objects.bulk_create(posts, batch_size=1000)
        Activity.objects.bulk_create(
            [
                Activity(
                    actor=post.author,
                    verb=POST_VERB,
                    object_type="post",
                    object_id=post.pk,
                    visibility=post.visibility,
                    created_at=post.created_at,
                    updated_at=post.created_at,
                    fanned_out_at=now,
                )
                for post in posts
            ],
            batch_size=1000,
        )
        for row in (*reactions, *comments):
            row.post_id = row.post.pk
        Reaction.objects.bulk_create(reactions, batch_size=1000)
        Comment.objects.bulk_create(comments, batch_size=1000)
    return len(posts)


def _sees(viewer: Profile, post: Post, authors_connections) -> bool:
    """The audience rule of ``profiles.audience.can_see``, on the graph already in memory."""
    if post.visibility in visibilities_for(viewer):
        return True
    return post.visibility == Visibility.CONNECTIONS and viewer.pk in authors_connections
