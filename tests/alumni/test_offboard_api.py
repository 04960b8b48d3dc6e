"""Offboarding and rehire through the API (HR only), a leave that waits for its day, and how
the alumnus signs in afterwards: with their personal email and a password they set from the
invitation sent there."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework.test import APIClient

from alumni.models import EmploymentEvent, EmploymentPeriod
from alumni.selectors import pending_leaves
from alumni.services import alumnus_offboard, alumnus_rehire, leaves_apply_due, offboard_cancel
from alumni.tasks import apply_due_leaves
from profiles.models import Profile, ProfileStatus
from socialblue.errors import Invalid

pytestmark = pytest.mark.django_db

OFFBOARD = "/api/v1/alumni/offboard/"
REHIRE = "/api/v1/alumni/rehire/"
SIGN_IN = "/api/v1/auth/token/"
PASSWORD_SET = "/api/v1/auth/password/set/"
NEW_PASSWORD = "lighthouse keeper 1987"


def offboarding(username: str = "ana", *, leave_date=None, personal_email: str = "ana@home.example") -> dict:
    leave_date = leave_date or timezone.localdate()
    return {"username": username, "leave_date": str(leave_date), "personal_email": personal_email}


def status_of(person: Profile) -> str:
    return Profile.objects.get(pk=person.pk).status


def sign_in(login: str, password: str):
    return APIClient().post(SIGN_IN, {"username": login, "password": password}, format="json")


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ana", "olu"])
@pytest.mark.parametrize(
    ("url", "body"),
    [(OFFBOARD, offboarding("marco", personal_email="marco@home.example")), (REHIRE, {"username": "olu"})],
    ids=["offboard", "rehire"],
)
def test_only_hr_may_offboard_or_rehire(request, marco, olu, client_for, who, url, body):
    person = request.getfixturevalue(who)

    response = client_for(person).post(url, body, format="json")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert (status_of(marco), status_of(olu)) == (ProfileStatus.EMPLOYEE, ProfileStatus.ALUMNUS)
    assert not EmploymentEvent.objects.exists()


@pytest.mark.parametrize("url", [OFFBOARD, REHIRE])
def test_strangers_are_asked_to_sign_in(ana, anon, url):
    response = anon.post(url, offboarding(), format="json")

    assert response.status_code == 401
    assert "detail" in response.json()
    assert status_of(ana) == ProfileStatus.EMPLOYEE


# --- Bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"personal_email": None}, "personal_email", id="no-personal-email"),
        pytest.param({"personal_email": "ana at home"}, "personal_email", id="not-an-email"),
        pytest.param({"leave_date": "2026-02-30"}, "leave_date", id="no-such-date"),
        pytest.param({"leave_date": "next friday"}, "leave_date", id="not-a-date"),
        pytest.param({"personal_email": "priya@company.example"}, "personal_email", id="priya-work-email"),
        pytest.param({"personal_email": "ANA@company.example"}, "personal_email", id="own-work-email"),
        pytest.param({"username": None}, "username", id="no-username"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    ana, priya, hana, client_for, changes, field
):
    body = {**offboarding(), **changes}
    body = {name: value for name, value in body.items() if value is not None}

    response = client_for(hana).post(OFFBOARD, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    ana.refresh_from_db()
    assert (ana.status, ana.personal_email) == (ProfileStatus.EMPLOYEE, "")
    assert not EmploymentEvent.objects.exists()


def test_a_personal_email_already_given_for_a_scheduled_leave_is_taken(ana, marco, hana, client_for):
    hr = client_for(hana)
    in_three_days = timezone.localdate() + dt.timedelta(days=3)
    assert hr.post(OFFBOARD, offboarding("ana", leave_date=in_three_days), format="json").status_code == 200

    response = hr.post(
        OFFBOARD,
        offboarding("marco", personal_email="ana@home.example", leave_date=in_three_days),
        format="json",
    )

    # Otherwise both would sign in with ana@home.example once their day comes.
    assert response.status_code == 400
    assert "personal_email" in response.json()
    assert EmploymentEvent.objects.filter(profile=marco).count() == 0


def test_offboarding_an_alumnus_is_a_409(olu, hana, client_for):
    response = client_for(hana).post(
        OFFBOARD, offboarding("olu", personal_email="olu@home.example"), format="json"
    )

    assert response.status_code == 409
    assert "detail" in response.json()
    assert not EmploymentEvent.objects.exists()


def test_rehiring_an_employee_is_a_409(ana, hana, client_for):
    response = client_for(hana).post(REHIRE, {"username": "ana"}, format="json")

    assert response.status_code == 409
    assert "detail" in response.json()
    assert not EmploymentEvent.objects.exists()


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (OFFBOARD, offboarding("nobody", personal_email="nobody@home.example")),
        (REHIRE, {"username": "nobody"}),
    ],
    ids=["offboard", "rehire"],
)
def test_someone_unknown_is_a_404(hana, client_for, url, body):
    response = client_for(hana).post(url, body, format="json")

    assert response.status_code == 404
    assert "detail" in response.json()


# --- Leaving and coming back ------------------------------------------------------------------


def test_hr_offboards_and_later_rehires(ana, hana, client_for, committed):
    hr = client_for(hana)
    a_month_ago = timezone.localdate() - dt.timedelta(days=30)

    with committed():
        left = hr.post(OFFBOARD, offboarding(leave_date=a_month_ago), format="json")

    assert left.status_code == 200, left.content
    assert left.json()["status"] == "alumnus"
    event = left.json()["employment_event"]
    assert (event["action"], event["source"], event["by"]) == ("offboard", "api", "hana")
    assert event["applied_at"] is not None
    assert status_of(ana) == ProfileStatus.ALUMNUS

    with committed():
        back = hr.post(REHIRE, {"username": "ana"}, format="json")

    assert back.status_code == 200, back.content
    assert back.json()["status"] == "employee"
    assert back.json()["employment_event"]["action"] == "rehire"
    assert status_of(ana) == ProfileStatus.EMPLOYEE
    assert EmploymentPeriod.objects.filter(profile=ana).count() == 2


def test_a_leave_dated_in_the_future_waits_for_its_day(ana, hana, client_for, committed, mailoutbox):
    leave_day = timezone.localdate() + dt.timedelta(days=3)

    with committed():
        response = client_for(hana).post(OFFBOARD, offboarding(leave_date=leave_day), format="json")

    assert response.status_code == 200, response.content
    assert response.json()["employment_event"]["applied_at"] is None
    assert status_of(ana) == ProfileStatus.EMPLOYEE
    waiting = EmploymentEvent.objects.get(profile=ana)
    assert waiting.pending and waiting.effective_on == leave_day
    assert mailoutbox == []

    with committed():
        assert leaves_apply_due(today=leave_day - dt.timedelta(days=1)) == []
    assert status_of(ana) == ProfileStatus.EMPLOYEE

    with committed():
        assert [event.pk for event in leaves_apply_due(today=leave_day)] == [waiting.pk]
    assert status_of(ana) == ProfileStatus.ALUMNUS
    waiting.refresh_from_db()
    assert not waiting.pending
    assert EmploymentPeriod.objects.get(profile=ana).end == leave_day
    assert [mail.to for mail in mailoutbox] == [["ana@home.example"]]


def test_the_periodic_task_applies_a_leave_whose_day_has_come(ana, hana, client_for, committed):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with committed():
        client_for(hana).post(OFFBOARD, offboarding(leave_date=tomorrow), format="json")
    apply_due_leaves.delay()
    assert status_of(ana) == ProfileStatus.EMPLOYEE

    # The day comes.
    EmploymentEvent.objects.filter(profile=ana).update(effective_on=timezone.localdate())
    with committed():
        apply_due_leaves.delay()

    assert status_of(ana) == ProfileStatus.ALUMNUS


def test_only_a_leave_that_waits_for_its_day_is_pending_everywhere(ana, marco, priya, olu, hana):
    """One meaning of "pending": HR's list, the periodic task, a replaced decision and an
    address promised to someone all read EmploymentEvent.objects.pending_leaves()."""
    later = timezone.localdate() + dt.timedelta(days=10)
    waiting = alumnus_offboard(profile=ana, leave_date=later, personal_email="ana@home.example")
    alumnus_offboard(profile=marco, leave_date=timezone.localdate(), personal_email="marco@home.example")
    alumnus_offboard(profile=priya, leave_date=later, personal_email="priya@home.example")
    offboard_cancel(profile=priya)
    alumnus_rehire(profile=olu)

    assert list(EmploymentEvent.objects.pending_leaves()) == [waiting]
    assert list(pending_leaves()) == [waiting]
    assert leaves_apply_due(today=later - dt.timedelta(days=1)) == []
    # The called-off leave no longer holds Priya's address; the waiting one holds Ana's.
    assert alumnus_offboard(profile=hana, leave_date=later, personal_email="priya@home.example").pending
    with pytest.raises(Invalid):
        alumnus_offboard(profile=hana, leave_date=later, personal_email="ana@home.example")


# --- Signing in afterwards --------------------------------------------------------------------


@pytest.fixture
def invitation(ana, hana, client_for, committed, mailoutbox) -> dict:
    """Hana offboards Ana today with her personal email; what the invitation carries."""
    with committed():
        response = client_for(hana).post(OFFBOARD, offboarding(), format="json")
    assert response.status_code == 200, response.content
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/(?P<uid>[\w-]+)/(?P<token>[\w-]+)/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    return {"to": mailoutbox[0].to, "body": mailoutbox[0].body, **link.groupdict()}


def test_the_invitation_goes_to_the_personal_email_with_a_link_and_code(ana, invitation):
    assert invitation["to"] == ["ana@home.example"]
    assert force_str(urlsafe_base64_decode(invitation["uid"])) == str(ana.user.pk)
    assert invitation["token"] in invitation["body"].split("code", 1)[1]


def test_the_alumnus_sets_a_password_and_signs_in_with_the_personal_email(ana, invitation, password):
    response = APIClient().post(
        PASSWORD_SET,
        {"uid": invitation["uid"], "token": invitation["token"], "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content

    assert sign_in("ana@home.example", NEW_PASSWORD).status_code == 201
    assert sign_in("ana@company.example", NEW_PASSWORD).status_code == 400
    assert sign_in("ana@home.example", password).status_code == 400


def test_the_old_password_no_longer_signs_in_once_offboarded(ana, invitation, password):
    assert sign_in("ana", password).status_code == 400
    assert sign_in("ana@home.example", password).status_code == 400
    assert sign_in("ana@company.example", password).status_code == 400


def test_the_code_works_once(ana, invitation):
    code = {"uid": invitation["uid"], "token": invitation["token"]}
    assert (
        APIClient().post(PASSWORD_SET, {**code, "password": NEW_PASSWORD}, format="json").status_code == 200
    )

    again = APIClient().post(PASSWORD_SET, {**code, "password": "another long passphrase"}, format="json")

    assert again.status_code == 400
    assert "token" in again.json()
    assert sign_in("ana@home.example", NEW_PASSWORD).status_code == 201


def test_a_weak_password_is_refused_with_a_field_error_and_the_code_still_works(ana, invitation):
    code = {"uid": invitation["uid"], "token": invitation["token"]}

    weak = APIClient().post(PASSWORD_SET, {**code, "password": "123"}, format="json")

    assert weak.status_code == 400
    assert weak.json()["password"]
    assert sign_in("ana@home.example", "123").status_code == 400
    assert (
        APIClient().post(PASSWORD_SET, {**code, "password": NEW_PASSWORD}, format="json").status_code == 200
    )


# --- Telling people, and a new link ----------------------------------------------------------

PASSWORD_LINK = "/api/v1/auth/password/link/"


def test_someone_who_opted_out_leaves_without_a_left_company_item(ana, hana, client_for, committed):
    from feed.models import Activity

    assert (
        client_for(ana).patch("/api/v1/alumni/me/", {"announce_departure": False}, format="json").status_code
        == 200
    )
    with committed():
        assert client_for(hana).post(OFFBOARD, offboarding(), format="json").status_code == 200

    assert status_of(ana) == ProfileStatus.ALUMNUS
    assert not Activity.objects.filter(actor=ana, verb="left_company").exists()


def test_someone_who_did_not_opt_out_leaves_with_one_left_company_item(ana, hana, client_for, committed):
    from feed.models import Activity, Reach

    with committed():
        assert client_for(hana).post(OFFBOARD, offboarding(), format="json").status_code == 200

    (left,) = Activity.objects.filter(actor=ana, verb="left_company")
    assert (left.visibility, left.reach) == ("network", Reach.CONNECTIONS)


def test_rehired_on_the_day_they_left_starts_the_next_day(ana, hana, client_for, committed):
    hr = client_for(hana)
    with committed():
        assert hr.post(OFFBOARD, offboarding(), format="json").status_code == 200
        back = hr.post(REHIRE, {"username": "ana"}, format="json")

    assert back.status_code == 200, back.content
    today = timezone.localdate()
    assert back.json()["employment_event"]["effective_on"] == str(today + dt.timedelta(days=1))
    assert list(
        EmploymentPeriod.objects.filter(profile=ana).order_by("start").values_list("end", flat=True)
    ) == [
        today,
        None,
    ]


def test_an_alumnus_whose_invitation_expired_asks_for_a_new_link(ana, invitation, mailoutbox):
    response = APIClient().post(PASSWORD_LINK, {"email": "ana@home.example"}, format="json")

    assert response.status_code == 202, response.content
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["ana@home.example"]
    uid, token = re.search(r"/accounts/reset/([\w-]+)/([\w-]+)/", mailoutbox[1].body).groups()
    set_password = {"uid": uid, "token": token, "password": NEW_PASSWORD}
    assert APIClient().post(PASSWORD_SET, set_password, format="json").status_code == 200
    assert sign_in("ana@home.example", NEW_PASSWORD).status_code == 201


def test_a_link_for_an_unknown_or_retired_address_is_answered_alike_and_sends_nothing(
    ana, invitation, mailoutbox
):
    for address in ("nobody@nowhere.example", "ana@company.example"):
        response = APIClient().post(PASSWORD_LINK, {"email": address}, format="json")
        assert response.status_code == 202, response.content
    assert len(mailoutbox) == 1  # the invitation only


def test_asking_for_links_again_and_again_is_throttled(ana, mailoutbox):
    statuses = [
        APIClient().post(PASSWORD_LINK, {"email": "ana@company.example"}, format="json").status_code
        for _ in range(6)
    ]
    assert statuses == [202] * 5 + [429]
    assert len(mailoutbox) == 5
