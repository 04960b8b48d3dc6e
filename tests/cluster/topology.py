"""The local production topology (``deploy/local/cluster.sh``, README "Running as a cluster on
one machine") as the cluster stories see it: its addresses, its operator's commands, its logs,
and the verbs the stories are told with.

The tests are clients (HTTP and WebSockets through nginx and straight to each server) and an
operator (``cluster.sh kill``, ``stop-one``, ``start-one``, ``restart``; Redis commands on the
Cluster's primaries). People are set up in this process with the project's own models and
services, on the topology's own database (Django reads ``var/cluster/env``); every run's
usernames carry a fresh prefix, so reruns never meet the people of a run before.
"""

import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from redis.cluster import RedisCluster

from feed import timelines
from profiles.models import DeviceToken, Follow, Profile, ProfileStatus
from tests.factories import make_person

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SH = ROOT / "deploy" / "local" / "cluster.sh"
CLUSTER_DIR = Path(os.environ.get("SOCIALBLUE_CLUSTER_DIR") or ROOT / "var" / "cluster")
LOGS = CLUSTER_DIR / "logs"
FRONT = os.environ.get("SOCIALBLUE_URL", "")
SERVERS = [url for url in os.environ.get("SOCIALBLUE_SERVER_URLS", "").split(",") if url]
PRIMARIES = {"redis-7001": 7001, "redis-7002": 7002, "redis-7003": 7003}
BROKER_PORT = 6390
# A unique prefix per run: the topology's database keeps what every run made.
RUN = f"c{secrets.token_hex(3)}"
WAIT_SECONDS = 60


def operator(command: str, name: str | None = None) -> str:
    """``deploy/local/cluster.sh COMMAND [NAME]``, as the operator types it; its output."""
    args = [str(CLUSTER_SH), command, *([name] if name else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"cluster.sh {command} {name}: {done.stdout}{done.stderr}"
    return done.stdout


def supervise() -> list[str]:
    """Start again whatever component has died, as a process supervisor (systemd's
    ``Restart=always``) does in production; the names of those it started."""
    status = subprocess.run([str(CLUSTER_SH), "status"], capture_output=True, text=True, check=False)
    dead = [line.split()[0] for line in status.stdout.splitlines() if " stopped " in line]
    for name in dead:
        operator("start-one", name)
    return dead


def wait_for(condition, *, seconds: float = WAIT_SECONDS, every: float = 0.2, what=lambda: ""):
    """Until ``condition()`` is truthy (its value is returned), or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds} s: {what()}")
        time.sleep(every)


# --- Logs ---------------------------------------------------------------------------------------


class Log:
    """What a component logs from now on (``var/cluster/logs/NAME.log``)."""

    def __init__(self, name: str):
        self.path = LOGS / f"{name}.log"
        self.start = self.path.stat().st_size if self.path.exists() else 0

    def text(self) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as file:
            file.seek(self.start)
            return file.read().decode(errors="replace")


# --- Clients ------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: object  # case-insensitive: headers["Retry-After"]
    body: object


def request(base_url: str, token: str | None, method: str, path: str, body: dict | None = None) -> Answer:
    """One API request (``/api/v1/`` + path) as a person's app makes it."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{base_url}/api/v1/{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, error.headers, error.read()
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode(errors="replace")
    return Answer(status, answer_headers, decoded)


def feed_ids(base_url: str, token: str) -> list[int]:
    """The activity ids of a person's first feed page, newest first."""
    answer = request(base_url, token, "GET", "feed/?limit=50")
    assert answer.status == 200, answer
    return [item["id"] for item in answer.body["results"]]


def publish(base_url: str, token: str, body: str, visibility: str = "company") -> int:
    """A post through the API; the id of its feed item (its activity)."""
    return posted(base_url, token, body, visibility)[1]


def posted(base_url: str, token: str, body: str, visibility: str = "company") -> tuple[int, int]:
    """A post through the API: its id, and the id of its feed item."""
    answer = request(base_url, token, "POST", "posts/", {"body": body, "visibility": visibility})
    assert answer.status == 201, answer
    return answer.body["id"], activity_of_post(answer.body["id"])


def fanned_out(*activity_ids: int) -> bool:
    """Whether the fan-out of each of these feed items has finished."""
    from feed.models import Activity

    done = Activity.objects.filter(pk__in=activity_ids, fanned_out_at__isnull=False).count()
    return done == len(activity_ids)


def activity_of_post(post_id: int) -> int:
    from feed.models import Activity
    from feed.services import POST_VERB

    return Activity.objects.get(object_type="post", object_id=post_id, verb=POST_VERB).pk


# --- People ---------------------------------------------------------------------------------------


@dataclass
class Person:
    profile: Profile
    token: str

    @property
    def username(self) -> str:
        return self.profile.user.username

    @property
    def pk(self) -> int:
        return self.profile.pk


def person(name: str, *, status: str = ProfileStatus.EMPLOYEE) -> Person:
    """Someone new at the company (this run's own), signed in on one device."""
    profile = make_person(f"{RUN}-{name}", display_name=name.title(), status=status)
    Profile.objects.filter(pk=profile.pk).update(last_active_at=timezone.now())
    _token, key = DeviceToken.objects.create(profile.user, device=f"cluster test {name}")
    return Person(profile, key)


def token_for(profile: Profile, device: str) -> str:
    return DeviceToken.objects.create(profile.user, device=device)[1]


def crowd(author: Profile, count: int, name: str) -> list[int]:
    """``count`` active people following ``author``, each with a built (empty) timeline, made
    in bulk (as ``bench/graph.py`` builds its company); their profile ids."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"{RUN}-{name}{n}", email=f"{RUN}-{name}{n}@company.example", password="!")
            for n in range(count)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    Profile.objects.bulk_create(
        [
            Profile(user=u, display_name=f"{name.title()} {n}", last_active_at=now)
            for n, u in enumerate(users)
        ],
        batch_size=5000,
    )
    Follow.objects.bulk_create([Follow(follower_id=u.pk, followee=author) for u in users], batch_size=5000)
    Profile.objects.filter(pk=author.pk).update(follower_count=count)
    with connection.cursor() as cursor:
        # Fresh statistics, as after any bulk load: the fan-out's follower query is planned
        # on them.
        cursor.execute(f"ANALYZE {Profile._meta.db_table}, {Follow._meta.db_table}")
    ids = [u.pk for u in users]
    for profile_id in ids:
        timelines.replace(profile_id, [])
    return ids


# --- Inside the Redis Cluster --------------------------------------------------------------------


def store() -> RedisCluster:
    return timelines.client()


def primary_of(profile_id: int) -> str:
    """The name of the primary (``redis-7002``) that holds a person's timeline."""
    node = store().get_node_from_key(timelines.key(profile_id))
    return next(name for name, port in PRIMARIES.items() if port == node.port)


def copies(activity_id: int, profile_ids: list[int]) -> dict[int, int]:
    """How many times each person's timeline holds the activity (-1: no timeline)."""
    wanted = str(activity_id).encode()
    pipe = store().pipeline()
    for profile_id in profile_ids:
        pipe.exists(timelines.key(profile_id))
        pipe.lrange(timelines.key(profile_id), 1, -1)
    answers = pipe.execute()
    counts = {}
    for n, profile_id in enumerate(profile_ids):
        present, held = answers[2 * n], answers[2 * n + 1]
        counts[profile_id] = held.count(wanted) if present else -1
    return counts


def broker_unacked() -> int:
    """Tasks the broker handed to a worker that has not acknowledged them (kombu's record)."""
    import redis

    client = redis.Redis(port=BROKER_PORT)
    try:
        return client.hlen("unacked")
    finally:
        client.close()


def follows(reader, author) -> None:
    answer = request(FRONT, reader.token, "POST", f"profiles/{author.username}/follow/")
    assert answer.status in (200, 201), answer


def timeline_built(reader) -> None:
    """The reader opens the app once: the feed is read, and their timeline built."""
    feed_ids(FRONT, reader.token)
    wait_for(lambda: timelines.exists(reader.pk), what=lambda: f"{reader.username}'s timeline")


def held_once(reader, *activity_ids: int) -> bool:
    return all(copies(activity_id, [reader.pk])[reader.pk] == 1 for activity_id in activity_ids)
