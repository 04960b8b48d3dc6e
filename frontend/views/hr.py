"""The HR pages: find a person, offboard an employee (today, or on a date to come), rehire an
alumnus, and see what waits and what was done.

HR officers only (``profiles.audience.is_hr``, the same rule as the API); anyone else gets
403. Every change goes through ``alumni.services`` after a confirmation step (a Django form
that comes back once with its values hidden, :class:`ConfirmedForm`), and leaves the same
audit record as the API, the admin action and ``sync_hr``, with the source ``web``: the audit
sources name the ways in. A rehire's department and manager are found by the API's own lookup
(``alumni.selectors.rehire_placement``), so both accept and refuse the same names."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alumni import selectors, services
from alumni.models import EmploymentEvent
from frontend.views.common import department_choices, form_errors, page, paginate, signed_in
from profiles.audience import is_hr
from profiles.models import ProfileStatus
from profiles.selectors import profile_get, profile_search
from socialblue.errors import Invalid, ServiceError

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


# --- The two forms ---------------------------------------------------------------------------


class ConfirmedForm(forms.Form):
    """A change that is shown once more before it is made: the first valid submit comes back
    as a confirmation (the same values, hidden, and ``confirm``); only a submit with
    ``confirm`` and still-valid values is made. "Back" shows the form again with the values."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def stage(self, request) -> str:
        """``form`` (to fill in or correct), ``confirm`` (to look at once more) or ``do``."""
        if request.method != "POST" or "back" in request.POST or not self.is_valid():
            return "form"
        return "do" if self.cleaned_data["confirm"] else "confirm"

    def values(self) -> dict[str, str]:
        """What each field shows: what was sent, or its first value."""
        return {name: self[name].value() or "" for name in self.fields if name != "confirm"}

    def refused(self, exc: ServiceError) -> None:
        """The service said no: its reasons beside the fields they name."""
        for name, found in form_errors(exc).items():
            self.add_error(name if name in self.fields else None, found)

    def errors_shown(self) -> dict[str, list[str]]:
        return form_errors(self.errors) if self.is_bound else {}


class OffboardForm(ConfirmedForm):
    leave_date = forms.DateField()
    personal_email = forms.EmailField()


class RehireForm(ConfirmedForm):
    department = forms.CharField(required=False)
    title = forms.CharField(required=False, max_length=160)
    manager = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        try:
            data["department_found"], data["manager_found"] = selectors.rehire_placement(
                department=data.get("department", ""), manager=data.get("manager", "")
            )
        except Invalid as exc:
            self.refused(exc)
        return data


def _answer(request, form: ConfirmedForm, stage: str, template: str, context: dict, *, status: int = 0):
    """The page of ``stage``: a form with errors is a 400 (or the service's status)."""
    errors = form.errors_shown()
    context = {**context, "values": form.values(), "form": form, "errors": errors, "stage": stage}
    return page(request, template, context, status=status or (400 if errors else 200))


# --- Offboarding ----------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def offboard(request, username: str):
    _require_hr(request)
    person = profile_get(username=username)
    today = timezone.localdate()
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if services.offboard_cancel(profile=person, by=request.user):
            messages.success(
                request, _("The leave of %(name)s is called off.") % {"name": person.display_name}
            )
        return redirect("frontend:hr")
    form = OffboardForm(
        request.POST if request.method == "POST" else None,
        initial={"leave_date": today.isoformat(), "personal_email": person.personal_email},
    )
    stage, status = form.stage(request), 0
    if stage == "do":
        fields = form.cleaned_data
        try:
            event = services.alumnus_offboard(
                profile=person,
                leave_date=fields["leave_date"],
                personal_email=fields["personal_email"],
                by=request.user,
                source=SOURCE,
            )
        except ServiceError as exc:
            form.refused(exc)
            stage, status = "form", exc.status
        else:
            if event.applied_at is not None:
                text = _("%(name)s is now an alumnus. An invitation to sign in went to %(email)s.")
            else:
                text = _("%(name)s leaves on %(day)s; until then nothing changes.")
            names = {"name": person.display_name, "email": event.personal_email}
            messages.success(request, text % {**names, "day": date_format(event.effective_on)})
            return redirect("frontend:hr")
    leave_date = form.cleaned_data["leave_date"] if stage == "confirm" else None
    context = {
        "person": person,
        "leave_date": leave_date,
        "scheduled": leave_date is not None and leave_date > today,
        "today": today,
        "announce": selectors.alumni_profile_get(person).announce_departure,
        "waiting": selectors.pending_leaves().filter(profile=person).first(),
    }
    return _answer(request, form, stage, "frontend/hr/offboard.html", context, status=status)


# --- Rehire ---------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def rehire(request, username: str):
    _require_hr(request)
    person = profile_get(username=username)
    alumni_profile = selectors.alumni_profile_get(person)
    former = alumni_profile.former_department
    last = selectors.employment_history(profile=person).order_by("start").last()
    form = RehireForm(
        request.POST if request.method == "POST" else None,
        initial={
            "department": former.slug if former else "",
            "title": last.title if last is not None else "",
            "manager": "",
        },
    )
    stage, status = form.stage(request), 0
    if stage == "do":
        fields = form.cleaned_data
        try:
            services.alumnus_rehire(
                profile=person,
                by=request.user,
                source=SOURCE,
                department=fields["department_found"],
                title=fields["title"],
                manager=fields["manager_found"],
            )
        except ServiceError as exc:
            form.refused(exc)
            stage, status = "form", exc.status
        else:
            messages.success(
                request,
                _("Welcome back: %(name)s is an employee again.") % {"name": person.display_name},
            )
            return redirect("frontend:hr")
    chosen = form.cleaned_data if stage == "confirm" else {}
    context = {
        "person": person,
        "alumni_profile": alumni_profile,
        "department": chosen.get("department_found"),
        "manager": chosen.get("manager_found"),
        "departments": department_choices(),
    }
    return _answer(request, form, stage, "frontend/hr/rehire.html", context, status=status)
