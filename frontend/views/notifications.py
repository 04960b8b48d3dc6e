"""The notifications pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def notifications(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "notifications"})


@signed_in
def mark_read(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "notifications"})


@signed_in
def badge(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "notifications"})
