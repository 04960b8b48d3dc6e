"""The albums pages (being built)."""

from frontend.views.common import page, signed_in


@signed_in
def my_albums(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def album_create(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def album(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def album_edit(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def album_delete(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def upload(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def reorder(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def photo_edit(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def photo_card(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def photo_cover(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})


@signed_in
def photo_delete(request, *args, **kwargs):
    return page(request, "frontend/placeholder.html", {"title": "albums"})
