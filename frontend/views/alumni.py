"""The alumni pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def directory(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "alumni"})


@signed_in
def me(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "alumni"})


@signed_in
def former_colleagues(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "alumni"})
