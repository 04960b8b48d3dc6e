"""The cluster stories run against the local production topology that ``make cluster`` starts,
never against the test database: ``make test-cluster`` loads ``var/cluster/env`` and runs
them; ``make test`` leaves them out (``-m "not cluster"``), and without the topology's
environment they are skipped.

Every test of this package is marked ``cluster``. Database access is open for the whole
session, on the topology's own database (pytest-django would otherwise make a test database
of its own, which the servers and workers never read).
"""

from pathlib import Path

import pytest
from django.db import connections

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    from tests.cluster.topology import SERVERS

    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.cluster)
            if len(SERVERS) < 2:
                item.add_marker(
                    pytest.mark.skip(reason="needs the local cluster: make cluster, then make test-cluster")
                )


@pytest.fixture(scope="session", autouse=True)
def topology_database(django_db_blocker):
    """The topology's database, open to the test process (rows are committed at once)."""
    with django_db_blocker.unblock():
        yield
        connections.close_all()


@pytest.fixture(autouse=True)
def _clean_shared_cache():
    """The root conftest empties the shared cache before each test; here the cache is the
    topology's, and its rate limits and locks belong to the servers."""
    yield


@pytest.fixture(autouse=True)
def _usable_connection():
    """A fault story restarts PostgreSQL: the next story starts on a fresh connection."""
    connections.close_all()
    yield
