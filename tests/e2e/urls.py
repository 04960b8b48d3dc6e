"""The site's URLs, plus what a development server adds when DEBUG is on: the uploaded files
(avatars) under MEDIA_URL, read from the MEDIA_ROOT of the running test. Tests run with DEBUG
off, so ``socialblue/urls.py`` leaves them out and every avatar would be a broken image."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from socialblue.urls import urlpatterns as site


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [*site, re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", media)]
