"""Every API request is rate-limited, per person when signed in and per address when not, in
the shared Redis: reads, writes and uploads each with a bucket of their own, every answer
saying where the client stands, and never a health probe counted. Rates are hours here, so
no window ends halfway through a test."""

import logging
import time

import pytest
from rest_framework.test import APIClient

from tests.private_redis import private_cache

pytestmark = pytest.mark.django_db


def sign_in(password, login="ana", device="phone"):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": login, "password": password, "device": device}, format="json"
    )
    assert response.status_code == 201, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def stranger(address: str, **headers) -> APIClient:
    return APIClient(REMOTE_ADDR=address, **headers)


def wrong_sign_in(client: APIClient):
    return client.post("/api/v1/auth/token/", {"username": "nobody", "password": "guess"}, format="json")


def test_reads_are_limited_and_every_answer_says_how_many_are_left(ana, client_for, settings):
    settings.API_RATE_READ = "3/h"
    client = client_for(ana)

    answers = [client.get("/api/v1/me/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a["X-RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    reset = int(answers[0]["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 3600

    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("3", "0")
    assert refused["X-RateLimit-Reset"] == answers[0]["X-RateLimit-Reset"]


def test_a_person_counts_once_however_many_devices_they_use(ana, priya, password, settings):
    phone, tablet = sign_in(password, device="phone"), sign_in(password, device="tablet")
    settings.API_RATE_READ = "2/h"

    assert phone.get("/api/v1/me/").status_code == 200
    assert tablet.get("/api/v1/me/").status_code == 200
    assert phone.get("/api/v1/me/").status_code == 429
    assert tablet.get("/api/v1/me/").status_code == 429
    # Priya has her own allowance.
    assert sign_in(password, login="priya").get("/api/v1/me/").status_code == 200


def test_writes_have_a_tighter_bucket_of_their_own(ana, client_for, settings):
    settings.API_RATE_WRITE = "2/h"
    client = client_for(ana)

    assert client.patch("/api/v1/me/", {"headline": "One"}, format="json").status_code == 200
    assert client.patch("/api/v1/me/", {"headline": "Two"}, format="json").status_code == 200
    refused = client.patch("/api/v1/me/", {"headline": "Three"}, format="json")
    assert refused.status_code == 429
    assert refused["X-RateLimit-Limit"] == "2"
    # Reading goes on.
    assert client.get("/api/v1/me/").json()["headline"] == "Two"


def test_uploads_have_a_bucket_of_their_own(ana, client_for, settings):
    settings.API_RATE_UPLOAD = "1/h"
    client = client_for(ana)

    def upload():
        return client.put("/api/v1/me/avatar/", {"image": b"not an image"}, format="multipart")

    assert upload().status_code == 400
    refused = upload()
    assert refused.status_code == 429
    assert refused["X-RateLimit-Limit"] == "1"
    assert client.patch("/api/v1/me/", {"headline": "Still writing"}, format="json").status_code == 200


def test_strangers_are_counted_per_address(db, settings):
    settings.API_RATE_WRITE = "2/h"

    assert [wrong_sign_in(stranger("203.0.113.1")).status_code for _ in range(3)] == [400, 400, 429]
    assert wrong_sign_in(stranger("203.0.113.2")).status_code == 400


def test_a_made_up_forwarded_for_header_does_not_buy_a_new_allowance(db, settings):
    settings.API_RATE_WRITE = "1/h"

    assert wrong_sign_in(stranger("203.0.113.1", HTTP_X_FORWARDED_FOR="10.0.0.1")).status_code == 400
    assert wrong_sign_in(stranger("203.0.113.1", HTTP_X_FORWARDED_FOR="10.0.0.2")).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(db, settings):
    settings.API_RATE_WRITE = "1/h"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"

    assert wrong_sign_in(stranger(proxy, HTTP_X_FORWARDED_FOR="spoof, 198.51.100.1")).status_code == 400
    assert wrong_sign_in(stranger(proxy, HTTP_X_FORWARDED_FOR="spoof, 198.51.100.1")).status_code == 429
    assert wrong_sign_in(stranger(proxy, HTTP_X_FORWARDED_FOR="spoof, 198.51.100.2")).status_code == 400


def test_health_probes_are_never_counted(db, settings):
    settings.API_RATE_READ = "1/h"
    probe = stranger("192.0.2.200")

    for _ in range(5):
        for path in ("/healthz", "/readyz"):
            answer = probe.get(path)
            assert answer.status_code == 200, path
            assert "X-RateLimit-Limit" not in answer


def test_the_password_link_keeps_its_own_small_limit_with_the_same_headers(db, settings):
    settings.PASSWORD_LINK_RATE = "1/h"
    client = stranger("192.0.2.201")

    def ask():
        return client.post("/api/v1/auth/password/link/", {"email": "x@company.example"}, format="json")

    assert ask()["X-RateLimit-Limit"] == "1"
    refused = ask()
    assert refused.status_code == 429 and refused["Retry-After"]


def test_while_redis_is_down_the_api_serves_unmetered_and_warns(ana, password, settings, caplog, tmp_path):
    settings.API_RATE_READ = "1/h"
    client = sign_in(password)
    with private_cache(tmp_path) as redis_server:
        assert client.get("/api/v1/me/").status_code == 200
        assert client.get("/api/v1/me/").status_code == 429
        redis_server.stop()

        with caplog.at_level(logging.WARNING, logger="socialblue.throttling"):
            answer = client.get("/api/v1/me/")
        assert answer.status_code == 200
        assert "X-RateLimit-Limit" not in answer
        assert "cache is unreachable" in caplog.text

        redis_server.start()  # empty again: counting starts afresh
        assert client.get("/api/v1/me/").status_code == 200
        assert client.get("/api/v1/me/").status_code == 429
