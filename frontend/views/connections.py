"""The connections pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def connections(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "connections"})


@signed_in
def respond(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "connections"})
