"""Settings: Ana sees the devices signed in to her account and signs one out; she asks for her
exit kit, watches it being built and downloads it (builds run for real, in this process, once
the request commits)."""

import io
import zipfile

import pytest

from exports.models import DataExport
from profiles.models import DeviceToken
from tests.feed.stories import post
from tests.frontend.test_alumni_pages import queries_of, shown, signed_in

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"
EXPORT = "/settings/export/"


def revoke_url(token: DeviceToken) -> str:
    return f"/settings/devices/{token.pk}/revoke/"


def device(person, name: str) -> DeviceToken:
    token, _key = DeviceToken.objects.create(user=person.user, device=name)
    return token


# --- Devices ----------------------------------------------------------------------------------


def test_ana_sees_her_devices_and_no_one_elses(client, ana, marco):
    device(ana, "Ana's phone")
    device(marco, "Marco's tablet")

    page = shown(signed_in(client, ana), SETTINGS)

    assert "Ana&#x27;s phone" in page
    assert "Marco" not in page.split('id="devices"', 1)[1]


def test_ana_signs_a_device_out(client, ana):
    phone, laptop = device(ana, "phone"), device(ana, "laptop")
    client = signed_in(client, ana)

    response = client.post(revoke_url(phone))

    assert (response.status_code, response["Location"]) == (302, SETTINGS)
    assert list(DeviceToken.objects.filter(user=ana.user)) == [laptop]
    assert "phone is signed out." in shown(client, SETTINGS)


def test_with_htmx_the_list_comes_back_without_the_device(client, ana):
    phone, laptop = device(ana, "phone"), device(ana, "laptop")

    response = signed_in(client, ana).post(revoke_url(phone), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="devices"') and "phone is signed out." in page
    assert revoke_url(laptop) in page and revoke_url(phone) not in page


def test_someone_elses_device_is_a_404_and_stays(client, ana, marco):
    tablet = device(marco, "tablet")

    assert signed_in(client, ana).post(revoke_url(tablet)).status_code == 404
    assert DeviceToken.objects.filter(pk=tablet.pk).exists()


def test_revoking_is_a_post(client, ana):
    phone = device(ana, "phone")

    assert signed_in(client, ana).get(revoke_url(phone)).status_code == 405


def test_the_devices_list_costs_the_same_queries_for_2_or_10_devices(client, ana):
    client = signed_in(client, ana)
    for n in range(2):
        device(ana, f"phone {n}")
    _page, few = queries_of(client, SETTINGS)
    for n in range(8):
        device(ana, f"tablet {n}")
    page, many = queries_of(client, SETTINGS)

    assert page.count('class="device"') == 10
    assert len(many) == len(few), many


# --- The exit kit -----------------------------------------------------------------------------


@pytest.fixture
def exporting(media_root, eager_tasks):
    """Archives go to a temporary MEDIA_ROOT; the build runs inline when it is sent."""


def test_before_asking_the_page_offers_to_start(client, ana):
    page = shown(signed_in(client, ana), EXPORT)

    assert "You have not asked for an archive yet." in page
    assert ">Start export</button>" in page


def test_a_started_export_shows_its_progress_and_keeps_polling(client, ana, exporting):
    client = signed_in(client, ana)

    response = client.post(EXPORT)  # the build waits for a commit that never comes here

    assert (response.status_code, response["Location"]) == (302, EXPORT)
    page = shown(client, EXPORT)
    assert "Your archive is queued" in page
    assert '<progress class="progress" max="100" value="0"' in page
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(EXPORT, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="export-status"') and "<html" not in fragment


def test_ana_starts_an_export_and_downloads_it_when_ready(client, ana, exporting, committed):
    post(ana, "Shipped the new search", visibility="network")
    client = signed_in(client, ana)

    with committed():
        client.post(EXPORT)

    page = shown(client, EXPORT)
    assert "Your archive is ready." in page
    assert 'hx-trigger="every 2s"' not in page  # nothing left to wait for
    export = DataExport.objects.get(profile=ana)
    link = page.split('class="btn btn-primary" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link.startswith(f"/api/v1/me/export/{export.pk}/download/?signature=")

    download = client.get(link)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "manifest.json" in archive.namelist()
    assert b"Shipped the new search" in archive.read("posts.json")


def test_the_link_is_ana_s_alone(client, ana, marco, exporting, committed):
    client = signed_in(client, ana)
    with committed():
        client.post(EXPORT)
    page = shown(client, EXPORT)
    link = page.split('class="btn btn-primary" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    assert signed_in(client, marco).get(link).status_code == 404


def test_a_second_export_too_soon_says_when_one_can_start(client, ana, exporting, committed):
    client = signed_in(client, ana)
    with committed():
        client.post(EXPORT)

    response = client.post(EXPORT)

    assert response.status_code == 429
    assert "You can start a new export in 10 minutes." in response.content.decode()
    assert DataExport.objects.filter(profile=ana).count() == 1
