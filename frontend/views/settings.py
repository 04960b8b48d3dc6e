"""Settings: the devices signed in to one's account (revocable one by one, or all at once
with every browser: "Sign out everywhere"), and the exit kit — an archive of what one wrote,
built in the background, with its progress while it runs and a download link once it is
ready."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from exports import links as export_links
from exports import selectors as export_selectors
from exports import services as export_services
from exports.models import DataExport
from frontend.views.common import is_htmx, page, signed_in
from profiles import auth_services
from socialblue.errors import Throttled

# --- Devices --------------------------------------------------------------------------------


def _devices_context(request) -> dict:
    return {"tokens": list(auth_services.tokens_live(user=request.user).order_by("-created", "-pk"))}


@signed_in
def devices(request):
    return page(
        request,
        "frontend/settings/devices.html",
        _devices_context(request),
        fragment="frontend/settings/_devices.html",
    )


@signed_in
@require_POST
def revoke(request, pk: int):
    token = auth_services.tokens_live(user=request.user).filter(pk=pk).first()
    auth_services.token_revoke(user=request.user, token_id=pk)  # someone else's: 404
    device = (token.device if token is not None else "") or _("A device")
    text = _("%(device)s is signed out.") % {"device": device}
    if is_htmx(request):
        return render(request, "frontend/settings/_devices.html", {**_devices_context(request), "done": text})
    messages.success(request, text)
    return redirect("frontend:settings")


@signed_in
@require_POST
def sign_out_everywhere(request):
    """Every device and every browser of the person is signed out, this one too; they come
    back with a new password, set from the link emailed to them."""
    address = auth_services.sign_out_everywhere_asked(user=request.user)
    logout(request)
    text = _(
        "You are signed out everywhere. To sign in again, set a new password with the link sent to %(email)s."
    )
    messages.success(request, text % {"email": address})
    if is_htmx(request):
        return HttpResponseClientRedirect(reverse("frontend:signin"))
    return redirect("frontend:signin")


# --- The exit kit ---------------------------------------------------------------------------


def _export_context(export: DataExport | None) -> dict:
    state = export_selectors.export_state(export) if export is not None else None
    return {
        "export": export,
        "state": state,
        "active": state in export_services.ACTIVE,
        "download_url": export_links.export_download_path(export) if export is not None else None,
        "link_minutes": export_links.export_link_seconds() // 60,
        "ttl_days": export_services.export_ttl().days,
    }


@signed_in
@require_http_methods(["GET", "POST"])
def export(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            export_services.export_request(profile=request.viewer)
        except Throttled as exc:
            error, status = str(exc.detail), 429
        else:
            return redirect("frontend:export")
    context = {**_export_context(export_selectors.export_latest(profile=request.viewer)), "error": error}
    response = page(
        request,
        "frontend/settings/export.html",
        context,
        fragment="frontend/settings/_export_status.html",
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response
