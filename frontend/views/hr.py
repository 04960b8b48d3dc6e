"""The HR pages: find a person, offboard an employee (today, or on a date to come), rehire an
alumnus, and see what waits and what was done.

HR officers only (``profiles.audience.is_hr``, the same rule as the API); anyone else gets
403. Every change goes through ``alumni.services`` after a confirmation step, and leaves the
same audit record as the API, the admin action and ``sync_hr``. The web pages record their
changes with the source ``api``: the audit sources name the ways in (API, Django admin, HR
file, schedule), and these pages are a client of the same services as the API."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alumni import selectors, services
from alumni.models import EmploymentEvent
from alumni.serializers import OffboardSerializer, RehireSerializer
from frontend.views.alumni import department_choices, serializer_errors
from frontend.views.common import errors_of, page, paginate, signed_in
from profiles.audience import is_hr
from profiles.models import ProfileStatus
from profiles.selectors import departments, profile_get, profile_search
from socialblue.errors import NotFound, ServiceError

SOURCE = EmploymentEvent.Source.WEB
RECENT_EVENTS = 10
PENDING_SHOWN = 20


def _require_hr(request) -> None:
    if not is_hr(request.user):
        raise PermissionDenied(_("Only HR officers may offboard or rehire people."))


# --- People ---------------------------------------------------------------------------------


@signed_in
def people(request):
    _require_hr(request)
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in ProfileStatus.values:
        status = ""
    results = paginate(request, profile_search(viewer=request.viewer, q=q, status=status))
    ids = [p.pk for p in results]
    waiting = {e.profile_id: e for e in selectors.pending_leaves().filter(profile_id__in=ids)} if ids else {}
    rows = [{"person": person, "leave": waiting.get(person.pk)} for person in results]
    context = {
        "q": q,
        "status": status,
        "statuses": ProfileStatus.choices,
        "results": results,
        "rows": rows,
        "pending": list(selectors.pending_leaves()[:PENDING_SHOWN]),
        "events": list(selectors.employment_events()[:RECENT_EVENTS]),
    }
    return page(request, "frontend/hr/people.html", context, fragment="frontend/hr/_people_results.html")


# --- Offboarding ----------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def offboard(request, username: str):
    _require_hr(request)
    person = profile_get(username=username)
    today = timezone.localdate()
    values = {"leave_date": today.isoformat(), "personal_email": person.personal_email}
    errors: dict[str, list[str]] = {}
    stage, status = "form", 200
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if services.offboard_cancel(profile=person, by=request.user):
            messages.success(
                request, _("The leave of %(name)s is called off.") % {"name": person.display_name}
            )
        return redirect("frontend:hr")
    if request.method == "POST":
        values = {
            "leave_date": request.POST.get("leave_date", "").strip(),
            "personal_email": request.POST.get("personal_email", "").strip(),
        }
        data = OffboardSerializer(data={"username": username, **values})
        if not data.is_valid():
            errors, status = serializer_errors(data.errors), 400
        elif "back" in request.POST:
            pass
        elif "confirm" not in request.POST:
            stage = "confirm"
        else:
            fields = data.validated_data
            try:
                event = services.alumnus_offboard(
                    profile=person,
                    leave_date=fields["leave_date"],
                    personal_email=fields["personal_email"],
                    by=request.user,
                    source=SOURCE,
                )
            except ServiceError as exc:
                errors, status = errors_of(exc), exc.status
            else:
                if event.applied_at is not None:
                    text = _("%(name)s is now an alumnus. An invitation to sign in went to %(email)s.")
                else:
                    text = _("%(name)s leaves on %(day)s; until then nothing changes.")
                messages.success(
                    request,
                    text
                    % {
                        "name": person.display_name,
                        "email": event.personal_email,
                        "day": date_format(event.effective_on),
                    },
                )
                return redirect("frontend:hr")
    leave_date = data.validated_data["leave_date"] if stage == "confirm" else None
    context = {
        "person": person,
        "values": values,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "stage": stage,
        "leave_date": leave_date,
        "scheduled": leave_date is not None and leave_date > today,
        "today": today,
        "announce": selectors.alumni_profile_get(person).announce_departure,
        "waiting": selectors.pending_leaves().filter(profile=person).first(),
    }
    return page(request, "frontend/hr/offboard.html", context, status=status)


# --- Rehire ---------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def rehire(request, username: str):
    _require_hr(request)
    person = profile_get(username=username)
    alumni_profile = selectors.alumni_profile_get(person)
    former = alumni_profile.former_department
    last = selectors.employment_history(profile=person).order_by("start").last()
    values = {
        "department": former.slug if former else "",
        "title": last.title if last is not None else "",
        "manager": "",
    }
    errors: dict[str, list[str]] = {}
    stage, status = "form", 200
    department = manager = None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in ("department", "title", "manager")}
        values["manager"] = values["manager"].removeprefix("@")
        data = RehireSerializer(data={"username": username, **values})
        if not data.is_valid():
            errors, status = serializer_errors(data.errors), 400
        else:
            if values["department"]:
                department = departments().filter(slug=values["department"]).first()
                if department is None:
                    errors["department"] = [_("No such department.")]
            if values["manager"]:
                try:
                    manager = profile_get(username=values["manager"])
                except NotFound:
                    errors["manager"] = [_("No one is called @%(u)s.") % {"u": values["manager"]}]
            if errors:
                status = 400
            elif "back" in request.POST:
                pass
            elif "confirm" not in request.POST:
                stage = "confirm"
            else:
                try:
                    services.alumnus_rehire(
                        profile=person,
                        by=request.user,
                        source=SOURCE,
                        department=department,
                        title=data.validated_data.get("title", ""),
                        manager=manager,
                    )
                except ServiceError as exc:
                    errors, status = errors_of(exc), exc.status
                else:
                    messages.success(
                        request,
                        _("Welcome back: %(name)s is an employee again.") % {"name": person.display_name},
                    )
                    return redirect("frontend:hr")
    context = {
        "person": person,
        "alumni_profile": alumni_profile,
        "values": values,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "stage": stage,
        "department": department,
        "manager": manager,
        "departments": department_choices(),
    }
    return page(request, "frontend/hr/rehire.html", context, status=status)
