"""Ana lost her phone: from the settings page she signs out everywhere. Every device token and
every browser session of hers ends (this browser's too), her password stops working, and a
link to set a new one goes to the address she signs in with."""

import re

import pytest
from django.test import Client

from profiles.models import DeviceToken
from tests.frontend.test_alumni_pages import shown, signed_in

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"
EVERYWHERE = "/settings/sign-out-everywhere/"


def test_the_settings_page_offers_to_sign_out_everywhere(client, ana):
    page = shown(signed_in(client, ana), SETTINGS)

    assert f'action="{EVERYWHERE}"' in page and "Sign out everywhere" in page


def test_ana_signs_out_everywhere_and_gets_a_link_for_a_new_password(
    client, ana, marco, password, mailoutbox
):
    DeviceToken.objects.create(user=ana.user, device="lost phone")
    DeviceToken.objects.create(user=marco.user, device="Marco's tablet")
    laptop = signed_in(Client(), ana)
    assert laptop.get("/").status_code == 200

    response = signed_in(client, ana).post(EVERYWHERE)

    assert (response.status_code, response["Location"]) == (302, "/signin/")
    assert not DeviceToken.objects.filter(user=ana.user).exists()
    assert DeviceToken.objects.filter(user=marco.user).count() == 1
    assert client.get("/")["Location"].startswith("/signin/")  # this browser
    assert laptop.get("/")["Location"].startswith("/signin/")  # and every other one
    ana.user.refresh_from_db()
    assert not ana.user.check_password(password)
    [mail] = mailoutbox
    assert mail.to == [ana.user.email]
    assert re.search(r"/accounts/reset/[^/]+/[^/]+/", mail.body)
    assert "signed out everywhere" in client.get("/signin/").content.decode()


def test_with_htmx_the_browser_is_sent_to_the_sign_in_page(client, ana, mailoutbox):
    response = signed_in(client, ana).post(EVERYWHERE, headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Redirect"]) == (200, "/signin/")


def test_signing_out_everywhere_takes_a_post(client, ana):
    assert signed_in(client, ana).get(EVERYWHERE).status_code == 405
    assert DeviceToken.objects.filter(user=ana.user).count() == 0
    assert client.get("/").status_code == 200  # still signed in
