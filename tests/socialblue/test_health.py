"""The probes load balancers and orchestrators ask: ``/healthz`` (is the process alive?) and
``/readyz`` (can it serve: database, Redis, broker?). They answer JSON, never a 500."""

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_touching_the_database(client):
    # No database access is allowed in this test: a slow database must not get live
    # processes restarted.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probes_are_never_cached(client, db):
    for path in ("/healthz", "/readyz"):
        assert "no-cache" in client.get(path)["Cache-Control"]


def test_readyz_reports_database_redis_and_broker_ready(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok"},
    }


def test_readyz_is_unavailable_with_reasons_when_redis_is_unreachable(client, db, settings):
    settings.TIMELINE_REDIS_URL = settings.CHANNEL_REDIS_URL = settings.CACHE_REDIS_URL = UNREACHABLE_REDIS
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["broker"].startswith("error: ")


def test_readyz_checks_each_distinct_redis_and_names_the_one_away(client, db, settings):
    # The channel layer (and the live feed) on a Redis of their own, which is away; the
    # timelines and the cache share the other.
    settings.CHANNEL_REDIS_URL = UNREACHABLE_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert set(checks) == {"database", "redis:timelines+cache", "redis:channels", "broker"}
    assert checks["redis:timelines+cache"] == "ok"
    assert checks["redis:channels"].startswith("error: ")
    assert checks["broker"] == "ok"


def test_readyz_in_the_embedded_mode_checks_only_the_database(client, db, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
