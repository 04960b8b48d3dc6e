"""Reads of the alumni app: the alumni directory, former colleagues, employment history."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alumni.models import AlumniProfile, EmploymentEvent, EmploymentPeriod
from profiles.models import Department, Profile, ProfileStatus
from profiles.selectors import MAX_QUERY_TERMS, profile_queryset
from socialblue.errors import Invalid

# How many people the former-colleague ranking considers at most (the longest overlaps).
FORMER_COLLEAGUES_MAX = 500


def alumni_queryset() -> QuerySet[Profile]:
    """Profiles with what an alumni card shows, in a fixed number of queries."""
    return profile_queryset().select_related("alumni_profile__former_department")


def alumni_directory(
    *, q: str = "", former_department: str = "", left_year: int | None = None, current_company: str = ""
) -> QuerySet[Profile]:
    """Alumni who chose to be listed, most recently left first. ``q`` matches every word in
    the name, username, title, skills, current company or former department;
    ``former_department`` includes its sub-departments and any earlier period there."""
    qs = alumni_queryset().filter(
        status=ProfileStatus.ALUMNUS, user__is_active=True, alumni_profile__listed=True
    )
    if former_department:
        department = Department.objects.filter(slug=former_department.strip()).first()
        if department is None:
            raise Invalid(
                {"former_department": [_("No department is called '%(s)s'.") % {"s": former_department}]}
            )
        worked_there = EmploymentPeriod.objects.filter(
            end__isnull=False, department__path__startswith=department.path
        ).values("profile_id")
        qs = qs.filter(pk__in=worked_there)
    if left_year is not None:
        qs = qs.filter(alumni_profile__left_on__year=left_year)
    if current_company.strip():
        qs = qs.filter(alumni_profile__current_company__icontains=current_company.strip())
    for term in [t for t in q.lower().split() if t][:MAX_QUERY_TERMS]:
        qs = qs.filter(
            Q(search_text__icontains=term)
            | Q(alumni_profile__current_company__icontains=term)
            | Q(alumni_profile__former_department__name__icontains=term)
        )
    return qs.order_by("-alumni_profile__left_on", "display_name", "pk")


def alumni_profile_get(profile: Profile) -> AlumniProfile:
    """The person's alumni profile, or an unsaved blank one (nothing is written by a read)."""
    return AlumniProfile.objects.filter(profile=profile).first() or AlumniProfile(profile=profile)


def rehire_placement(*, department: str = "", manager: str = "") -> tuple[Department | None, Profile | None]:
    """The department (by slug) and the manager (by username, ``@marco`` or ``marco``) a
    rehire names; a blank one names none. One lookup for the API and the HR pages, so both
    accept and refuse the same names. Raises ``Invalid`` naming each field that names nobody
    (the person being rehired exists: a missing manager is bad input, not a 404)."""
    errors: dict[str, list[str]] = {}
    found_department = found_manager = None
    if department:
        found_department = Department.objects.filter(slug=department).first()
        if found_department is None:
            errors["department"] = [_("No such department.")]
    manager = manager.removeprefix("@")
    if manager:
        found_manager = profile_queryset().filter(user__username=manager, user__is_active=True).first()
        if found_manager is None:
            errors["manager"] = [_("No one is called @%(u)s.") % {"u": manager}]
    if errors:
        raise Invalid(errors)
    return found_department, found_manager


@dataclass(frozen=True)
class FormerColleague:
    profile: Profile
    overlap_days: int
    department: Department | None
    until: dt.date | None


# Two periods are of colleagues when one of these pairs of fields holds the same person or
# department in both (their period's field, the viewer's period's field). The rule is stated
# here only: as a database filter (``_tie_filter``) to find candidates, and as a check
# (``_tied``) to pair each candidate's periods with the viewer's.
COLLEAGUE_TIES = (
    ("department_id", "department_id"),  # the same department
    ("manager_id", "manager_id"),  # the same manager
    ("profile_id", "manager_id"),  # they managed the viewer
    ("manager_id", "profile_id"),  # the viewer managed them
)


def _tie_filter(period: EmploymentPeriod) -> Q:
    """The periods tied to ``period`` by :data:`COLLEAGUE_TIES`, as a filter."""
    ties = Q(pk__in=[])
    for theirs, mine in COLLEAGUE_TIES:
        if getattr(period, mine) is not None:
            ties |= Q(**{theirs: getattr(period, mine)})
    return ties


def _tied(theirs: EmploymentPeriod, mine: EmploymentPeriod) -> bool:
    """Are the two periods tied by :data:`COLLEAGUE_TIES`? (The check :func:`_tie_filter` makes.)"""
    return any(
        getattr(mine, own) is not None and getattr(theirs, field) == getattr(mine, own)
        for field, own in COLLEAGUE_TIES
    )


def _overlap_days(a_start, a_end, b_start, b_end) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (end - start).days + 1 if end >= start else 0


def former_colleagues(*, viewer: Profile) -> list[FormerColleague]:
    """The people whose periods overlapped the viewer's in the same department or under the
    same manager (or who managed, or were managed by, the viewer), longest overlap first.

    Candidates come from one query on the period indexes; the overlap is summed here over
    every pair of periods (people come and go and come back), and the profiles of the
    result are loaded in one more.
    """
    today = timezone.localdate()
    mine = list(EmploymentPeriod.objects.filter(profile=viewer))
    if not mine:
        return []
    reach = Q(pk__in=[])
    for period in mine:
        end = period.end or today
        reach |= _tie_filter(period) & Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=period.start))
    candidates = EmploymentPeriod.objects.filter(reach).exclude(profile=viewer).select_related("department")

    overlap: dict[int, int] = {}
    where: dict[int, EmploymentPeriod] = {}
    for theirs in candidates:
        for period in mine:
            if not _tied(theirs, period):
                continue
            days = _overlap_days(period.start, period.end or today, theirs.start, theirs.end or today)
            if days:
                overlap[theirs.profile_id] = overlap.get(theirs.profile_id, 0) + days
                if theirs.profile_id not in where or theirs.start > where[theirs.profile_id].start:
                    where[theirs.profile_id] = theirs
    ranked = sorted(overlap, key=lambda pid: (-overlap[pid], pid))[:FORMER_COLLEAGUES_MAX]
    profiles = alumni_queryset().filter(pk__in=ranked, user__is_active=True).in_bulk()
    return [
        FormerColleague(
            profile=profiles[pid],
            overlap_days=overlap[pid],
            department=where[pid].department,
            until=where[pid].end,
        )
        for pid in ranked
        if pid in profiles
    ]


def employment_history(*, profile: Profile) -> QuerySet[EmploymentPeriod]:
    return EmploymentPeriod.objects.filter(profile=profile).select_related("department", "manager__user")


def employment_events(*, profile: Profile | None = None) -> QuerySet[EmploymentEvent]:
    qs = EmploymentEvent.objects.select_related("profile__user", "actor")
    return qs.filter(profile=profile) if profile is not None else qs


def pending_leaves() -> QuerySet[EmploymentEvent]:
    """Leaves that wait for their day, soonest first."""
    return employment_events().pending_leaves().order_by("effective_on", "pk")
