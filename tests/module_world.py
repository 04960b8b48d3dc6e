"""A company built once for a test module and committed, for modules whose every test reads
the same people and content (the exit matrix, the golden feed pages): each test's own writes
are rolled back with it, and when the module is done every table is emptied, as a
transactional test leaves it."""

import contextlib
from collections.abc import Callable, Iterator

from django.core.management import call_command
from django.test import override_settings

from socialblue.celery import app as celery_app


@contextlib.contextmanager
def committed_for_module(django_db_blocker, *, media_root: str, forget: Callable[[], None]) -> Iterator[None]:
    """Inside: the database is open to the module's fixture, files go to ``media_root``,
    Celery tasks run inline, and passwords hash fast. ``forget`` deletes what the module
    leaves in Redis; it runs before the company is built and after it is emptied."""
    overrides = override_settings(
        MEDIA_ROOT=media_root,
        # PBKDF2's deliberate slowness protects stored passwords; a cast has several.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock():
        overrides.enable()
        celery_app.conf.task_always_eager = True
        forget()
        try:
            yield
        finally:
            call_command("flush", verbosity=0, interactive=False)
            forget()
            celery_app.conf.task_always_eager = eager
            overrides.disable()
