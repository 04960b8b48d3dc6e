"""The home pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def home(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def feed_more(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def feed_new(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def post_create(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def post_detail(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def post_delete(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def comments(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def reaction(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})


@signed_in
def attach_photos(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "home"})
