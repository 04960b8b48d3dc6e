"""A password link goes only to the address the person stored, never to the one a request
typed: on PostgreSQL ``UPPER('maıl') = UPPER('mail')``, so a look-alike domain someone
registered must not receive another person's link, nor sign in as them (CVE-2019-19844)."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LINK = "/api/v1/auth/password/link/"
SET = "/api/v1/auth/password/set/"
NEW_PASSWORD = "a brand new passphrase 42"


def ask_for_link(address: str):
    return APIClient().post(LINK, {"email": address}, format="json")


def sign_in(login: str, password: str):
    return APIClient().post("/api/v1/auth/token/", {"username": login, "password": password}, format="json")


@pytest.fixture
def olu_at_home(olu):
    """Olu left the company; he signs in with his personal address."""
    olu.personal_email = "Olu@Mail.example"
    olu.save(update_fields=["personal_email"])
    return olu


@pytest.fixture
def ana_at_digital(ana):
    """Ana's work address is at a domain with an ``i`` in it."""
    ana.user.email = "ana@digital.example"
    ana.user.save(update_fields=["email"])
    return ana


def test_a_look_alike_of_an_alumnus_address_gets_no_link(olu_at_home, mailoutbox):
    response = ask_for_link("olu@maıl.example")  # dotless ı

    assert response.status_code == 202
    assert mailoutbox == []


def test_a_look_alike_of_a_work_address_gets_no_link(ana_at_digital, mailoutbox):
    response = ask_for_link("ana@dıgital.example")

    assert response.status_code == 202
    assert mailoutbox == []


def test_the_real_address_still_gets_its_link(olu_at_home, mailoutbox):
    assert ask_for_link("Olu@Mail.example").status_code == 202

    (mail,) = mailoutbox
    assert mail.to == ["Olu@Mail.example"]
    assert "Olu@Mail.example" in mail.body


@pytest.mark.parametrize("typed", ["olu@mail.example", "OLU@MAIL.EXAMPLE", "olu@ｍａｉｌ.example"])
def test_in_any_case_or_compatible_form_the_link_goes_to_the_stored_spelling(olu_at_home, mailoutbox, typed):
    assert ask_for_link(typed).status_code == 202

    (mail,) = mailoutbox
    assert mail.to == ["Olu@Mail.example"]
    assert "for Olu@Mail.example" in mail.body


def test_a_work_address_in_capitals_gets_the_link_at_the_stored_spelling(ana_at_digital, mailoutbox):
    assert ask_for_link("ANA@DIGITAL.EXAMPLE").status_code == 202

    (mail,) = mailoutbox
    assert mail.to == ["ana@digital.example"]


def test_the_link_sets_the_password_of_the_stored_address(olu_at_home, mailoutbox):
    ask_for_link("OLU@mail.EXAMPLE")

    uid, token = re.search(r"/accounts/reset/([\w-]+)/([\w-]+)/", mailoutbox[0].body).groups()
    set_password = {"uid": uid, "token": token, "password": NEW_PASSWORD}
    assert APIClient().post(SET, set_password, format="json").status_code == 200
    assert sign_in("olu@mail.example", NEW_PASSWORD).status_code == 201


def test_a_look_alike_address_does_not_sign_in(olu_at_home, ana_at_digital, password):
    assert sign_in("olu@maıl.example", password).status_code == 400
    assert sign_in("ana@dıgital.example", password).status_code == 400
    assert sign_in("olu@mail.example", password).status_code == 201


def test_a_look_alike_username_does_not_sign_in(priya, password):
    assert sign_in("prıya", password).status_code == 400
    assert sign_in("PRIYA", password).status_code == 201
