"""SocialBlue's URLs plus the bench-only peer endpoint."""

from django.urls import path

from bench.views import ActstreamFeedView
from socialblue.urls import urlpatterns as socialblue_urlpatterns

urlpatterns = [
    *socialblue_urlpatterns,
    path("bench/actstream/", ActstreamFeedView.as_view(), name="bench-actstream"),
]
