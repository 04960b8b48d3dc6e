"""Guessing passwords stays expensive, and nobody can lock anyone else out: failures are
counted per account and address and per address (those lock), per account alone (that only
slows down), and a known device or the emailed link always lets the person back in."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from profiles.sign_in_limits import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = int(settings.AXES_COOLOFF_TIME.total_seconds())
ANAS_ADDRESS = "192.0.2.10"
STRANGER = "203.0.113.7"


def device(address: str) -> APIClient:
    """A phone or laptop at an address; it keeps the cookies it is given."""
    return APIClient(REMOTE_ADDR=address)


def attempt(login, password, address=STRANGER, client=None):
    client = client or device(address)
    return client.post("/api/v1/auth/token/", {"username": login, "password": password}, format="json")


def test_failures_are_counted_in_redis_in_full_mode():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_strangers_at_five_addresses_do_not_lock_ana_out(ana, password):
    for i in range(LIMIT):
        assert attempt("ana", "wrong", address=f"198.51.100.{i}").status_code == 400

    assert attempt("ana@company.example", password, address=ANAS_ADDRESS).status_code == 201


def test_an_address_is_locked_out_of_an_account_after_the_limit(ana, password):
    for _ in range(LIMIT - 1):
        assert attempt("ana", "wrong").status_code == 400
    locked = attempt("ana", "wrong")

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == COOL_OFF
    assert "Too many" in locked.json()["detail"]
    # The lock holds even for the right password, typed as the username or the address.
    assert attempt("ana", password).status_code == 429
    assert attempt("ANA@company.example", password).status_code == 429
    # Ana herself, from her own address, is not affected.
    assert attempt("ana", password, address=ANAS_ADDRESS).status_code == 201


def test_one_address_guessing_many_accounts_is_locked(ana, priya, marco, password):
    for i in range(LIMIT):
        attempt(f"nobody{i}", "guess", address="203.0.113.50")

    assert attempt("priya", password, address="203.0.113.50").status_code == 429
    assert attempt("priya", password, address="192.0.2.44").status_code == 201


def test_a_success_clears_the_account_count_but_not_the_address_count(ana, priya, password):
    for _ in range(LIMIT - 1):
        attempt("ana", "wrong", address="192.0.2.1")
    assert attempt("ana", password, address="192.0.2.1").status_code == 201
    # Ana's own mistakes are forgiven...
    assert attempt("ana", "wrong", address="192.0.2.2").status_code == 400
    # ...but signing in to one account does not wipe what an address tried at others.
    assert attempt("priya", "wrong", address="192.0.2.1").status_code == 429


def test_guessing_from_many_addresses_only_slows_the_account_down(ana, password, settings):
    settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER = 3
    settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 2
    answers = [attempt("ana", "wrong", address=f"198.51.100.{i}") for i in range(8)]

    assert {a.status_code for a in answers} == {400, 429}
    waits = [int(a["Retry-After"]) for a in answers if a.status_code == 429]
    assert max(waits) <= 2
    # Ana waits a moment at most, never a cool-off...
    slowed = attempt("ana", password, address=ANAS_ADDRESS)
    assert slowed.status_code == 429 and int(slowed["Retry-After"]) <= 2
    time.sleep(int(slowed["Retry-After"]))
    # ...and then she is in.
    assert attempt("ana", password, address=ANAS_ADDRESS).status_code == 201


def test_a_known_device_signs_in_while_its_address_is_locked(ana, password):
    phone = device(ANAS_ADDRESS)
    assert attempt("ana", password, client=phone).status_code == 201
    cookie = phone.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie.value
    # Someone behind the same office address guesses at Ana and at others.
    for _ in range(LIMIT):
        attempt("ana", "wrong", address=ANAS_ADDRESS)
    for i in range(LIMIT):
        attempt(f"nobody{i}", "guess", address=ANAS_ADDRESS)
    assert attempt("ana", password, address=ANAS_ADDRESS).status_code == 429

    assert attempt("ana", password, client=phone).status_code == 201


def test_a_known_device_of_one_account_does_not_open_another(ana, priya, password):
    phone = device(STRANGER)
    assert attempt("priya", password, client=phone).status_code == 201
    for _ in range(LIMIT):
        attempt("ana", "wrong", address=STRANGER)

    assert attempt("ana", password, client=phone).status_code == 429


def test_a_stolen_device_cookie_is_worth_a_few_guesses_and_no_more(ana, password):
    phone = device(ANAS_ADDRESS)
    attempt("ana", password, client=phone)
    thief = device(STRANGER)
    thief.cookies[DEVICE_COOKIE] = phone.cookies[DEVICE_COOKIE].value
    for _ in range(LIMIT):
        attempt("ana", "wrong", address=STRANGER)
    for _ in range(LIMIT):
        assert attempt("ana", "wrong", client=thief).status_code == 400

    assert attempt("ana", password, client=thief).status_code == 429


def test_the_emailed_link_works_while_locked_and_lets_ana_back_in(ana, mailoutbox):
    laptop = device(ANAS_ADDRESS)
    for _ in range(LIMIT):
        attempt("ana", "forgot it", client=laptop)
    assert attempt("ana", "forgot it either", client=laptop).status_code == 429

    asked = laptop.post("/api/v1/auth/password/link/", {"email": "ana@company.example"}, format="json")
    assert asked.status_code == 202
    uid, token = re.search(r"/accounts/reset/([\w-]+)/([\w-]+)/", mailoutbox[0].body).groups()
    new_password = "remembered at last 1977"
    set_password = {"uid": uid, "token": token, "password": new_password}
    answer = laptop.post("/api/v1/auth/password/set/", set_password, format="json")

    assert answer.status_code == 200
    assert answer.cookies[DEVICE_COOKIE]["httponly"]
    assert attempt("ana", new_password, client=laptop).status_code == 201


def test_the_emailed_link_in_a_browser_lets_ana_back_in(ana, mailoutbox):
    browser = Client(REMOTE_ADDR=ANAS_ADDRESS)
    for _ in range(LIMIT + 1):
        browser.post("/signin/", {"login": "ana", "password": "forgot it"})
    assert browser.post("/signin/", {"login": "ana", "password": "still wrong"}).status_code == 429

    APIClient().post("/api/v1/auth/password/link/", {"email": "ana@company.example"}, format="json")
    link = re.search(r"http://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    new_password = "remembered at last 1977"
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302

    signed_in = browser.post("/signin/", {"login": "ana", "password": new_password})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")


def test_a_known_browser_signs_in_while_its_address_is_locked(ana, password):
    browser = Client(REMOTE_ADDR=ANAS_ADDRESS)
    assert browser.post("/signin/", {"login": "ana", "password": password}).status_code == 302
    browser.post("/signout/")
    for i in range(LIMIT):
        attempt(f"nobody{i}", "guess", address=ANAS_ADDRESS)
    new_browser = Client(REMOTE_ADDR=ANAS_ADDRESS)
    assert new_browser.post("/signin/", {"login": "ana", "password": password}).status_code == 429

    assert browser.post("/signin/", {"login": "ana", "password": password}).status_code == 302


def test_other_accounts_sign_in_while_one_is_under_attack(ana, priya, password):
    for i in range(LIMIT * 3):
        attempt("ana", "wrong", address=f"198.51.100.{i}")

    assert attempt("priya", password, address="192.0.2.44").status_code == 201
