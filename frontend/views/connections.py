"""My connections and the requests to and from me: accept, decline, withdraw.

Reads through ``profiles.selectors``, writes through ``profiles.services``; a request the
viewer did not send or receive is the same 404 as a missing one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.views.common import (
    actions_response,
    error_text,
    here,
    is_htmx,
    next_url,
    page,
    paginate,
    signed_in,
)
from profiles import selectors, services
from socialblue.errors import ServiceError

# The newest requests of each box shown on the page; a person with more sees these first.
REQUESTS_SHOWN = 50

RESPONSES = {
    "accept": services.connection_request_accept,
    "decline": services.connection_request_decline,
    "withdraw": services.connection_request_withdraw,
}


def _requests(viewer, box: str) -> tuple[list, bool]:
    """The newest ``REQUESTS_SHOWN`` pending requests of ``box``, and whether there are more."""
    shown = list(selectors.connection_requests(profile=viewer, box=box)[: REQUESTS_SHOWN + 1])
    return shown[:REQUESTS_SHOWN], len(shown) > REQUESTS_SHOWN


def _context(request, **extra) -> dict:
    viewer = request.viewer
    incoming, more_incoming = _requests(viewer, "incoming")
    outgoing, more_outgoing = _requests(viewer, "outgoing")
    return {
        "connections": paginate(request, selectors.connections_of(profile=viewer)),
        "incoming": incoming,
        "more_incoming": more_incoming,
        "outgoing": outgoing,
        "more_outgoing": more_outgoing,
        "back": here(request) if request.method == "GET" else reverse("frontend:connections"),
        **extra,
    }


@signed_in
def connections(request):
    return page(
        request,
        "frontend/connections/page.html",
        _context(request),
        fragment="frontend/connections/_content.html",
    )


@require_POST
@signed_in
def respond(request, pk: int, action: str):
    """Accept or decline a request to me, or withdraw one I sent. The profile's button group
    asks for itself back (``return=actions``); the connections page for its content."""
    if action not in RESPONSES:
        raise Http404("No such action.")
    viewer = request.viewer
    connection_request = selectors.connection_request_get(viewer=viewer, request_id=pk)
    other = (
        connection_request.receiver
        if connection_request.sender_id == viewer.pk
        else connection_request.sender
    )
    error = done = ""
    try:
        RESPONSES[action](request=connection_request, by=viewer)
    except ServiceError as exc:
        error = error_text(exc)
    else:
        done = {
            "accept": _("You and %(name)s are connected."),
            "decline": _("You declined %(name)s's request."),
            "withdraw": _("You withdrew your request to %(name)s."),
        }[action] % {"name": other.display_name}
    if request.POST.get("return") == "actions":
        return actions_response(request, other, error=error, done=done)
    if is_htmx(request):
        return page(
            request,
            "frontend/connections/_content.html",
            _context(request, done=done, error=error),
            fragment="frontend/connections/_content.html",
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(next_url(request, reverse("frontend:connections")))
