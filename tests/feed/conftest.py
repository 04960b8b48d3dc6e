"""Feed tests run against the real Redis and PostgreSQL. Celery tasks are called for real,
in this process (``task_always_eager``), unless a test starts a real worker; transactions
commit (``transaction=True``) where ``on_commit`` fan-outs must happen as in production.
The fixtures themselves are in ``tests/conftest.py``."""

import pytest

from profiles.models import DeviceToken


@pytest.fixture(autouse=True)
def _feed_state(fresh_timelines, eager_tasks):
    """Each test starts with no timelines, and its tasks run inline (or, where a test
    overrides ``eager_tasks``, through the broker to a real worker)."""


@pytest.fixture
def token_of():
    """A device token for a person, as the mobile app holds after signing in."""

    def issue(profile) -> str:
        return DeviceToken.objects.create(user=profile.user, device="phone")[1]

    return issue
