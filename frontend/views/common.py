"""What every page view shares, written once: who is signed in, whether htmx asked for a part
of the page, where a ``next`` address may lead, how a service's (or an input serializer's)
errors reach a form, how times read, and the follow and connect buttons that several pages
show.

Views here are thin, as in the API: parse, call one service or selector, render. A view
module imports this module and the apps' services and selectors, never another view module:
what two of them need lives here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from profiles.models import Profile
from profiles.selectors import departments, profile_of, relations_to
from socialblue.errors import Invalid, NotFound, ServiceError
from socialblue.fields import PAGE_MAX, whole_number

PAGE_SIZE = 20
# Where a form's errors that belong to no field go (templates cannot read ``__all__``).
FORM = "form"
_NOT_A_FIELD = {"__all__", "detail", "non_field_errors", FORM}


def signed_in(view: Callable) -> Callable:
    """Sign-in required; ``request.viewer`` is the person's profile (read fresh, once). An
    object the person may not see is a 404 page, whatever the view raised."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.viewer = profile_of(request.user)
        request.viewer_profile = request.viewer  # the last-active middleware's name for it
        if request.viewer is None:
            raise Http404("This account has no profile.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.detail)) from exc

    return wrapper


# --- htmx, and where a form goes back to ----------------------------------------------------


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx (or a page script speaking as htmx, ``HX-Request``) asked for the part of
    the page that changed. A boosted link and a history restore (back or forward to a page
    htmx has not cached) want the whole page, as a plain request does."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page(request: HttpRequest, template: str, context: dict, *, fragment: str | None = None, status=200):
    """The whole page, or only ``fragment`` (a template of the part that changed) when htmx
    asks for it."""
    chosen = fragment if fragment and is_htmx(request) else template
    response = render(request, chosen, context, status=status)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def here(request: HttpRequest) -> str:
    """The address of the page the person is looking at (for htmx, the page that asked), so
    that a plain form can come back to it."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return htmx.current_url_abs_path
    return request.get_full_path()


def next_url(request: HttpRequest, default: str) -> str:
    """Where a form goes after it is done: its ``next`` (posted, or in the query) if that is
    a page of this site, reached by the same scheme or a safer one; ``default`` otherwise.
    An address elsewhere would make the site a springboard for phishing; ``https`` only
    from a secure page, so a link never downgrades the person to plain HTTP."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Errors, as a form shows them -----------------------------------------------------------


def _messages(value) -> list[str]:
    if isinstance(value, dict):  # a list field's errors by item, or a nested serializer's
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def form_errors(source: ServiceError | dict) -> dict[str, list[str]]:
    """A service's error, or an input serializer's ``errors``, as a form shows them:
    ``{field: [message, ...]}``, what belongs to no field under ``form``, each message once."""
    detail = source.detail if isinstance(source, ServiceError) else source
    if not isinstance(detail, dict):
        detail = {FORM: detail}
    errors: dict[str, list[str]] = {}
    for name, value in detail.items():
        found = errors.setdefault(FORM if name in _NOT_A_FIELD else name, [])
        found.extend(m for m in _messages(value) if m not in found)
    return errors


def error_text(source: ServiceError | dict) -> str:
    """Every message of an error as one sentence, for a toast, a flash message or a script
    (field names left out: the person did not type them)."""
    return " ".join(m for found in form_errors(source).values() for m in found)


def validated(serializer) -> dict:
    """The validated data of an input serializer (the API's own, so a field means the same on
    a page and in the API), or ``Invalid`` with its errors: a page handles bad input and a
    service's refusal the same way."""
    if not serializer.is_valid():
        raise Invalid(form_errors(serializer.errors))
    return serializer.validated_data


# --- Pages of a list ------------------------------------------------------------------------


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE):
    """One page of ``queryset`` by ``?page=``; a page past the end is empty, not an error. A
    page that is not one (``-3``, ``x``, past PAGE_MAX) is a 400, as in the API."""
    paginator = Paginator(queryset, per_page)
    try:
        number = whole_number(request.GET.get("page"), name="page", minimum=1, maximum=PAGE_MAX, default=1)
    except Invalid as exc:
        raise BadRequest(exc.text()) from exc
    try:
        return paginator.page(number)
    except EmptyPage:
        return Page([], number, paginator)


# --- Words ------------------------------------------------------------------------------------


def ago(when) -> str:
    """The time since ``when`` in one unit, as a feed says it: just now, 5 minutes ago."""
    if when is None:
        return ""
    if timezone.now() - when < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(when, depth=1)}


def department_choices() -> list[tuple[str, str]]:
    """Departments for a select, in tree order, sub-departments indented under their parent."""
    return [(d.slug, "\u2002" * 2 * max(0, d.path.count("/") - 2) + d.name) for d in departments()]


# --- How the viewer stands to a person: the follow and connect buttons ----------------------


@dataclass(frozen=True)
class Standing:
    """What the follow and connect buttons show for one person."""

    person: Profile
    is_self: bool
    following: bool
    connection: str  # "connected", "request_sent", "request_received", "none"
    request_id: int | None


def standings(viewer: Profile, people) -> list[Standing]:
    """How ``viewer`` stands to each of ``people``, in three queries whatever their number."""
    people = list(people)
    relations = relations_to(viewer=viewer, profile_ids=[p.pk for p in people])
    return [
        Standing(
            person=p,
            is_self=p.pk == viewer.pk,
            following=p.pk in relations.following,
            connection=relations.connection_state(p.pk),
            request_id=relations.request_id(p.pk),
        )
        for p in people
    ]


def actions_response(request: HttpRequest, person: Profile, *, error: str = "", done: str = ""):
    """The answer to a follow or connect button (on a profile, a directory card, the
    connections page): the button group again for htmx, with what happened or what went wrong
    said beside it, or back where the form was."""
    if is_htmx(request):
        context = {
            "standing": standings(request.viewer, [person])[0],
            "error": error,
            "done": done,
            "back": here(request),
        }
        return page(
            request, "frontend/people/_actions.html", context, fragment="frontend/people/_actions.html"
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(next_url(request, reverse("frontend:profile", args=[person.username])))
