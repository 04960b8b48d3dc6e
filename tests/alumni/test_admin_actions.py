"""HR offboards and rehires people from the Django admin: select them in the people list, pick
the action, give each leaver a leave date and a personal email on the confirmation page. It
goes through the same service as the API, and leaves an audit record with source "admin".
Only people who may manage employment see these actions; the audit record itself cannot be
added, changed or deleted by anyone in the admin.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alumni import services
from alumni.models import EmploymentEvent, EmploymentPeriod
from exports.models import DataExport
from profiles.models import Profile, ProfileStatus
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# Real Redis timelines and Celery tasks run in this process, as in the feed's tests; what a
# commit would trigger (the invitation email, fan-outs) runs when a ``committed()`` block ends.

PEOPLE = reverse("admin:profiles_profile_changelist")
TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=30)


@pytest.fixture
def hana_in_the_admin(hana, client):
    """Hana, HR officer, signed in to the admin (staff, but no model permissions of her own)."""
    hana.user.is_staff = True
    hana.user.save(update_fields=["is_staff"])
    client.force_login(hana.user)
    return client


@pytest.fixture
def sam_in_the_admin(db, client):
    """Sam, an IT admin: staff who look after accounts (may view and delete people), but do not
    manage employment."""
    sam = make_person("sam", display_name="Sam Lee")
    sam.user.is_staff = True
    sam.user.save(update_fields=["is_staff"])
    sam.user.user_permissions.add(*Permission.objects.filter(codename__in=["view_profile", "delete_profile"]))
    client.force_login(sam.user)
    return client


def actions_offered(client, url: str = PEOPLE) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    action_form = response.context["action_form"]  # None: no action at all
    return [name for name, _label in action_form.fields["action"].choices] if action_form else []


def choose(client, action: str, *people: Profile):
    """Tick these people in the list and run the action."""
    return client.post(PEOPLE, {"action": action, "_selected_action": [p.pk for p in people], "index": 0})


def filled_in(page, **answers: tuple[dt.date, str]) -> dict:
    """The offboarding page as HR submits it: the defaults it offered, except the (leave date,
    personal email) given for a username."""
    formset = page.context["formset"]
    data = {"action": "offboard_selected", "apply": "Offboard", "_selected_action": []}
    data.update({formset.add_prefix(name): value for name, value in formset.management_form.initial.items()})
    for form in formset.forms:
        person = form.initial["profile"]
        leave_date, email = answers.get(
            person.username, (form.initial["leave_date"], form.initial["personal_email"])
        )
        data["_selected_action"].append(person.pk)
        data[form.add_prefix("profile")] = person.pk
        data[form.add_prefix("leave_date")] = leave_date.isoformat()
        data[form.add_prefix("personal_email")] = email
    return data


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def status_of(person: Profile) -> str:
    return Profile.objects.get(pk=person.pk).status


# --- Offboarding ----------------------------------------------------------------------------


def test_an_hr_officer_offboards_ana_through_the_confirmation_page(hana_in_the_admin, hana, ana, committed):
    Profile.objects.filter(pk=ana.pk).update(personal_email="ana.silva@home.example")
    assert "offboard_selected" in actions_offered(hana_in_the_admin)

    page = choose(hana_in_the_admin, "offboard_selected", ana)

    assert page.status_code == 200
    assert "admin/alumni/offboard.html" in [template.name for template in page.templates]
    [form] = page.context["formset"].forms
    assert (form.initial["leave_date"], form.initial["personal_email"]) == (TODAY, "ana.silva@home.example")
    assert status_of(ana) == ProfileStatus.EMPLOYEE  # nothing happens before HR confirms

    with committed():
        done = hana_in_the_admin.post(PEOPLE, filled_in(page))

    assert done.status_code == 302
    assert status_of(ana) == ProfileStatus.ALUMNUS
    [event] = EmploymentEvent.objects.filter(profile=ana)
    assert (event.action, event.source, event.actor, event.effective_on) == (
        "offboard",
        "admin",
        hana.user,
        TODAY,
    )
    assert event.applied_at is not None
    assert [message.to for message in mail.outbox] == [["ana.silva@home.example"]]
    assert told(done) == [
        f"Ana Silva has left the company (leave date {TODAY}); the invitation goes to ana.silva@home.example."
    ]


def test_a_later_leave_date_waits_for_its_day(hana_in_the_admin, ana, committed):
    page = choose(hana_in_the_admin, "offboard_selected", ana)

    with committed():
        done = hana_in_the_admin.post(PEOPLE, filled_in(page, ana=(LATER, "ana.silva@home.example")))

    assert status_of(ana) == ProfileStatus.EMPLOYEE
    [event] = EmploymentEvent.objects.filter(profile=ana)
    assert event.pending and (event.effective_on, event.source) == (LATER, "admin")
    assert mail.outbox == []
    assert told(done) == [
        f"Ana Silva will leave the company on {LATER}; the invitation goes to ana.silva@home.example then."
    ]


def test_a_missing_personal_email_keeps_the_page_open_and_changes_nothing(hana_in_the_admin, ana):
    page = choose(hana_in_the_admin, "offboard_selected", ana)

    again = hana_in_the_admin.post(PEOPLE, filled_in(page, ana=(TODAY, "")))

    assert again.status_code == 200
    [form] = again.context["formset"].forms
    assert "personal_email" in form.errors
    assert status_of(ana) == ProfileStatus.EMPLOYEE
    assert not EmploymentEvent.objects.exists()


def test_one_refused_leaver_does_not_stop_the_others(hana_in_the_admin, ana, priya, committed):
    page = choose(hana_in_the_admin, "offboard_selected", ana, priya)

    with committed():
        done = hana_in_the_admin.post(
            PEOPLE,
            filled_in(
                page,
                ana=(TODAY, "ana.silva@home.example"),
                priya=(TODAY, "ana.silva@home.example"),  # Ana's, by mistake
            ),
        )

    assert (status_of(ana), status_of(priya)) == (ProfileStatus.ALUMNUS, ProfileStatus.EMPLOYEE)
    [refusal] = [text for text in told(done) if text.startswith("Priya Nair")]
    assert refusal.startswith("Priya Nair was not offboarded: personal_email: This address is already in use")


def test_alumni_among_the_selection_are_left_out_of_the_offboarding(hana_in_the_admin, ana, olu):
    page = choose(hana_in_the_admin, "offboard_selected", ana, olu)

    assert [form.initial["profile"] for form in page.context["formset"].forms] == [ana]
    assert "Not offboarded, as they are not employees: Olu Adeyemi (@olu)" in page.content.decode()


# --- Rehire ---------------------------------------------------------------------------------


def test_an_hr_officer_rehires_olu_after_confirming(hana_in_the_admin, hana, olu, committed):
    page = choose(hana_in_the_admin, "rehire_selected", olu)

    assert page.status_code == 200
    assert "admin/alumni/rehire.html" in [template.name for template in page.templates]
    assert status_of(olu) == ProfileStatus.ALUMNUS

    with committed():
        done = hana_in_the_admin.post(
            PEOPLE, {"action": "rehire_selected", "_selected_action": [olu.pk], "confirm": "yes"}
        )

    assert done.status_code == 302
    assert status_of(olu) == ProfileStatus.EMPLOYEE
    [event] = EmploymentEvent.objects.filter(profile=olu)
    assert (event.action, event.source, event.actor) == ("rehire", "admin", hana.user)
    assert told(done) == ["Olu Adeyemi is an employee again."]


# --- Who may ---------------------------------------------------------------------------------


def test_staff_without_the_permission_do_not_see_the_employment_actions(sam_in_the_admin):
    assert actions_offered(sam_in_the_admin) == ["", "delete_selected"]


def test_staff_without_the_permission_cannot_post_the_actions_either(sam_in_the_admin, ana, olu):
    page = choose(sam_in_the_admin, "offboard_selected", ana)
    assert page.status_code == 302  # back to the list
    assert told(page) == ["No action selected."]

    sam_in_the_admin.post(
        PEOPLE,
        {
            "action": "offboard_selected",
            "apply": "Offboard",
            "_selected_action": [ana.pk],
            "offboard-TOTAL_FORMS": 1,
            "offboard-INITIAL_FORMS": 1,
            "offboard-0-profile": ana.pk,
            "offboard-0-leave_date": TODAY.isoformat(),
            "offboard-0-personal_email": "ana.silva@home.example",
        },
    )
    sam_in_the_admin.post(
        PEOPLE, {"action": "rehire_selected", "_selected_action": [olu.pk], "confirm": "yes"}
    )

    assert (status_of(ana), status_of(olu)) == (ProfileStatus.EMPLOYEE, ProfileStatus.ALUMNUS)
    assert not EmploymentEvent.objects.exists()


def test_an_hr_officer_sees_ana_s_employment_history_on_her_profile(hana_in_the_admin, ana):
    services.alumnus_offboard(profile=ana, leave_date=TODAY, personal_email="ana.silva@home.example")

    page = hana_in_the_admin.get(reverse("admin:profiles_profile_change", args=[ana.pk]))

    assert page.status_code == 200
    [periods] = [
        inline for inline in page.context["inline_admin_formsets"] if inline.opts.model is EmploymentPeriod
    ]
    assert [form.original.end for form in periods] == [TODAY]


# --- The audit record -----------------------------------------------------------------------


def test_the_audit_record_can_be_read_but_not_changed_or_deleted(admin_client, ana):
    event = services.alumnus_offboard(profile=ana, leave_date=LATER, personal_email="ana.silva@home.example")
    change_url = reverse("admin:alumni_employmentevent_change", args=[event.pk])

    assert "delete_selected" not in actions_offered(
        admin_client, reverse("admin:alumni_employmentevent_changelist")
    )
    shown = admin_client.get(change_url)
    assert shown.status_code == 200
    assert shown.context["has_change_permission"] is False
    assert (
        admin_client.post(change_url, {"source": "api", "effective_on": TODAY.isoformat()}).status_code == 403
    )
    assert (
        admin_client.get(reverse("admin:alumni_employmentevent_delete", args=[event.pk])).status_code == 403
    )

    event.refresh_from_db()
    assert (event.source, event.effective_on) == ("api", LATER)


@pytest.mark.parametrize("model", [EmploymentEvent, EmploymentPeriod, DataExport])
def test_records_written_by_services_cannot_be_added_in_the_admin(admin_client, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
