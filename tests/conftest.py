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
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from profiles.models import ProfileStatus
from tests.factories import PASSWORD, DepartmentFactory, OfficeFactory, make_person

# live_asgi: a real ASGI server for socket tests (tests/live.py).
pytest_plugins = ["tests.live"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects stored passwords, and tests store hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    person.user.groups.add(Group.objects.get(name="HR officers"))
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
