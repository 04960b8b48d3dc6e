"""The cast every story draws on, and the clients they use.

* Ana Silva — an engineer in Platform (under Engineering), Lisbon office.
* Marco Rossi — Ana's manager, also in Platform.
* Priya Nair — a designer in Marketing, Berlin office: a colleague in another department.
* Olu Adeyemi — an alumnus, who once worked in Platform.
* Hana Kim — an HR officer.
"""

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from profiles.models import ProfileStatus
from socialblue.celery import app as celery_app
from tests.factories import PASSWORD, DepartmentFactory, OfficeFactory, make_person

# The real Redis servers, even while a test points settings somewhere unreachable.
REAL_REDIS_URL = settings.REDIS_URL
REAL_TIMELINE_REDIS = (settings.TIMELINE_REDIS_URL, settings.TIMELINE_REDIS_CLUSTER)

# live_asgi: a real ASGI server for socket tests (tests/live.py); celery_worker: a real Celery
# worker on the test's own queues (tests/workers.py).
pytest_plugins = ["tests.live", "tests.workers"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects stored passwords, and tests store hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """A story makes many API requests as one person within seconds; the API's rate limits
    (socialblue/throttling.py) are raised out of its way. The tests of the limits lower them."""
    settings.API_RATE_READ = settings.API_RATE_WRITE = settings.API_RATE_UPLOAD = "100000/m"


@pytest.fixture(autouse=True)
def _clean_shared_cache():
    """Tests share one Redis; each starts with no cached keys (failed sign-ins, locks)."""
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(match="sb:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    else:
        from django.core.cache import cache

        cache.clear()
    yield


@pytest.fixture
def engineering(db):
    return DepartmentFactory(name="Engineering", slug="engineering")


@pytest.fixture
def platform(engineering):
    return DepartmentFactory(name="Platform", slug="platform", parent=engineering)


@pytest.fixture
def marketing(db):
    return DepartmentFactory(name="Marketing", slug="marketing")


@pytest.fixture
def lisbon(db):
    return OfficeFactory(name="Lisbon", slug="lisbon", city="Lisbon", country="PT")


@pytest.fixture
def berlin(db):
    return OfficeFactory(name="Berlin", slug="berlin", city="Berlin", country="DE")


@pytest.fixture
def marco(platform, lisbon):
    return make_person(
        "marco",
        display_name="Marco Rossi",
        headline="Engineering Manager",
        department=platform,
        office=lisbon,
        skills=["Leadership", "Go"],
    )


@pytest.fixture
def ana(platform, lisbon, marco):
    return make_person(
        "ana",
        display_name="Ana Silva",
        headline="Senior Backend Engineer",
        department=platform,
        office=lisbon,
        manager=marco,
        skills=["Python", "PostgreSQL"],
        work_phone="+351 21 000 0001",
    )


@pytest.fixture
def priya(marketing, berlin):
    return make_person(
        "priya",
        display_name="Priya Nair",
        headline="Brand Designer",
        department=marketing,
        office=berlin,
        skills=["Figma", "Illustration"],
    )


@pytest.fixture
def olu(platform):
    return make_person(
        "olu",
        display_name="Olu Adeyemi",
        headline="Former SRE",
        status=ProfileStatus.ALUMNUS,
        skills=["Kubernetes"],
    )


@pytest.fixture
def hana(db):
    person = make_person("hana", display_name="Hana Kim", headline="HR Business Partner")
    # The group comes from a data migration; a transactional test before this one emptied
    # every table, so it is made again here as the migration made it.
    group, created = Group.objects.get_or_create(name="HR officers")
    if created:
        group.permissions.add(Permission.objects.get(codename="manage_employment"))
    person.user.groups.add(group)
    return person


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def client_for():
    """An API client signed in as a person (session-free: forced authentication)."""

    def make(profile) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=profile.user)
        return client

    return make


@pytest.fixture
def anon():
    return APIClient()


# --- Redis timelines and Celery tasks (the feed, photos and alumni tests) --------------------
# Each of those folders' conftest makes ``fresh_timelines`` and ``eager_tasks`` autouse; a test
# that runs a real worker overrides ``eager_tasks`` to send tasks through the broker.


def clear_feed_keys(store) -> None:
    """Delete the timelines, presence and rebuild locks of ``store`` (a plain Redis client or a
    ``RedisCluster``: its keys are scanned on every primary)."""
    keys = list(store.scan_iter(match="feed:*", count=1000))
    if keys:
        store.delete(*keys)


def _clear_feed_keys() -> None:
    if not REAL_REDIS_URL:
        return
    from feed import timelines

    clear_feed_keys(timelines.client_for(*REAL_TIMELINE_REDIS))


@pytest.fixture
def fresh_timelines():
    """No timelines, presence or rebuild locks left by another test (ids repeat across runs)."""
    _clear_feed_keys()
    yield
    _clear_feed_keys()


@pytest.fixture
def eager_tasks():
    """Celery tasks run for real, in this process, when they are sent."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REAL_REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` — run what the block schedules with ``on_commit`` when it
    ends (and what that schedules in turn), as a commit would (for tests inside a rolled-back
    test transaction)."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def task_runs():
    """The names of the Celery tasks that started in this process during the test, in order."""
    from celery.signals import task_prerun

    names: list[str] = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


@pytest.fixture
def media_root(settings, tmp_path):
    """Stored files (photos, avatars, archives) go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
