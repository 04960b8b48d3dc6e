"""Failed sign-ins are throttled per account and per client address, in the shared cache."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(login, password, address="203.0.113.7"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": login, "password": password}, format="json"
    )


def test_failures_are_counted_in_redis_in_full_mode():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_an_account_is_locked_after_too_many_failures_with_retry_after(ana, password):
    for _ in range(LIMIT - 1):
        assert attempt("ana", "wrong").status_code == 400
    locked = attempt("ana", "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many" in locked.json()["detail"]
    # Even the right password is refused while locked.
    assert attempt("ana", password).status_code == 429


def test_the_account_lock_holds_from_any_address_and_by_email(ana, password):
    for i in range(LIMIT):
        attempt("ana", "wrong", address=f"198.51.100.{i}")
    assert attempt("ana@company.example", password, address="192.0.2.99").status_code == 429


def test_one_address_guessing_many_accounts_is_locked(ana, priya, marco, password):
    for i in range(LIMIT):
        attempt(f"nobody{i}", "guess", address="203.0.113.50")
    assert attempt("priya", password, address="203.0.113.50").status_code == 429
    # Priya herself, from her own address, is not affected.
    assert attempt("priya", password, address="192.0.2.10").status_code == 201


def test_a_success_resets_the_account_count(ana, password):
    for _ in range(LIMIT - 1):
        attempt("ana", "wrong", address="192.0.2.1")
    assert attempt("ana", password, address="192.0.2.1").status_code == 201
    for _ in range(LIMIT - 1):
        assert attempt("ana", "wrong", address="192.0.2.2").status_code == 400


def test_other_accounts_sign_in_while_one_is_locked(ana, priya, password):
    for i in range(LIMIT):
        attempt("ana", "wrong", address=f"198.51.100.{i}")
    assert attempt("priya", password, address="192.0.2.44").status_code == 201
