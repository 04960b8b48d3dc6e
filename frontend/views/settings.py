"""The settings pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def devices(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "settings"})


@signed_in
def revoke(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "settings"})


@signed_in
def export(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "settings"})
