"""The company the bench measures: people, a power-law follow graph, posts, activities, and
the same follows and posts mirrored for django-activity-stream.

Everything is planned in Python from one seed (:func:`plan`), then written with PostgreSQL
``COPY`` (:func:`write`): a hundred thousand people and a few hundred thousand posts take
seconds. Columns the bench does not choose get their model defaults, so a field added to a
model later does not break the bench.

Who is who (the roles the measurements use):

* ``big``: five accounts (the CEO, company news, ...) followed by most of the company, above
  ``FEED_FANOUT_LIMIT``: merged into feeds when read.
* ``graph``: employees (3 % alumni) who follow each other with a heavy tail (a few are followed
  by a third of the company, most by a handful) and post with a heavy tail too.
* ``star``: an account with ``star_followers`` followers (the graph's employees and a crowd
  of others, all employees), with no posts of its own: the bench posts as it to time a big fan-out.
* ``live_author``: followed by ``ws_clients`` graph people, who hold WebSockets open.
* ``live_crowd_author``: followed by ``ws_clients_big`` employees (graph and crowd), who hold
  WebSockets open on two server processes.
* viewers: ``merge_viewer`` and ``plain_viewer`` follow the same 150 graph people, the first
  also the five big accounts; ``rebuild_viewer`` follows 200 graph people (thousands of
  activities) and the big accounts; ``http_viewers`` follow like graph people do.
"""

import bisect
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from feed.models import Activity, Post
from profiles.models import Follow, Profile, ProfileStatus, Visibility, search_text_for

BIG_ACCOUNTS = (
    ("ceo", "Dana", "Okafor", "Chief Executive Officer", 0.95),
    ("company-news", "Company", "News", "Official news", 0.90),
    ("cto", "Ravi", "Iyer", "Chief Technology Officer", 0.85),
    ("people-team", "People", "Team", "HR announcements", 0.80),
    ("it-status", "IT", "Status", "Service status", 0.75),
)
MERGE_FOLLOWEES = 150
REBUILD_FOLLOWEES = 200
ALUMNI_SHARE = 0.03
NETWORK_SHARE = 0.2  # of posts; the rest are ``company``
POPULARITY_EXPONENT = 0.9
ACTIVITY_EXPONENT = 0.8
HISTORY = timedelta(days=60)

FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
]
LAST = [
    "Silva",
    "Schmidt",
    "Tanaka",
    "Haddad",
    "Novak",
    "Costa",
    "Kim",
    "Moreau",
    "Okoye",
    "Rossi",
    "Lund",
    "Garcia",
    "Singh",
    "Weber",
]
WORDS = [
    "release",
    "roadmap",
    "customers",
    "launch",
    "team",
    "sprint",
    "review",
    "office",
    "coffee",
    "onboarding",
    "design",
    "metrics",
    "quarter",
    "results",
    "hiring",
    "feedback",
    "demo",
    "security",
    "incident",
    "fixed",
    "shipped",
    "thanks",
    "welcome",
    "workshop",
    "offsite",
    "planning",
    "migration",
    "database",
    "latency",
    "dashboard",
    "mobile",
    "update",
]


@dataclass(frozen=True)
class Scale:
    name: str
    graph_users: int
    star_followers: int
    posts: int
    big_posts: int  # per big account
    http_viewers: int
    ws_clients: int
    ws_posts: int
    ws_clients_big: int  # online followers of the two-server live measurement
    fanout_keys: int  # timelines per chunk in the throughput measurement
    fanout_rounds: int
    fanout_runs: int  # big fan-outs timed
    http_seconds: float
    http_threads: int
    page_iterations: int
    rebuild_iterations: int


FULL = Scale(
    name="full",
    graph_users=10_000,
    star_followers=100_000,
    posts=200_000,
    big_posts=400,
    http_viewers=20,
    ws_clients=1_000,
    ws_posts=10,
    ws_clients_big=10_000,
    fanout_keys=5_000,
    fanout_rounds=6,
    fanout_runs=3,
    http_seconds=8.0,
    http_threads=4,
    page_iterations=200,
    rebuild_iterations=20,
)
QUICK = Scale(
    name="quick",
    graph_users=2_000,
    star_followers=10_000,
    posts=30_000,
    big_posts=100,
    http_viewers=8,
    ws_clients=200,
    ws_posts=4,
    ws_clients_big=1_000,
    fanout_keys=2_000,
    fanout_rounds=3,
    fanout_runs=1,
    http_seconds=3.0,
    http_threads=4,
    page_iterations=60,
    rebuild_iterations=8,
)


@dataclass
class Person:
    id: int
    username: str
    first: str
    last: str
    headline: str
    status: str = ProfileStatus.EMPLOYEE


@dataclass
class Plan:
    people: list[Person]
    follows: list[tuple[int, int]]  # (follower, followee)
    post_authors: list[int]  # post i+1 is by post_authors[i]; activity i+1 is about post i+1
    post_visibility: list[str]
    post_bodies: list[str]
    big: list[int]
    graph: list[int]
    star: int
    star_followers: list[int]
    live_author: int
    live_followers: list[int]
    live_crowd_author: int
    live_crowd_followers: list[int]
    merge_viewer: int
    plain_viewer: int
    rebuild_viewer: int
    http_viewers: list[int]
    fanout_limit: int
    follower_counts: Counter = field(default_factory=Counter)


def _weighted_sampler(rng: random.Random, population: Sequence[int], exponent: float, offset: int = 10):
    """Draw from ``population`` with weight 1/(rank+offset)^exponent over a random ranking."""
    ranked = list(population)
    rng.shuffle(ranked)
    cumulative = list(itertools.accumulate(1 / (r + offset) ** exponent for r in range(len(ranked))))
    total = cumulative[-1]

    def draw() -> int:
        return ranked[bisect.bisect_left(cumulative, rng.random() * total)]

    return draw


def _pick(draw, k: int, exclude: int | None = None) -> list[int]:
    chosen: dict[int, None] = {}
    tries = 0
    while len(chosen) < k and tries < k * 20:
        tries += 1
        person = draw()
        if person != exclude:
            chosen[person] = None
    return list(chosen)


def _body(rng: random.Random, usernames: Sequence[str]) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 40))
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.15:
        text += f" Thanks @{rng.choice(usernames)}!"
    if rng.random() < 0.10:
        text += f" Notes: https://intranet.example/{rng.choice(WORDS)}/{rng.randint(1, 9999)}"
    return text


def plan(scale: Scale, seed: int = 1) -> Plan:
    rng = random.Random(seed)
    people: list[Person] = []

    def add(username: str, first: str, last: str, headline: str, status=ProfileStatus.EMPLOYEE) -> int:
        person = Person(len(people) + 1, username, first, last, headline, status)
        people.append(person)
        return person.id

    big = [add(u, f, la, h) for u, f, la, h, _share in BIG_ACCOUNTS]
    star = add("all-hands", "All", "Hands", "Company-wide announcements")
    live_author = add("live-author", "Lia", "Ventura", "Posts while people watch")
    merge_viewer = add("viewer-merge", "Mira", "Merge", "Follows the big accounts")
    plain_viewer = add("viewer-plain", "Paul", "Plain", "Follows no big account")
    rebuild_viewer = add("viewer-rebuild", "Rae", "Rebuild", "Follows 200 people")
    http_viewers = [
        add(f"viewer-http-{n:02d}", rng.choice(FIRST), rng.choice(LAST), "Reads the feed")
        for n in range(scale.http_viewers)
    ]
    graph = []
    for n in range(scale.graph_users):
        status = ProfileStatus.ALUMNUS if rng.random() < ALUMNI_SHARE else ProfileStatus.EMPLOYEE
        graph.append(
            add(f"emp{n:06d}", rng.choice(FIRST), rng.choice(LAST), rng.choice(WORDS).title(), status)
        )
    graph_employees = [p for p in graph if people[p - 1].status == ProfileStatus.EMPLOYEE]
    crowd = [
        add(f"crowd{n:06d}", rng.choice(FIRST), rng.choice(LAST), "")
        for n in range(max(0, scale.star_followers - len(graph_employees)))
    ]
    # Added after everyone else, so that every other person keeps their id.
    live_crowd_author = add("live-crowd-author", "Cy", "Crowd", "Posts while a crowd watches")

    follows: list[tuple[int, int]] = []
    popular = _weighted_sampler(rng, graph, POPULARITY_EXPONENT)
    for person in graph + http_viewers:
        k = min(400, max(1, int(rng.lognormvariate(math.log(30), 0.8))))
        follows += [(person, followee) for followee in _pick(popular, k, exclude=person)]
        follows += [
            (person, b) for b, (*_rest, share) in zip(big, BIG_ACCOUNTS, strict=True) if rng.random() < share
        ]
    same_150 = _pick(popular, MERGE_FOLLOWEES)
    follows += [(merge_viewer, p) for p in same_150] + [(merge_viewer, b) for b in big]
    follows += [(plain_viewer, p) for p in same_150]
    follows += [(rebuild_viewer, p) for p in _pick(popular, REBUILD_FOLLOWEES)] + [
        (rebuild_viewer, b) for b in big
    ]
    # Employees only, so that a ``company`` post by the star reaches every one of them.
    star_followers = (graph_employees + crowd)[: scale.star_followers]
    follows += [(p, star) for p in star_followers]
    live_followers = graph_employees[: scale.ws_clients]
    follows += [(p, live_author) for p in live_followers]
    # Employees only, so that a ``company`` post reaches every one of them.
    live_crowd_followers = (graph_employees + crowd)[: scale.ws_clients_big]
    follows += [(p, live_crowd_author) for p in live_crowd_followers]

    counts = Counter(followee for _follower, followee in follows)
    normal_max = max(counts[p] for p in graph)
    big_min = min(counts[b] for b in big)
    if normal_max >= big_min:
        raise RuntimeError(
            f"graph too flat: a graph person has {normal_max} followers, a big account {big_min}"
        )
    fanout_limit = (normal_max + big_min) // 2

    # Posts: the big accounts post often, graph people with a heavy tail, the live author a
    # little; the star never (until the bench posts as it).
    authors = [b for b in big for _ in range(scale.big_posts)]
    authors += [live_author] * 20 + [merge_viewer, plain_viewer, rebuild_viewer] * 5
    active = _weighted_sampler(rng, graph, ACTIVITY_EXPONENT, offset=20)
    authors += [active() for _ in range(max(0, scale.posts - len(authors)))]
    rng.shuffle(authors)
    usernames = [people[p - 1].username for p in graph[:500]]
    visibility = []
    for author in authors:
        alumnus = people[author - 1].status == ProfileStatus.ALUMNUS
        visibility.append(
            Visibility.NETWORK if alumnus or rng.random() < NETWORK_SHARE else Visibility.COMPANY
        )
    bodies = [_body(rng, usernames) for _ in authors]
    return Plan(
        people=people,
        follows=follows,
        post_authors=authors,
        post_visibility=visibility,
        post_bodies=bodies,
        big=big,
        graph=graph,
        star=star,
        star_followers=star_followers,
        live_author=live_author,
        live_followers=live_followers,
        live_crowd_author=live_crowd_author,
        live_crowd_followers=live_crowd_followers,
        merge_viewer=merge_viewer,
        plain_viewer=plain_viewer,
        rebuild_viewer=rebuild_viewer,
        http_viewers=http_viewers,
        fanout_limit=fanout_limit,
        follower_counts=counts,
    )


# --- Writing ----------------------------------------------------------------------------------


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows into ``model``'s table. ``columns`` are attnames; every other concrete
    column gets its model default (``now`` for auto_now fields); an auto primary key not
    listed is left to its sequence."""
    meta = model._meta
    now = timezone.now()
    filled: list[tuple[str, object]] = []
    for f in meta.concrete_fields:
        if f.attname in columns or (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField)):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            filled.append((f.column, now))
        else:
            filled.append((f.column, f.get_default()))
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    names = [by_attname[c] for c in columns] + [column for column, _ in filled]
    extra = tuple(value for _, value in filled)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((*row, *extra))


def _reset_sequences(*model_classes) -> None:
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(model_classes)):
            cursor.execute(statement)


KEEP_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


def empty_database() -> None:
    """Every table emptied but the ones migrations fill (content types, permissions, groups)."""
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True) if t not in KEEP_TABLES
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE")


def write(company: Plan) -> None:
    """Write the planned company into the (empty) database, and mirror follows and posts for
    django-activity-stream."""
    from actstream.models import Action
    from actstream.models import Follow as ActstreamFollow

    User = get_user_model()
    now = timezone.now()
    joined = now - HISTORY * 2
    copy_rows(
        User,
        ["id", "username", "first_name", "last_name", "email", "password", "date_joined"],
        (
            (p.id, p.username, p.first, p.last, f"{p.username}@socialblue.example", "!bench", joined)
            for p in company.people
        ),
    )
    following = Counter(follower for follower, _followee in company.follows)
    rng = random.Random(7)
    copy_rows(
        Profile,
        [
            "user_id",
            "display_name",
            "headline",
            "status",
            "last_active_at",
            "follower_count",
            "following_count",
            "search_text",
        ],
        (
            (
                p.id,
                f"{p.first} {p.last}",
                p.headline,
                p.status,
                now - timedelta(seconds=rng.randint(0, 2 * 86400)),
                company.follower_counts[p.id],
                following[p.id],
                search_text_for(
                    display_name=f"{p.first} {p.last}",
                    username=p.username,
                    headline=p.headline,
                    skill_names=[],
                ),
            )
            for p in company.people
        ),
    )
    step = HISTORY / max(1, len(company.post_authors))
    start = now - HISTORY
    times = [start + step * i for i in range(len(company.post_authors))]
    copy_rows(
        Follow,
        ["follower_id", "followee_id", "created_at"],
        ((follower, followee, joined) for follower, followee in company.follows),
    )
    copy_rows(
        Post,
        ["id", "author_id", "body", "visibility", "created_at"],
        (
            (i + 1, author, body, visibility, times[i])
            for i, (author, body, visibility) in enumerate(
                zip(company.post_authors, company.post_bodies, company.post_visibility, strict=True)
            )
        ),
    )
    copy_rows(
        Activity,
        [
            "id",
            "actor_id",
            "verb",
            "object_type",
            "object_id",
            "visibility",
            "created_at",
            "updated_at",
            "fanned_out_at",
            "merged_on_read",
        ],
        (
            (
                i + 1,
                author,
                "posted",
                "post",
                i + 1,
                visibility,
                times[i],
                times[i],
                times[i],
                # As the fan-out marks them: authors over the limit are merged on read.
                company.follower_counts[author] > company.fanout_limit,
            )
            for i, (author, visibility) in enumerate(
                zip(company.post_authors, company.post_visibility, strict=True)
            )
        ),
    )
    _reset_sequences(User, Post, Activity)

    # The peer: the same follows (user follows user) and one action per post.
    user_type = ContentType.objects.get_for_model(User)
    post_type = ContentType.objects.get_for_model(Post)
    copy_rows(
        ActstreamFollow,
        ["user_id", "content_type_id", "object_id", "actor_only", "flag", "started"],
        ((follower, user_type.pk, str(followee), True, "", joined) for follower, followee in company.follows),
    )
    copy_rows(
        Action,
        [
            "actor_content_type_id",
            "actor_object_id",
            "verb",
            "action_object_content_type_id",
            "action_object_object_id",
            "timestamp",
            "public",
        ],
        (
            (user_type.pk, str(author), "posted", post_type.pk, str(i + 1), times[i], True)
            for i, author in enumerate(company.post_authors)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
