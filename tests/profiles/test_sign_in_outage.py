"""Sign-in fails closed: while the Redis that holds the failure counts is down, no password is
checked (an uncounted guess is a free guess) and the answer is a clear 503 with Retry-After,
never a 500; once Redis is back, signing in works again. A Redis of the test's own is stopped
and started, never the shared one."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from profiles.models import DeviceToken
from tests.private_redis import private_cache

pytestmark = pytest.mark.django_db


def sign_in(login, password):
    return APIClient().post("/api/v1/auth/token/", {"username": login, "password": password}, format="json")


@pytest.fixture
def redis_server(tmp_path):
    with private_cache(tmp_path) as server:
        yield server


def test_while_redis_is_down_signing_in_to_the_api_is_a_503_and_then_works_again(ana, password, redis_server):
    assert sign_in("ana", password).status_code == 201
    redis_server.stop()

    for attempt in (password, "a guess"):
        refused = sign_in("ana", attempt)
        assert refused.status_code == 503
        assert refused.json()["code"] == "unavailable"
        assert "unavailable" in refused.json()["detail"]
        assert int(refused["Retry-After"]) > 0
    assert DeviceToken.objects.filter(user=ana.user).count() == 1

    redis_server.start()
    assert sign_in("ana", password).status_code == 201


def test_while_redis_is_down_the_web_sign_in_says_so_on_a_503_page(ana, password, redis_server):
    browser = Client()
    redis_server.stop()

    refused = browser.post("/signin/", {"login": "ana", "password": password})
    assert refused.status_code == 503
    assert refused["Content-Type"].startswith("text/html")
    assert int(refused["Retry-After"]) > 0
    assert "Signing in is briefly unavailable" in refused.content.decode()
    assert browser.get("/").status_code == 302  # not signed in

    redis_server.start()
    assert browser.post("/signin/", {"login": "ana", "password": password}).status_code == 302
    assert browser.get("/").status_code == 200
