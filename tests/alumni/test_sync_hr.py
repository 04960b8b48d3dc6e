"""HR's system exports who is an employee and who has left; ``manage.py sync_hr`` brings
SocialBlue in line with that file. Employees named as alumni are offboarded (today, or on a
later leave date), alumni named as employees are rehired, a leave that HR called off is
cancelled, and whatever already matches is left alone, so the same file can run every night.
Rows the command cannot trust are rejected with their line number; the others still apply.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from alumni import services
from alumni.models import AlumniProfile, EmploymentEvent
from feed.models import Activity
from profiles.models import Profile, ProfileStatus

pytestmark = pytest.mark.django_db

HEADER = "username,status,leave_date,personal_email"
TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=30)


def hr_file(tmp_path, *rows: str, header: str = HEADER, name: str = "hr.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def sync(path, *options: str) -> str:
    """Run the command as HR's nightly job would; what it printed."""
    out = StringIO()
    call_command("sync_hr", str(path), *options, stdout=out)
    return out.getvalue()


def status_of(person: Profile) -> str:
    return Profile.objects.get(pk=person.pk).status


def events_of(person: Profile) -> list[EmploymentEvent]:
    return list(EmploymentEvent.objects.filter(profile=person).order_by("pk"))


@pytest.fixture
def mixed_file(tmp_path, ana, marco, priya, olu, hana):
    """Ana leaves today, Marco in a month, Olu comes back; then a stranger, a date that does
    not exist, and Hana named twice."""
    return hr_file(
        tmp_path,
        f"ana,alumnus,{TODAY},ana.silva@home.example",
        f"marco,alumnus,{LATER},marco.rossi@home.example",
        "olu,employee,,",
        f"zed,alumnus,{TODAY},zed@home.example",
        "priya,alumnus,2026-02-30,priya.nair@home.example",
        "hana,employee,,",
        "hana,employee,,",
    )


# --- The nightly file -----------------------------------------------------------------------


def test_a_mixed_file_applies_the_good_rows_and_reports_the_bad_ones(
    mixed_file, ana, marco, priya, olu, hana, committed
):
    with committed():
        report = sync(mixed_file)

    assert status_of(ana) == ProfileStatus.ALUMNUS
    assert status_of(marco) == ProfileStatus.EMPLOYEE  # until his day comes
    assert status_of(olu) == ProfileStatus.EMPLOYEE
    assert status_of(priya) == status_of(hana) == ProfileStatus.EMPLOYEE

    [left] = events_of(ana)
    assert (left.action, left.effective_on, left.source, left.actor) == ("offboard", TODAY, "sync_hr", None)
    assert left.applied_at is not None
    [scheduled] = events_of(marco)
    assert (scheduled.effective_on, scheduled.personal_email, scheduled.source) == (
        LATER,
        "marco.rossi@home.example",
        "sync_hr",
    )
    assert scheduled.pending
    [back] = events_of(olu)
    assert (back.action, back.source, back.actor) == ("rehire", "sync_hr", None)
    assert events_of(priya) == events_of(hana) == []

    # Only Ana has left yet: her invitation went to her personal address.
    assert [message.to for message in mail.outbox] == [["ana.silva@home.example"]]

    assert f"line 2: ana offboarded (leave {TODAY})" in report
    assert f"line 3: marco offboarded (leave {LATER}, scheduled)" in report
    assert "line 4: olu rehired" in report
    assert "line 5: zed: unknown user" in report
    assert "line 6: priya: bad leave_date '2026-02-30' (expected YYYY-MM-DD)" in report
    assert "line 7: hana: named on more than one row" in report
    assert "line 8: hana: named on more than one row" in report
    assert report.rstrip().endswith("7 rows: 3 changed, 0 unchanged, 4 rejected.")


def test_the_same_file_twice_changes_nothing_the_second_time(mixed_file, ana, marco, olu, committed):
    with committed():
        sync(mixed_file)
    events = list(EmploymentEvent.objects.values_list("pk", "cancelled_at"))
    sent = len(mail.outbox)

    with committed():
        report = sync(mixed_file)

    assert list(EmploymentEvent.objects.values_list("pk", "cancelled_at")) == events
    assert EmploymentEvent.objects.get(profile=marco).pending
    assert len(mail.outbox) == sent
    assert "offboarded" not in report and "rehired" not in report
    assert report.rstrip().endswith("7 rows: 0 changed, 3 unchanged, 4 rejected.")


def test_a_dry_run_reports_what_would_change_and_changes_nothing(
    mixed_file, ana, marco, olu, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as scheduled:
        report = sync(mixed_file, "--dry-run")

    assert scheduled == []  # no email, no fan-out, nothing for after a commit
    assert mail.outbox == []
    assert (status_of(ana), status_of(marco), status_of(olu)) == ("employee", "employee", "alumnus")
    assert not EmploymentEvent.objects.exists()
    assert not AlumniProfile.objects.exists()
    assert not Activity.objects.exists()
    assert f"line 2: ana would be offboarded (leave {TODAY})" in report
    assert f"line 3: marco would be offboarded (leave {LATER}, scheduled)" in report
    assert "line 4: olu would be rehired" in report
    assert "line 5: zed: unknown user" in report
    assert report.rstrip().endswith(
        "Dry run, nothing was changed: 7 rows, 3 would change, 0 unchanged, 4 rejected."
    )


# --- Scheduled leaves -----------------------------------------------------------------------


def test_an_employee_named_as_employee_again_has_her_scheduled_leave_cancelled(tmp_path, ana):
    sync(hr_file(tmp_path, f"ana,alumnus,{LATER},ana.silva@home.example", name="monday.csv"))

    report = sync(hr_file(tmp_path, "ana,employee,,", name="tuesday.csv"))

    [called_off] = events_of(ana)
    assert called_off.cancelled_at is not None and called_off.applied_at is None
    assert status_of(ana) == ProfileStatus.EMPLOYEE
    assert f"line 2: ana had the leave scheduled for {LATER} cancelled" in report
    assert "1 rows: 1 changed, 0 unchanged, 0 rejected." in report


def test_a_new_leave_date_replaces_the_scheduled_one(tmp_path, ana):
    sooner = TODAY + dt.timedelta(days=7)
    sync(hr_file(tmp_path, f"ana,alumnus,{LATER},ana.silva@home.example", name="monday.csv"))

    report = sync(hr_file(tmp_path, f"ana,alumnus,{sooner},ana.silva@home.example", name="tuesday.csv"))

    first, second = events_of(ana)
    assert first.cancelled_at is not None
    assert (second.effective_on, second.source) == (sooner, "sync_hr") and second.pending
    assert f"ana offboarded (leave {sooner}, scheduled), replacing the leave scheduled for {LATER}" in report


def test_a_scheduled_leave_from_the_file_applies_on_its_day(tmp_path, marco, committed):
    sync(hr_file(tmp_path, f"marco,alumnus,{LATER},marco.rossi@home.example"))

    with committed():
        services.leaves_apply_due(today=LATER)

    assert status_of(marco) == ProfileStatus.ALUMNUS
    assert [message.to for message in mail.outbox] == [["marco.rossi@home.example"]]


# --- Rows the command rejects ---------------------------------------------------------------


def test_each_bad_row_is_rejected_with_its_line_and_reason(tmp_path, ana, marco, priya, olu, hana):
    report = sync(
        hr_file(
            tmp_path,
            "ana,retired,,",
            "marco,alumnus,,marco.rossi@home.example",
            f"priya,alumnus,{TODAY},",
            f"hana,alumnus,{TODAY},not-an-address",
            f"olu,alumnus,{TODAY},olu@home.example",
            ",employee,,",
        )
    )

    assert "line 2: ana: status must be employee or alumnus, not 'retired'" in report
    assert "line 3: marco: missing leave_date" in report
    assert "line 4: priya: missing personal_email" in report
    assert "line 5: hana: invalid personal_email 'not-an-address'" in report
    assert "line 7: missing username" in report
    # Olu has already left: nothing to do, whatever the date.
    assert "6 rows: 0 changed, 1 unchanged, 5 rejected." in report
    assert not EmploymentEvent.objects.exists()


def test_a_personal_email_that_belongs_to_someone_else_is_rejected_by_the_service(tmp_path, ana, priya):
    report = sync(hr_file(tmp_path, f"ana,alumnus,{TODAY},priya@company.example"))

    assert "line 2: ana: personal_email: This address is already in use" in report
    assert status_of(ana) == ProfileStatus.EMPLOYEE


def test_a_rejected_row_does_not_undo_the_others(tmp_path, ana, priya, committed):
    with committed():
        report = sync(
            hr_file(
                tmp_path,
                f"ana,alumnus,{TODAY},ana.silva@home.example",
                f"priya,alumnus,{TODAY},ana.silva@home.example",  # Ana's address, taken a row ago
            )
        )

    assert status_of(ana) == ProfileStatus.ALUMNUS
    assert status_of(priya) == ProfileStatus.EMPLOYEE
    assert "line 3: priya: personal_email: This address is already in use" in report


def test_strict_fails_the_run_when_a_row_was_rejected_but_applies_the_rest(tmp_path, ana):
    path = hr_file(tmp_path, f"ana,alumnus,{LATER},ana.silva@home.example", "zed,employee,,")

    with pytest.raises(CommandError, match="1 row"):
        sync(path, "--strict")

    assert EmploymentEvent.objects.get(profile=ana).pending


# --- Files the command refuses whole --------------------------------------------------------


def test_a_header_without_every_column_refuses_the_whole_file(tmp_path, ana):
    path = hr_file(tmp_path, f"ana,alumnus,{TODAY}", header="username,status,leave_date")

    with pytest.raises(CommandError, match=r"lacks the column\(s\) personal_email"):
        sync(path)

    assert status_of(ana) == ProfileStatus.EMPLOYEE


def test_a_file_that_is_not_utf8_is_refused_before_any_change(tmp_path, ana, priya):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\nana,alumnus,{TODAY},ana.silva@home.example\npriya,alumnus,{TODAY},jos\xe9@home.example\n".encode(
            "latin-1"
        )
    )

    with pytest.raises(CommandError, match="not UTF-8"):
        sync(path)

    assert status_of(ana) == ProfileStatus.EMPLOYEE
    assert not EmploymentEvent.objects.exists()


def test_an_empty_file_is_refused(tmp_path, db):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="empty"):
        sync(path)


def test_a_header_alone_is_an_empty_run(tmp_path, db):
    assert sync(hr_file(tmp_path)).rstrip().endswith("0 rows: 0 changed, 0 unchanged, 0 rejected.")


def test_a_spreadsheet_export_with_a_byte_order_mark_and_crlf_is_read(tmp_path, ana):
    path = tmp_path / "excel.csv"
    path.write_bytes(f"\ufeff{HEADER}\r\nana,alumnus,{LATER},ana.silva@home.example\r\n".encode())

    report = sync(path)

    assert f"line 2: ana offboarded (leave {LATER}, scheduled)" in report
