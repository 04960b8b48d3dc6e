from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from feed.api import EventSchemaView
from socialblue import health

api_v1 = [
    path("", include("profiles.urls")),
    path("", include("feed.urls")),
    path("", include("photos.urls")),
    path("", include("alumni.urls")),
    path("", include("alumni.export_urls")),
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
    # The link in an alumnus's invitation (and a password reset) opens Django's own page.
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
