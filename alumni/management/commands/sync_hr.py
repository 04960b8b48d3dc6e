"""``manage.py sync_hr FILE.csv``: bring employment statuses in line with the HR system's export.

The file says, for each person it names, whether they are an employee or an alumnus (with
their leave date and personal email). The command changes only what differs, through the
same services as the API and the admin, so every change leaves an audit record with source
``sync_hr``; running the same file twice changes nothing the second time.

A username on more than one row makes the file ambiguous about that person: every one of
those rows is rejected, even identical ones, and the person is left as they are. The whole
file is read once before anything changes (to find such names, and to refuse a file that is
not UTF-8 CSV with the right header), then row by row, each row in its own transaction.

A dry run applies each row and rolls it back, so it reports exactly what the services would
do with that row against today's database; it cannot tell that two rows of the file give the
same personal email (the real run rejects the second).
"""

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from alumni import services
from alumni.models import EmploymentEvent
from profiles.models import Profile, ProfileStatus
from socialblue.errors import ServiceError

COLUMNS = ("username", "status", "leave_date", "personal_email")
# People are looked up this many rows at a time: one query per batch, not one per row.
BATCH_SIZE = 500
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Source = EmploymentEvent.Source


class RowRejected(Exception):
    """The row cannot be applied; the message says why, for the person fixing the file."""

    def __init__(self, username: str, reason: str):
        super().__init__(reason)
        self.username = username


@dataclass
class Row:
    line: int
    username: str
    status: str
    leave_date: dt.date | None = None
    personal_email: str = ""


@dataclass
class Report:
    dry_run: bool
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    # (line, username, reason), in the order of the file.
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Apply the HR system's CSV export (columns username,status,leave_date,personal_email; "
        "status is employee or alumnus; leave_date YYYY-MM-DD and personal_email are required "
        "for alumnus). Employees named as alumni are offboarded (a future leave date is "
        "scheduled), alumni named as employees are rehired, and a scheduled leave of someone "
        "named as an employee is cancelled; everything else is left unchanged. Each row is "
        "applied on its own: a rejected row does not hold back the others. A username on more "
        "than one row is ambiguous: all of its rows are rejected, even identical ones. Rows "
        "whose fields are all blank are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, with a header row).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, and change nothing (no email is sent either).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with status 1 when any row was rejected (the other rows are still applied).",
        )

    def handle(self, *args, file: Path, dry_run: bool, strict: bool, **options) -> None:
        self.verbosity = options["verbosity"]
        repeated = _check_file(file)
        report = Report(dry_run=dry_run)
        for batch in _batches(_rows(file), BATCH_SIZE):
            self._apply_batch(batch, repeated, report)
        self._summary(report)
        if strict and report.rejected:
            raise CommandError(_("%(n)d row(s) rejected (--strict).") % {"n": len(report.rejected)})

    # --- Applying -------------------------------------------------------------------------

    def _apply_batch(self, batch: list[tuple[int, dict]], repeated: set[str], report: Report) -> None:
        parsed: list[Row] = []
        for line, raw in batch:
            report.rows += 1
            try:
                parsed.append(_parse(line, raw, repeated))
            except RowRejected as rejection:
                report.rejected.append((line, rejection.username, str(rejection)))
        people = {
            profile.user.username: profile
            for profile in Profile.objects.select_related("user").filter(
                user__username__in=[row.username for row in parsed], user__is_active=True
            )
        }
        pending = {
            event.profile_id: event
            for event in EmploymentEvent.objects.pending_leaves()
            .filter(profile__in=[profile.pk for profile in people.values()])
            .order_by("created_at", "pk")
        }
        for row in parsed:
            profile = people.get(row.username)
            if profile is None:
                report.rejected.append((row.line, row.username, _("unknown user")))
                continue
            try:
                # One transaction per row: a row that fails undoes only itself. A dry run
                # rolls every row back, and with it what the row scheduled on commit
                # (emails, fan-outs): nothing leaves the process.
                with transaction.atomic():
                    change = _apply(row, profile, pending.get(profile.pk), dry_run=report.dry_run)
                    if report.dry_run:
                        transaction.set_rollback(True)
            except ServiceError as error:
                report.rejected.append((row.line, row.username, error.text()))
                continue
            if change is None:
                report.unchanged += 1
                continue
            report.changed += 1
            if self.verbosity >= 1:
                self.stdout.write(f"line {row.line}: {row.username} {change}")

    def _summary(self, report: Report) -> None:
        if report.rejected:
            self.stdout.write(_("Rejected rows:"))
            for line, username, reason in sorted(report.rejected):
                self.stdout.write(
                    f"  line {line}: {username}: {reason}" if username else f"  line {line}: {reason}"
                )
        counts = {
            "rows": report.rows,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        }
        if report.dry_run:
            summary = _(
                "Dry run, nothing was changed: %(rows)d rows, %(changed)d would change, "
                "%(unchanged)d unchanged, %(rejected)d rejected."
            )
        else:
            summary = _("%(rows)d rows: %(changed)d changed, %(unchanged)d unchanged, %(rejected)d rejected.")
        style = self.style.WARNING if report.rejected else self.style.SUCCESS
        self.stdout.write(style(summary % counts))


def _apply(row: Row, profile: Profile, pending: EmploymentEvent | None, *, dry_run: bool) -> str | None:
    """Make the person what the row says, through the services. Returns what changed, in
    words (in a dry run, what would), or None when the person already is what the row says."""
    if row.status == ProfileStatus.ALUMNUS:
        if profile.status == ProfileStatus.ALUMNUS:
            return None
        if (
            pending is not None
            and pending.effective_on == row.leave_date
            and pending.personal_email.lower() == row.personal_email.lower()
        ):
            return None
        event = services.alumnus_offboard(
            profile=profile,
            leave_date=row.leave_date,
            personal_email=row.personal_email,
            by=None,
            source=Source.SYNC_HR,
        )
        if event.applied_at is not None:
            change = (
                _("would be offboarded (leave %(date)s)") if dry_run else _("offboarded (leave %(date)s)")
            )
        elif dry_run:
            change = _("would be offboarded (leave %(date)s, scheduled)")
        else:
            change = _("offboarded (leave %(date)s, scheduled)")
        change %= {"date": event.effective_on.isoformat()}
        if pending is not None:
            change += ", " + _("replacing the leave scheduled for %(date)s") % {
                "date": pending.effective_on.isoformat()
            }
        return change
    if profile.status == ProfileStatus.ALUMNUS:
        services.alumnus_rehire(profile=profile, by=None, source=Source.SYNC_HR)
        return _("would be rehired") if dry_run else _("rehired")
    if pending is not None and services.offboard_cancel(profile=profile, by=None):
        if dry_run:
            change = _("would have the leave scheduled for %(date)s cancelled")
        else:
            change = _("had the leave scheduled for %(date)s cancelled")
        return change % {"date": pending.effective_on.isoformat()}
    return None


# --- Reading the file -------------------------------------------------------------------------


def _open(file: Path):
    # utf-8-sig: spreadsheets often save UTF-8 with a byte-order mark.
    try:
        return file.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
        ) from None


def _check_header(reader: csv.DictReader) -> None:
    """Refuse the whole file unless its header names every column (in any order, any case)."""
    header = reader.fieldnames
    if not header:
        raise CommandError(_("The file is empty: a header row is required (%s).") % ",".join(COLUMNS))
    names = [name.strip().lower() for name in header]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise CommandError(_("The header names a column more than once: %s.") % ", ".join(doubled))
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise CommandError(
            _("The header lacks the column(s) %(missing)s (expected %(expected)s); nothing was changed.")
            % {"missing": ", ".join(missing), "expected": ",".join(COLUMNS)}
        )
    reader.fieldnames = names


def _check_file(file: Path) -> set[str]:
    """Read the whole file once before anything changes: it must be UTF-8 CSV with the
    header. Returns the usernames named on more than one row."""
    seen: set[str] = set()
    repeated: set[str] = set()
    with _open(file) as handle:
        reader = csv.DictReader(handle)
        try:
            _check_header(reader)
            for raw in reader:
                username = (raw.get("username") or "").strip()
                if username in seen:
                    repeated.add(username)
                elif username:
                    seen.add(username)
        except UnicodeDecodeError:
            raise CommandError(
                _("%(file)s is not UTF-8 text: export it as CSV UTF-8; nothing was changed.") % {"file": file}
            ) from None
        except csv.Error as error:
            raise CommandError(
                _("%(file)s is not a readable CSV file (line %(line)d: %(error)s); nothing was changed.")
                % {"file": file, "line": reader.line_num, "error": error}
            ) from None
    return repeated


def _rows(file: Path) -> Iterator[tuple[int, dict]]:
    """(line number, row) for every row with something in it; the header is line 1."""
    with _open(file) as handle:
        reader = csv.DictReader(handle)
        _check_header(reader)
        for raw in reader:
            extra = raw.get(None)
            if extra or any((value or "").strip() for key, value in raw.items() if key is not None):
                yield reader.line_num, raw


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def _parse(line: int, raw: dict, repeated: set[str]) -> Row:
    """The row's values, checked for what the file alone can tell."""
    username = (raw.get("username") or "").strip()
    if not username:
        raise RowRejected("", _("missing username"))
    if username in repeated:
        raise RowRejected(
            username, _("named on more than one row of the file; each person must be named once")
        )
    if raw.get(None):
        raise RowRejected(username, _("more fields than the header has columns"))
    status = (raw.get("status") or "").strip().lower()
    if status not in ProfileStatus.values:
        raise RowRejected(
            username,
            _("status must be employee or alumnus, not %(status)r") % {"status": raw.get("status") or ""},
        )
    row = Row(line=line, username=username, status=status)
    if status == ProfileStatus.EMPLOYEE:
        return row
    problems = []
    leave_date = (raw.get("leave_date") or "").strip()
    if not leave_date:
        problems.append(_("missing leave_date"))
    else:
        try:
            if not ISO_DATE.fullmatch(leave_date):
                raise ValueError
            row.leave_date = dt.date.fromisoformat(leave_date)
        except ValueError:
            problems.append(_("bad leave_date %(value)r (expected YYYY-MM-DD)") % {"value": leave_date})
    row.personal_email = (raw.get("personal_email") or "").strip()
    if not row.personal_email:
        problems.append(_("missing personal_email"))
    else:
        try:
            validate_email(row.personal_email)
        except ValidationError:
            problems.append(_("invalid personal_email %(value)r") % {"value": row.personal_email})
    if problems:
        raise RowRejected(username, "; ".join(problems))
    return row
