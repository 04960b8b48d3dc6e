"""Signing in (username or email, throttled by django-axes) and out, with a session."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profiles import auth_services
from socialblue.errors import Invalid, Throttled


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "frontend:home"


def signin(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("frontend:home")
    context = {"next": request.POST.get("next") or request.GET.get("next", ""), "login": "", "error": None}
    status = 200
    if request.method == "POST":
        context["login"] = request.POST.get("login", "").strip()[:254]
        password = request.POST.get("password", "")
        if not context["login"] or not password:
            context["error"], status = _("Enter your username or email and your password."), 400
        else:
            try:
                user = auth_services.check_password(
                    request=request, username=context["login"], password=password
                )
            except Throttled as exc:
                minutes = max(1, round(exc.retry_after / 60))
                context["error"] = _(
                    "Too many failed attempts. Try again in %(n)d minute(s), or ask for a new password."
                ) % {"n": minutes}
                context["throttled"], status = True, 429
            except Invalid:
                context["error"], status = _("Wrong username, email or password."), 400
            else:
                login(request, user, backend="profiles.backends.UsernameOrEmailBackend")
                return redirect(_next_url(request))
    return render(request, "frontend/signin.html", context, status=status)


@require_POST
def signout(request):
    logout(request)
    return redirect("frontend:signin")
