"""The exit matrix's world is built once for its module and committed, so that every cell
reads the same company without building it again (a cell's own writes are rolled back with
its test). Its photos and archive live in a scratch MEDIA_ROOT; Celery tasks run inline, as in
the other apps' tests. When the module is done, every table is emptied, as a transactional
test leaves it, and the timelines it wrote to Redis are deleted."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from socialblue.celery import app as celery_app
from tests.conftest import _clear_feed_keys
from tests.exits.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    overrides = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("exits-media")),
        # PBKDF2's deliberate slowness protects stored passwords; the cast has six.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock():
        overrides.enable()
        celery_app.conf.task_always_eager = True
        _clear_feed_keys()
        try:
            yield build_world()
        finally:
            call_command("flush", verbosity=0, interactive=False)
            _clear_feed_keys()
            celery_app.conf.task_always_eager = eager
            overrides.disable()
