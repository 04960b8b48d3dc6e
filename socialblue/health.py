"""Liveness and readiness probes for load balancers and orchestrators."""

import functools

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _check_timelines() -> None:
    from feed import timelines

    timelines.ping()  # on a Redis Cluster: every primary


def _redis_checks() -> dict:
    """One check per distinct Redis, named for what it serves: ``redis`` when one serves all,
    else ``redis:timelines``, ``redis:channels``, ``redis:cache`` (or a joined name, such as
    ``redis:channels+cache``, for parts that share a server)."""
    parts = {
        "timelines": settings.TIMELINE_REDIS_URL,
        "channels": settings.CHANNEL_REDIS_URL,
        "cache": settings.CACHE_REDIS_URL,
    }
    by_url: dict[str, list[str]] = {}
    for part, url in parts.items():
        by_url.setdefault(url, []).append(part)
    checks = {}
    for url, names in by_url.items():
        name = "redis" if len(by_url) == 1 else "redis:" + "+".join(names)
        checks[name] = _check_timelines if "timelines" in names else functools.partial(_ping, url)
    return checks


def _check_broker() -> None:
    from socialblue.celery import app

    # The URL comes from the settings now, not from the Celery app's configuration (read
    # once, at its first use), so the probe always checks the broker the settings name.
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        # One quick try: a probe that waits for retries outlives the prober's own timeout.
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)


@never_cache
@require_GET
def healthz(request):
    """200 while the process runs."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when the database, each Redis and the broker answer (embedded mode: the database)."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks.update(_redis_checks())
        checks["broker"] = _check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready", with its reason
            results[name] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503
    )
