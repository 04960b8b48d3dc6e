"""Signing in to the web pages: by username or email, with clear errors, throttled after too
many failures; signing out; every page behind the sign-in; the page's security headers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def sign_in(client: Client, login: str, password: str):
    return client.post("/signin/", {"login": login, "password": password})


def test_a_page_sends_strangers_to_sign_in_and_back(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/people/"


def test_ana_signs_in_with_her_username_and_lands_home(client, ana, password):
    response = sign_in(client, "ana", password)
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/")
    assert home.status_code == 200
    assert b"Ana Silva" in home.content or b"ana" in home.content


def test_ana_signs_in_with_her_work_email_and_goes_where_she_was_headed(client, ana, password):
    response = client.post("/signin/", {"login": ana.user.email, "password": password, "next": "/people/"})
    assert (response.status_code, response["Location"]) == (302, "/people/")


def test_a_next_address_elsewhere_is_ignored(client, ana, password):
    response = client.post(
        "/signin/", {"login": "ana", "password": password, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_on_the_page(client, ana):
    response = sign_in(client, "ana", "not her password")
    assert response.status_code == 400
    assert "Wrong username, email or password." in response.content.decode()
    assert client.get("/").status_code == 302


def test_an_empty_form_asks_for_both(client):
    response = sign_in(client, "", "")
    assert response.status_code == 400
    assert "Enter your username or email and your password." in response.content.decode()


def test_too_many_failures_are_throttled_with_a_message_on_the_page(client, ana, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ana", "wrong")
    response = sign_in(client, "ana", password)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Too many failed attempts" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_signing_out_ends_the_session(client, ana, password):
    sign_in(client, "ana", password)
    assert client.post("/signout/").status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_needs_a_post(client, ana):
    client.force_login(ana.user)
    assert client.get("/signout/").status_code == 405


def test_pages_forbid_inline_scripts_and_outside_sources(client, ana):
    client.force_login(ana.user)
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_writes_need_the_csrf_token(ana, password):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/signin/", {"login": "ana", "password": password})
    assert response.status_code == 403
