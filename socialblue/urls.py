import mimetypes
import re

from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from feed.api import EventSchemaView
from frontend.views.auth import PasswordResetConfirm
from socialblue import health
from socialblue.outages import wants_json

api_v1 = [
    path("", include("profiles.urls")),
    path("", include("feed.urls")),
    path("", include("photos.urls")),
    path("", include("alumni.urls")),
    path("", include("exports.urls")),
]

urlpatterns = [
    path("", include("frontend.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="schema",
    ),
    path("api/events.json", EventSchemaView.as_view(), name="api-events"),
    path(
        "api/docs/",
        csp_exempt()(
            SpectacularSwaggerView.as_view(
                url_name="schema", permission_classes=[AllowAny], authentication_classes=[]
            )
        ),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_exempt()(
            SpectacularRedocView.as_view(
                url_name="schema", permission_classes=[AllowAny], authentication_classes=[]
            )
        ),
        name="api-redoc",
    ),
    path("admin/", admin.site.urls),
    # The link in an alumnus's invitation (and a password reset) opens Django's own page,
    # which also lifts the person's sign-in locks on that browser.
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]


# A stored avatar's name: one plain file name (a random id and an extension). "." and ".."
# name folders, which open() cannot serve.
AVATAR_NAME = re.compile(r"[\w-]+\.[A-Za-z0-9]+")


def avatar_file(request, name: str):
    """Avatars are public to everyone signed in; in production the web server serves
    MEDIA_URL + ``avatars/``. Django serves them itself when SERVE_AVATARS is on (the default
    under DEBUG). Nothing else under MEDIA_ROOT is served here: photos go through the
    audience-checked media view."""
    path = f"avatars/{name}"
    if not settings.SERVE_AVATARS or not AVATAR_NAME.fullmatch(name) or not default_storage.exists(path):
        raise Http404("No such avatar.")
    return FileResponse(default_storage.open(path, "rb"), content_type=mimetypes.guess_type(name)[0])


urlpatterns.append(
    path(f"{settings.MEDIA_URL.strip('/')}/avatars/<str:name>", avatar_file, name="avatar-file")
)

# A backing service that is down answers 503 with Retry-After, everything else a 500 without
# a traceback (socialblue/outages.py).
handler500 = "socialblue.outages.server_error"


def bad_request(request, exception):
    """Django's 400 handler (a suspicious request, refused before any view): JSON for the API,
    as every API answer is; Django's page otherwise."""
    if not wants_json(request):
        return defaults.bad_request(request, exception)
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def not_found(request, exception):
    """Django's 404 handler, for a path no URL pattern matches (``posts/-1/``): JSON for the
    API, Django's page otherwise."""
    if not wants_json(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


handler400 = bad_request
handler404 = not_found
