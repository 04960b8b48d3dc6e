"""The Celery app: queues ``default``, ``fanout`` (feed fan-out) and ``media`` (image work).

Settings live in ``socialblue.settings`` under the ``CELERY_`` prefix. Run a worker for all
queues with ``celery -A socialblue worker -Q default,fanout,media`` and the periodic tasks with
``celery -A socialblue beat``.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialblue.settings")

app = Celery("socialblue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "fanout", "media")]
app.autodiscover_tasks()
