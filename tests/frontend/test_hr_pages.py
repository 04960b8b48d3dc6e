"""The HR pages (``/hr/``): Hana, an HR officer, finds people, offboards Ana (today, or on a
day to come) and rehires Olu, each after a confirmation step, through the same services as
the API. Everyone else gets 403."""

import datetime as dt

import pytest
from django.utils import timezone

from alumni.models import EmploymentEvent
from alumni.services import alumnus_offboard
from profiles.models import DeviceToken, ProfileStatus
from tests.factories import make_person
from tests.frontend.test_alumni_pages import queries_of, shown, signed_in

pytestmark = pytest.mark.django_db

HR = "/hr/"


def offboard_url(username: str) -> str:
    return f"/hr/{username}/offboard/"


def rehire_url(username: str) -> str:
    return f"/hr/{username}/rehire/"


@pytest.fixture(autouse=True)
def _alumni_state(fresh_timelines, eager_tasks):
    """Offboarding publishes activities and resets timelines: tasks inline, no old timelines."""


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ana", "olu"])
@pytest.mark.parametrize("url", [HR, offboard_url("ana"), rehire_url("olu")])
def test_only_hr_officers_get_in(client, ana, olu, who, url):
    client = signed_in(client, {"ana": ana, "olu": olu}[who])

    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"leave_date": "2026-01-01", "personal_email": "x@home.example"}).status_code == 403
    )


def test_someone_unknown_is_a_404(client, hana):
    assert signed_in(client, hana).get(offboard_url("nobody")).status_code == 404


# --- Finding people ---------------------------------------------------------------------------


def test_hana_finds_employees_to_offboard_and_alumni_to_rehire(client, hana, ana, olu, priya):
    client = signed_in(client, hana)

    everyone = shown(client, HR)
    assert f'href="{offboard_url("ana")}"' in everyone
    assert f'href="{rehire_url("olu")}"' in everyone
    alumni_only = shown(client, HR, status="alumnus")
    assert "Olu Adeyemi" in alumni_only and "Ana Silva" not in alumni_only
    by_name = shown(client, HR, q="priya")
    assert "Priya Nair" in by_name and "Ana Silva" not in by_name


def test_the_people_list_costs_the_same_queries_for_2_or_10_people(client, hana):
    client = signed_in(client, hana)
    # Hana is one of the people listed; so are these.
    make_person("early0")
    _page, few = queries_of(client, HR)
    for n in range(8):
        person = make_person(f"late{n}")
        if n % 2:
            later = timezone.localdate() + dt.timedelta(days=10 + n)
            alumnus_offboard(profile=person, leave_date=later, personal_email=f"late{n}@home.example")
    page, many = queries_of(client, HR)

    assert page.count('class="hr-row"') == 10
    assert "Scheduled leaves" in page and page.count("Leaves on") >= 4
    assert len(many) == len(few), many


# --- Offboarding ------------------------------------------------------------------------------


def test_hana_offboards_ana_after_confirming(client, hana, ana, committed, mailoutbox):
    DeviceToken.objects.create(user=ana.user, device="phone")
    client = signed_in(client, hana)
    today = timezone.localdate().isoformat()
    form = shown(client, offboard_url("ana"))
    assert f'value="{today}"' in form  # the last day is today unless told otherwise

    confirm = client.post(offboard_url("ana"), {"leave_date": today, "personal_email": "ana@home.example"})
    assert confirm.status_code == 200
    assert "Ana Silva will lose access to company content now." in confirm.content.decode()
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.EMPLOYEE  # nothing happens before the confirmation

    with committed():
        done = client.post(
            offboard_url("ana"),
            {"leave_date": today, "personal_email": "ana@home.example", "confirm": "1"},
        )

    assert (done.status_code, done["Location"]) == (302, HR)
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.ALUMNUS
    assert not DeviceToken.objects.filter(user=ana.user).exists()
    event = EmploymentEvent.objects.get(profile=ana)
    assert (event.actor, event.source, event.applied_at is not None) == (hana.user, "web", True)
    assert [m.to for m in mailoutbox] == [["ana@home.example"]]
    page = shown(client, HR)
    assert "Ana Silva is now an alumnus." in page
    assert "Recent changes" in page and "by @hana" in page


def test_a_last_day_to_come_is_scheduled(client, hana, ana, mailoutbox):
    client = signed_in(client, hana)
    later = timezone.localdate() + dt.timedelta(days=30)

    confirm = client.post(
        offboard_url("ana"), {"leave_date": later.isoformat(), "personal_email": "ana@home.example"}
    )
    assert "keeps working as usual until" in confirm.content.decode()
    done = client.post(
        offboard_url("ana"),
        {"leave_date": later.isoformat(), "personal_email": "ana@home.example", "confirm": "1"},
    )

    assert done.status_code == 302
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.EMPLOYEE
    assert EmploymentEvent.objects.get(profile=ana).pending
    assert mailoutbox == []
    page = shown(client, HR)
    assert "Scheduled leaves" in page and "Leaves on" in page


def test_a_scheduled_leave_can_be_called_off(client, hana, ana):
    later = timezone.localdate() + dt.timedelta(days=30)
    alumnus_offboard(profile=ana, leave_date=later, personal_email="ana@home.example")

    response = signed_in(client, hana).post(offboard_url("ana"), {"action": "cancel"})

    assert response.status_code == 302
    event = EmploymentEvent.objects.get(profile=ana)
    assert not event.pending and event.cancelled_by == hana.user


def test_no_personal_email_is_an_error_on_the_page_and_changes_nothing(client, hana, ana):
    response = signed_in(client, hana).post(
        offboard_url("ana"),
        {"leave_date": timezone.localdate().isoformat(), "personal_email": "", "confirm": "1"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="personal_email-error"' in page
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.EMPLOYEE
    assert not EmploymentEvent.objects.exists()


def test_an_address_already_in_use_is_refused_by_the_service(client, hana, ana, priya):
    response = signed_in(client, hana).post(
        offboard_url("ana"),
        {"leave_date": timezone.localdate().isoformat(), "personal_email": priya.user.email, "confirm": "1"},
    )

    assert response.status_code == 400
    assert "already in use" in response.content.decode()
    assert not EmploymentEvent.objects.exists()


def test_an_alumnus_cannot_be_offboarded(client, hana, olu):
    response = signed_in(client, hana).post(
        offboard_url("olu"),
        {
            "leave_date": timezone.localdate().isoformat(),
            "personal_email": "olu@home.example",
            "confirm": "1",
        },
    )

    assert response.status_code == 409
    assert "Olu Adeyemi is not an employee." in response.content.decode()


# --- Rehire -----------------------------------------------------------------------------------


def test_hana_rehires_olu_into_platform_under_marco(client, hana, olu, marco, platform):
    client = signed_in(client, hana)
    fields = {"department": "platform", "title": "Staff SRE", "manager": "marco"}

    confirm = client.post(rehire_url("olu"), fields)
    assert confirm.status_code == 200
    assert "Olu Adeyemi becomes an employee again today" in confirm.content.decode()
    done = client.post(rehire_url("olu"), {**fields, "confirm": "1"})

    assert (done.status_code, done["Location"]) == (302, HR)
    olu.refresh_from_db()
    assert (olu.status, olu.department, olu.manager, olu.headline) == (
        ProfileStatus.EMPLOYEE,
        platform,
        marco,
        "Staff SRE",
    )
    assert EmploymentEvent.objects.get(profile=olu, action="rehire").actor == hana.user
    assert "is an employee again" in shown(client, HR)


def test_an_unknown_manager_is_an_error_and_changes_nothing(client, hana, olu):
    response = signed_in(client, hana).post(
        rehire_url("olu"), {"department": "", "title": "", "manager": "nobody", "confirm": "1"}
    )

    assert response.status_code == 400
    assert "No one is called @nobody." in response.content.decode()
    olu.refresh_from_db()
    assert olu.status == ProfileStatus.ALUMNUS


def test_an_employee_cannot_be_rehired(client, hana, ana):
    response = signed_in(client, hana).post(rehire_url("ana"), {"confirm": "1"})

    assert response.status_code == 409
    assert "Ana Silva is not an alumnus." in response.content.decode()


def test_back_from_the_confirmation_shows_the_form_with_what_hana_typed(client, hana, olu, marco, platform):
    fields = {"department": "platform", "title": "Staff SRE", "manager": "@marco"}

    page = shown_after_post(signed_in(client, hana), rehire_url("olu"), {**fields, "back": "1"})

    assert "Confirm the rehire" not in page
    assert 'value="Staff SRE"' in page and 'value="platform" selected' in page
    olu.refresh_from_db()
    assert olu.status == ProfileStatus.ALUMNUS


def test_the_page_and_the_api_refuse_an_unknown_manager_alike(client, client_for, hana, olu, platform):
    fields = {"department": "platform", "manager": "nobody"}

    page = signed_in(client, hana).post(rehire_url("olu"), fields)
    api = client_for(hana).post("/api/v1/alumni/rehire/", {"username": "olu", **fields}, format="json")

    assert (page.status_code, api.status_code) == (400, 400)
    assert api.json()["manager"] == ["No one is called @nobody."]
    assert "No one is called @nobody." in page.content.decode()
    olu.refresh_from_db()
    assert olu.status == ProfileStatus.ALUMNUS


def test_the_api_rehires_under_a_manager_named_with_an_at_sign(client_for, hana, olu, marco, platform):
    response = client_for(hana).post(
        "/api/v1/alumni/rehire/",
        {"username": "olu", "department": "platform", "manager": "@marco"},
        format="json",
    )

    assert response.status_code == 200
    olu.refresh_from_db()
    assert (olu.status, olu.department, olu.manager) == (ProfileStatus.EMPLOYEE, platform, marco)


def shown_after_post(client, url: str, data: dict) -> str:
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()
