"""Offboarding, rehire, employment periods and alumni profiles: every write of the alumni app.

The API, the Django admin action, the web HR pages, ``manage.py sync_hr`` and the periodic
task that applies a leave on its day all come through here, so the ways in behave the same
and leave the same audit record (``EmploymentEvent``).

An offboarding or a rehire changes what the person may see. This module does not close what
they hold (tokens, sessions, sockets, timelines, archives…) itself: it announces the change
once, after commit (``profiles.signals.access_changed``), and each app that holds access
closes its own.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alumni.models import MAX_LINKS, AlumniProfile, EmploymentEvent, EmploymentPeriod
from feed import services as feed_services
from feed.models import Reach
from profiles import auth_services, signals
from profiles import services as profiles_services
from profiles.models import Department, Profile, ProfileStatus, Visibility
from socialblue.errors import Conflict, Invalid

LEFT_COMPANY = "left_company"
REJOINED_COMPANY = "rejoined_company"
Source = EmploymentEvent.Source


# --- Employment periods ---------------------------------------------------------------------


def employment_start(
    *,
    profile: Profile,
    start: dt.date,
    department: Department | None = None,
    title: str = "",
    manager: Profile | None = None,
) -> EmploymentPeriod:
    """Open a period (a hire, a rehire or a move to another team): the open one, if any, ends
    the day before, and today's profile follows the new period."""
    with transaction.atomic():
        current = (
            EmploymentPeriod.objects.select_for_update().filter(profile=profile, end__isnull=True).first()
        )
        if current is not None:
            if start <= current.start:
                raise Invalid({"start": [_("A new period starts after the current one.")]})
            current.end = start - dt.timedelta(days=1)
            current.save(update_fields=["end"])
        period = EmploymentPeriod.objects.create(
            profile=profile, start=start, department=department, title=title, manager=manager
        )
        profile.department, profile.manager = department, manager
        if title:
            profile.headline = title
        if profile.hire_date is None or current is None:
            profile.hire_date = start
        profile.save(update_fields=["department", "manager", "headline", "hire_date", "updated_at"])
        profile.refresh_search_text()
    return period


def _close_period(profile: Profile, leave_date: dt.date) -> EmploymentPeriod:
    current = EmploymentPeriod.objects.select_for_update().filter(profile=profile, end__isnull=True).first()
    if current is None:
        # A person who predates employment history: their period is rebuilt from the profile.
        return EmploymentPeriod.objects.create(
            profile=profile,
            start=min(profile.hire_date or leave_date, leave_date),
            end=leave_date,
            department=profile.department,
            title=profile.headline,
            manager=profile.manager,
        )
    current.end = max(leave_date, current.start)
    current.save(update_fields=["end"])
    return current


# --- Offboarding ----------------------------------------------------------------------------


def _check_personal_email(profile: Profile, email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid({"personal_email": [_("A valid personal email address is required.")]}) from None
    taken = (
        Profile.objects.filter(personal_email__iexact=email).exclude(pk=profile.pk).exists()
        or Profile.objects.filter(user__email__iexact=email).exclude(pk=profile.pk).exists()
        # Promised to someone whose leave waits for its date.
        or EmploymentEvent.objects.pending_leaves()
        .filter(personal_email__iexact=email)
        .exclude(profile=profile)
        .exists()
    )
    if taken or email.lower() == (profile.user.email or "").lower():
        raise Invalid({"personal_email": [_("This address is already in use; give the person's own.")]})
    return email


def alumnus_offboard(
    *,
    profile: Profile,
    leave_date: dt.date,
    personal_email: str,
    by=None,
    source: str = Source.API,
) -> EmploymentEvent:
    """The employee leaves the company on ``leave_date``: today or in the past, at once; in
    the future, on that day (``leaves_apply_due``). Returns the audit record."""
    personal_email = _check_personal_email(profile, personal_email)
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        if profile.status != ProfileStatus.EMPLOYEE:
            raise Conflict({"detail": _("%(name)s is not an employee.") % {"name": profile.display_name}})
        # A new decision replaces a leave that was waiting for its day.
        offboard_cancel(profile=profile, by=by)
        event = EmploymentEvent.objects.create(
            profile=profile,
            action=EmploymentEvent.Action.OFFBOARD,
            effective_on=leave_date,
            personal_email=personal_email,
            actor=by,
            source=source,
        )
        if leave_date <= timezone.localdate():
            _apply_offboard(event)
    return event


def offboard_cancel(*, profile: Profile, by=None) -> int:
    """Call off a leave that has not happened yet; the record says who and when. Returns how
    many were waiting."""
    return (
        EmploymentEvent.objects.pending_leaves()
        .filter(profile=profile)
        .update(cancelled_at=timezone.now(), cancelled_by=by)
    )


def _apply_offboard(event: EmploymentEvent) -> None:
    """Inside a transaction: the person becomes an alumnus; what follows runs on commit."""
    profile = Profile.objects.select_for_update().select_related("user").get(pk=event.profile_id)
    if profile.status != ProfileStatus.EMPLOYEE:
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at"])
        return
    period = _close_period(profile, event.effective_on)
    alumni_profile, _created = AlumniProfile.objects.get_or_create(profile=profile)
    alumni_profile.left_on = period.end
    alumni_profile.former_department = period.department
    alumni_profile.save(update_fields=["left_on", "former_department", "updated_at"])

    profile.status = ProfileStatus.ALUMNUS
    profile.personal_email = event.personal_email
    # Today's job is over: the internal fields were the current period's.
    profile.department = profile.office = profile.manager = None
    profile.work_phone = ""
    profile.save(
        update_fields=[
            "status",
            "personal_email",
            "department",
            "office",
            "manager",
            "work_phone",
            "updated_at",
        ]
    )
    user = profile.user
    # The job's privileges end with it, in this transaction: the admin checks these flags,
    # not the status. Sign-ins end with the announcement below.
    user.is_staff = user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.clear()
    user.user_permissions.clear()

    event.applied_at = timezone.now()
    event.save(update_fields=["applied_at"])

    signals.announce_access_change(
        profile=profile,
        old_status=ProfileStatus.EMPLOYEE,
        new_status=ProfileStatus.ALUMNUS,
        reason=event.action,
    )
    # After the announcement, which ends every sign-in and retires the work password: the
    # invitation is signed against the password as it is then, or it would not work.
    transaction.on_commit(lambda: _send_invitation(profile.pk), robust=True)
    if alumni_profile.announce_departure:
        feed_services.activity_publish(
            actor=profile,
            verb=LEFT_COMPANY,
            object_type="profile",
            object_id=profile.pk,
            visibility=Visibility.NETWORK,
            reach=Reach.CONNECTIONS,
        )


def _send_invitation(profile_id: int) -> None:
    """Ask the alumnus, at their personal address, to set a password for signing in."""
    profile = Profile.objects.select_related("user").get(pk=profile_id)
    auth_services.send_password_link(
        user=profile.user,
        to=profile.personal_email,
        subject=_("Stay in touch: your SocialBlue alumni sign-in"),
        intro=_(
            "Hello %(name)s,\n\nyou have left the company, but not your colleagues. Set a password "
            "and sign in with this email address (%(email)s) to stay connected."
        )
        % {"name": profile.display_name, "email": profile.personal_email},
    )


def leaves_apply_due(*, today: dt.date | None = None) -> list[EmploymentEvent]:
    """Apply the leaves whose day has come (a periodic task calls this). Each in its own
    transaction: one that fails does not hold back the others."""
    today = today or timezone.localdate()
    due = EmploymentEvent.objects.pending_leaves().filter(effective_on__lte=today)
    due = due.order_by("effective_on", "pk")
    applied = []
    for event in due:
        with transaction.atomic():
            event = EmploymentEvent.objects.select_for_update().get(pk=event.pk)
            if event.pending:
                _apply_offboard(event)
                if event.applied_at is not None:
                    applied.append(event)
    return applied


# --- Rehire ---------------------------------------------------------------------------------


def alumnus_rehire(
    *,
    profile: Profile,
    by=None,
    source: str = Source.API,
    start: dt.date | None = None,
    department: Department | None = None,
    title: str = "",
    manager: Profile | None = None,
) -> EmploymentEvent:
    """The alumnus is an employee again, on the same identity: a new period, company content
    visible again. Tokens from before stay revoked."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        if profile.status != ProfileStatus.ALUMNUS:
            raise Conflict({"detail": _("%(name)s is not an alumnus.") % {"name": profile.display_name}})
        last = EmploymentPeriod.objects.filter(profile=profile).order_by("-start").first()
        if start is None:
            # Today, or the day after the last period ended (a leave and a rehire on one day).
            start = timezone.localdate()
            if last is not None and last.end is not None and start <= last.end:
                start = last.end + dt.timedelta(days=1)
        if last is not None and last.end is not None and start <= last.end:
            raise Invalid({"start": [_("The new period starts after the last one ended.")]})
        profile.status = ProfileStatus.EMPLOYEE
        profile.save(update_fields=["status", "updated_at"])
        employment_start(profile=profile, start=start, department=department, title=title, manager=manager)
        event = EmploymentEvent.objects.create(
            profile=profile,
            action=EmploymentEvent.Action.REHIRE,
            effective_on=start,
            actor=by,
            source=source,
            applied_at=timezone.now(),
        )
        signals.announce_access_change(
            profile=profile,
            old_status=ProfileStatus.ALUMNUS,
            new_status=ProfileStatus.EMPLOYEE,
            reason=EmploymentEvent.Action.REHIRE,
        )
        feed_services.activity_publish(
            actor=profile,
            verb=REJOINED_COMPANY,
            object_type="profile",
            object_id=profile.pk,
            visibility=Visibility.NETWORK,
        )
    return event


# --- Alumni profiles ------------------------------------------------------------------------


def _clean_links(links) -> list[str]:
    if not isinstance(links, list):
        raise Invalid({"links": [_("A list of web addresses.")]})
    if len(links) > MAX_LINKS:
        raise Invalid({"links": [_("At most %(n)d links.") % {"n": MAX_LINKS}]})
    validate = URLValidator(schemes=["http", "https"])
    cleaned = []
    for link in links:
        link = str(link).strip() if isinstance(link, str) else ""
        try:
            if len(link) > 200:
                raise ValidationError("too long")
            validate(link)
        except ValidationError:
            raise Invalid(
                {"links": [_("%(link)r is not an http(s) address.") % {"link": link[:200]}]}
            ) from None
        if link not in cleaned:
            cleaned.append(link)
    return cleaned


ALUMNI_PROFILE_FIELDS = (
    "current_company",
    "current_title",
    "links",
    "listed",
    "open_to_rehire",
    "announce_departure",
)


def alumni_profile_of(profile: Profile) -> AlumniProfile:
    """The person's alumni profile (employees have one too: they may set it up before they
    leave, and opt out of the departure announcement)."""
    alumni_profile, _created = AlumniProfile.objects.get_or_create(profile=profile)
    return alumni_profile


def alumni_profile_update(*, profile: Profile, **fields) -> AlumniProfile:
    """Change what the person tells former colleagues; ``location`` is the profile's own."""
    unknown = set(fields) - {*ALUMNI_PROFILE_FIELDS, "location"}
    if unknown:
        raise Invalid({name: [_("Unknown field.")] for name in sorted(unknown)})
    if "links" in fields:
        fields["links"] = _clean_links(fields["links"])
    with transaction.atomic():
        alumni_profile = alumni_profile_of(profile)
        if "location" in fields:
            profiles_services.profile_update(profile=profile, location=fields.pop("location"))
        for name, value in fields.items():
            setattr(alumni_profile, name, value)
        try:
            alumni_profile.full_clean(exclude=["profile", "former_department"])
        except ValidationError as exc:
            raise Invalid(exc.message_dict) from None
        alumni_profile.save()
    return alumni_profile
