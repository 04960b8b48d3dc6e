"""The alumni pages: the directory of alumni who opted in, one's own alumni profile, and the
former colleagues one worked beside (with a click to reconnect).

Reads go through ``alumni.selectors``, writes through ``alumni.services`` and
``profiles.services``; the input is parsed by the API's own serializers, so a field means the
same thing on the page and in the API."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from alumni import selectors, services
from alumni.models import MAX_LINKS
from alumni.serializers import AlumniProfileUpdateSerializer, DirectoryQuerySerializer
from frontend.views.common import (
    department_choices,
    error_text,
    form_errors,
    is_htmx,
    page,
    paginate,
    signed_in,
    validated,
)
from profiles import selectors as people
from profiles import services as graph
from socialblue.errors import Conflict, ServiceError

DIRECTORY_FILTERS = ("q", "former_department", "left_year", "current_company")


def link_label(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def span_text(days: int) -> str:
    """A stretch of days as people say it: "2 years 3 months", "5 months", "12 days"."""
    years, rest = divmod(days, 365)
    months = rest // 30
    parts = []
    if years:
        parts.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if months:
        parts.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
    if not parts:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    return " ".join(parts)


# --- The directory --------------------------------------------------------------------------


@signed_in
def directory(request):
    viewer = request.viewer
    values = {name: request.GET.get(name, "").strip() for name in DIRECTORY_FILTERS}
    query = DirectoryQuerySerializer(data={name: value for name, value in values.items() if value})
    errors: dict[str, list[str]] = {}
    status = 200
    found = []
    try:
        found = selectors.alumni_directory(**validated(query))
    except ServiceError as exc:
        errors, status = form_errors(exc), exc.status
    if errors and is_htmx(request):
        # htmx swaps only successful answers; the results say what is wrong with the filters.
        status = 200
    results = paginate(request, found)
    relations = people.relations_to(viewer=viewer, profile_ids=[p.pk for p in results])
    cards = [
        {
            "person": person,
            "alumni": person.alumni_profile,
            "links": [(url, link_label(url)) for url in person.alumni_profile.links],
            "connection": "self" if person.pk == viewer.pk else relations.connection_state(person.pk),
        }
        for person in results
    ]
    context = {
        "values": values,
        "filtered": any(values.values()),
        "errors": errors,
        "departments": department_choices(),
        "results": results,
        "cards": cards,
        # An alumnus who has not opted in is told how to appear here.
        "not_listed": viewer.is_alumnus and not selectors.alumni_profile_get(viewer).listed,
    }
    return page(
        request,
        "frontend/alumni/directory.html",
        context,
        fragment="frontend/alumni/_directory_results.html",
        status=status,
    )


# --- My alumni profile ----------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def me(request):
    viewer = request.viewer
    alumni_profile = selectors.alumni_profile_get(viewer)
    values = {
        "current_company": alumni_profile.current_company,
        "current_title": alumni_profile.current_title,
        "location": viewer.location,
        "links": "\n".join(alumni_profile.links),
        "listed": alumni_profile.listed,
        "open_to_rehire": alumni_profile.open_to_rehire,
        "announce_departure": alumni_profile.announce_departure,
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        post = request.POST
        values = {
            "current_company": post.get("current_company", "").strip(),
            "current_title": post.get("current_title", "").strip(),
            "location": post.get("location", "").strip(),
            "links": post.get("links", ""),
            "listed": "listed" in post,
            "open_to_rehire": "open_to_rehire" in post,
            "announce_departure": "announce_departure" in post,
        }
        fields = {**values, "links": [line.strip() for line in values["links"].splitlines() if line.strip()]}
        if viewer.is_alumnus:
            # The departure was announced, or not, when it happened.
            del fields["announce_departure"]
        data = AlumniProfileUpdateSerializer(data=fields)
        try:
            services.alumni_profile_update(profile=viewer, **validated(data))
        except ServiceError as exc:
            errors, status = form_errors(exc), exc.status
        else:
            messages.success(request, _("Your alumni profile is saved."))
            return redirect("frontend:alumni_me")
    context = {
        "values": values,
        "errors": errors,
        "alumni_profile": alumni_profile,
        # The card as the directory shows it (what is saved, not what was just typed).
        "preview": {
            "person": viewer,
            "alumni": alumni_profile,
            "links": [(url, link_label(url)) for url in alumni_profile.links],
            "connection": "self",
        },
        "max_links": MAX_LINKS,
    }
    return page(request, "frontend/alumni/me.html", context, status=status)


# --- Former colleagues ----------------------------------------------------------------------


def _reconnect(request):
    """Send a connection request to ``connect`` (a username); htmx gets the person's new
    connection state in place of the button."""
    viewer = request.viewer
    other = people.profile_get(username=request.POST.get("connect", "").strip())
    error = None
    try:
        graph.connection_request_send(sender=viewer, receiver=other)
    except Conflict:
        pass  # Already connected: the state below says so.
    except ServiceError as exc:
        error = error_text(exc)
    state = people.relations_to(viewer=viewer, profile_ids=[other.pk]).connection_state(other.pk)
    if is_htmx(request):
        context = {"person": other, "connection": state, "error": error, "just_sent": error is None}
        return render(request, "frontend/alumni/_colleague_connection.html", context)
    if error:
        messages.error(request, error)
    elif state == "connected":
        messages.success(request, _("You are connected with %(name)s.") % {"name": other.display_name})
    else:
        messages.success(request, _("Request sent to %(name)s.") % {"name": other.display_name})
    return redirect("frontend:former_colleagues")


@signed_in
@require_http_methods(["GET", "POST"])
def former_colleagues(request):
    if request.method == "POST":
        return _reconnect(request)
    viewer = request.viewer
    results = paginate(request, selectors.former_colleagues(viewer=viewer))
    relations = people.relations_to(viewer=viewer, profile_ids=[c.profile.pk for c in results])
    rows = [
        {
            "colleague": colleague,
            "person": colleague.profile,
            "span": span_text(colleague.overlap_days),
            "connection": relations.connection_state(colleague.profile.pk),
        }
        for colleague in results
    ]
    context = {"results": results, "rows": rows}
    return page(request, "frontend/alumni/former_colleagues.html", context)
