"""The people pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def directory(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})


@signed_in
def profile(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})


@signed_in
def follow(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})


@signed_in
def connect(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})


@signed_in
def profile_edit(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})


@signed_in
def avatar(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "people"})
