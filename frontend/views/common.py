"""What every page view shares: who is signed in, how a service's error reaches a form, and
how a page answers htmx (a fragment) and a plain request (the whole page).

Views here are thin, as in the API: parse, call one service or selector, render."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from profiles.selectors import profile_of
from socialblue.errors import Invalid, NotFound, ServiceError
from socialblue.fields import PAGE_MAX, whole_number

PAGE_SIZE = 20


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


def page(request: HttpRequest, template: str, context: dict, *, fragment: str | None = None, status=200):
    """The whole page, or only ``fragment`` (a template of the part that changed) when htmx
    asks for it."""
    htmx = getattr(request, "htmx", False)
    # Back/forward may ask htmx to restore a page it has not cached: that needs all of it.
    wants_fragment = htmx and not htmx.boosted and not htmx.history_restore_request
    response = render(request, fragment if fragment and wants_fragment else template, context, status=status)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def errors_of(exc: ServiceError) -> dict[str, list[str]]:
    """A service's error as form errors: ``{field: [message, ...]}`` (``__all__`` for the rest)."""
    detail = exc.detail
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, messages in detail.items():
            key = "__all__" if name in ("detail", "non_field_errors") else name
            out.setdefault(key, []).extend(
                [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]
            )
        return out
    return {"__all__": [str(detail)]}


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
