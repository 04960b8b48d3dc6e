"""The exit matrix's world is built once for its module and committed, so that every cell
reads the same company without building it again (a cell's own writes are rolled back with
its test). Its photos and archive live in a scratch MEDIA_ROOT; Celery tasks run inline, as in
the other apps' tests. When the module is done, every table is emptied, as a transactional
test leaves it, and the timelines it wrote to Redis are deleted."""

import pytest

from tests.conftest import _clear_feed_keys
from tests.exits.world import build_world
from tests.module_world import committed_for_module


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = str(tmp_path_factory.mktemp("exits-media"))
    with committed_for_module(django_db_blocker, media_root=media_root, forget=_clear_feed_keys):
        yield build_world()
