"""The hr pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def people(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "hr"})


@signed_in
def offboard(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "hr"})


@signed_in
def rehire(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "hr"})
