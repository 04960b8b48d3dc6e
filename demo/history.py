"""Employment history for the demo company: periods, alumni profiles and the alumni's personal
sign-in addresses, written with bulk inserts from the plan's records (``demo.company``).
Called by ``manage.py seed_demo`` after the people exist and before their posts.

The rows are written directly, not through ``alumnus_offboard``: that service revokes tokens,
announces the departure and mails an invitation, none of which a demo wants. What is written
is what the service would leave behind: a closed last period, an alumni profile with
``left_on`` and ``former_department`` from it, and the personal email on the profile.
"""

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from alumni.models import AlumniProfile, EmploymentPeriod
from demo.company import BATCH_SIZE, EmploymentRecord
from profiles.models import Profile

TRANSFER_SHARE = 0.04  # employees who moved here from another department
TRANSFER_MIN_TENURE = timedelta(days=2 * 365)
DEMO_TEAM_ALUMNI = 3  # alumni who once worked in the demo employee's team, besides the demo alumnus
LISTED_SHARE = 0.7
OPEN_TO_REHIRE_SHARE = 0.3
LINKS_SHARE = 0.4


def build_demo_history(records: Sequence[EmploymentRecord], *, seed: int) -> int:
    """Write the employment history of the demo company in one transaction: an open period
    for every employee, a closed one ending on the leave date for every alumnus (with an
    alumni profile and their personal email), and an earlier period elsewhere for a few
    people who changed teams, among them some alumni who worked in the demo employee's team.
    The same records and ``seed`` give the same history. Returns how many periods."""
    rng = random.Random(seed)
    # Each person's periods, oldest first; the last one is today's job or the one they left.
    periods: dict[int, list[EmploymentPeriod]] = {
        r.user_id: [
            EmploymentPeriod(
                profile_id=r.user_id,
                start=r.start,
                end=r.left_on,
                department_id=r.department_id,
                title=r.title,
                manager_id=r.manager_id,
            )
        ]
        for r in records
    }
    _move_some_employees(records, periods, rng)
    _place_alumni_in_demo_team(records, periods, rng)
    alumni = [r for r in records if r.left_on is not None]
    with transaction.atomic():
        rows = [period for mine in periods.values() for period in mine]
        EmploymentPeriod.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        AlumniProfile.objects.bulk_create(
            [_alumni_profile(r, periods[r.user_id][-1], rng) for r in alumni], batch_size=BATCH_SIZE
        )
        Profile.objects.bulk_update(
            [Profile(pk=r.user_id, personal_email=r.personal_email) for r in alumni],
            ["personal_email"],
            batch_size=500,
        )
    return len(rows)


def _individual_contributors(records: Sequence[EmploymentRecord]) -> list[EmploymentRecord]:
    managers = {r.manager_id for r in records}
    return [r for r in records if r.user_id not in managers]


def _some_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _move_some_employees(
    records: Sequence[EmploymentRecord], periods: dict[int, list[EmploymentPeriod]], rng: random.Random
) -> None:
    """A few employees of two years or more started in another department, with the title and
    manager of someone who works there, until a day between six months in and three months
    ago."""
    today = timezone.localdate()
    staff = [r for r in _individual_contributors(records) if r.left_on is None]
    by_department: dict[int, list[EmploymentRecord]] = defaultdict(list)
    for record in staff:
        by_department[record.department_id].append(record)
    movers = [r for r in staff if not r.role and today - r.start >= TRANSFER_MIN_TENURE]
    for mover in rng.sample(movers, min(len(movers), max(1, round(len(staff) * TRANSFER_SHARE)))):
        elsewhere = [d for d in by_department if d != mover.department_id]
        if not elsewhere:
            continue
        before = rng.choice(by_department[rng.choice(elsewhere)])
        moved_on = _some_day(rng, mover.start + timedelta(days=180), today - timedelta(days=90))
        _split(periods[mover.user_id], moved_on, before)


def _place_alumni_in_demo_team(
    records: Sequence[EmploymentRecord], periods: dict[int, list[EmploymentPeriod]], rng: random.Random
) -> None:
    """Some alumni from other departments began in the demo employee's team, for long enough
    beside the demo employee to show up among their former colleagues."""
    employee = next((r for r in records if r.role == "employee"), None)
    if employee is None:
        return
    team = [r for r in _individual_contributors(records) if r.manager_id == employee.manager_id]
    manager_start = next((r.start for r in records if r.user_id == employee.manager_id), employee.start)
    candidates = []
    for alumnus in records:
        if alumnus.left_on is None or alumnus.department_id == employee.department_id:
            continue
        # Time beside the demo employee, and then time in the department they left from.
        first = max(alumnus.start, employee.start, manager_start) + timedelta(days=90)
        last = alumnus.left_on - timedelta(days=60)
        if alumnus.start >= manager_start and first <= last:
            candidates.append((alumnus, first, last))
    for alumnus, first, last in rng.sample(candidates, min(len(candidates), DEMO_TEAM_ALUMNI)):
        _split(periods[alumnus.user_id], _some_day(rng, first, last), rng.choice(team or [employee]))


def _split(mine: list[EmploymentPeriod], moved_on: date, before: EmploymentRecord) -> None:
    """The person's first period becomes two: until ``moved_on`` in ``before``'s department,
    under ``before``'s manager and title; from then on as planned."""
    first = mine[0]
    earlier = EmploymentPeriod(
        profile_id=first.profile_id,
        start=first.start,
        end=moved_on - timedelta(days=1),
        department_id=before.department_id,
        title=before.title,
        manager_id=before.manager_id,
    )
    first.start = moved_on
    mine.insert(0, earlier)


def _alumni_profile(record: EmploymentRecord, last: EmploymentPeriod, rng: random.Random) -> AlumniProfile:
    links = []
    if rng.random() < LINKS_SHARE:
        handle = record.personal_email.split("@")[0].replace(".", "-")
        links.append(f"https://www.linkedin.example/in/{handle}")
        if rng.random() < 0.3:
            links.append(f"https://{handle}.blog.example/")
    return AlumniProfile(
        profile_id=record.user_id,
        current_company=record.next_employer,
        current_title=record.title,
        links=links,
        # The demo alumnus is always in the directory, for the demo to show.
        listed=record.role == "alumnus" or rng.random() < LISTED_SHARE,
        open_to_rehire=rng.random() < OPEN_TO_REHIRE_SHARE,
        left_on=last.end,
        former_department_id=last.department_id,
    )
