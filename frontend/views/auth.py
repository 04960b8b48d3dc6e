"""Signing in (username or email, counted: profiles/sign_in_limits.py) and out, with a session;
setting a password through an emailed link."""

from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from frontend.views.common import next_url
from profiles import auth_services, sign_in_limits
from socialblue.errors import Invalid, Throttled, Unavailable


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def signin(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("frontend:home")
    context = {"next": request.POST.get("next") or request.GET.get("next", ""), "login": "", "error": None}
    status, retry_after = 200, None
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
                context["error"] = _(
                    "Too many failed attempts. Try again in %(wait)s, or ask for a new password."
                ) % {"wait": _wait_text(exc.retry_after)}
                context["throttled"], status, retry_after = True, 429, exc.retry_after
            except Unavailable as exc:
                context["error"] = _("Signing in is briefly unavailable. Try again in a moment.")
                context["throttled"], status, retry_after = True, 503, exc.retry_after
            except Invalid:
                context["error"], status = _("Wrong username, email or password."), 400
            else:
                login(request, user, backend="profiles.backends.UsernameOrEmailBackend")
                response = redirect(next_url(request, "frontend:home"))
                sign_in_limits.remember_device(request=request, response=response, user=user)
                return response
    response = render(request, "frontend/signin.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def signout(request):
    logout(request)
    return redirect("frontend:signin")


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's page for the link in an invitation or a password reset. Using it proves this
    browser holds the person's address, so it also lifts their sign-in locks here and makes
    the browser a known device."""

    def form_valid(self, form):
        response = super().form_valid(form)
        auth_services.password_link_used(request=self.request, user=form.user)
        sign_in_limits.remember_device(request=self.request, response=response, user=form.user)
        return response
