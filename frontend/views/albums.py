"""The albums pages: my albums, an album's grid with its lightbox, uploads with a progress bar
per file, and the owner's edits (caption and alt text, order, cover, visibility, deletes).

Reads go through ``photos.selectors`` (the audience rule: an album the viewer may not see is a
404), writes through ``photos.services``. Input is parsed with the API's own serializers, so
the web pages and the API accept exactly the same things.
"""

import base64
from functools import lru_cache, wraps
from io import BytesIO

import blurhash
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from PIL import Image

from frontend.views.common import error_text, form_errors, is_htmx, page, paginate, signed_in, validated
from photos import selectors, services
from photos.models import Album, Photo
from photos.serializers import AlbumCreateSerializer, AlbumUpdateSerializer, PhotoUpdateSerializer
from profiles.audience import default_visibility, visibility_choices
from socialblue.errors import Forbidden, Invalid
from socialblue.fields import ID_MAX, INT_MAX, id_or_none, whole_number
from socialblue.images import ImageRejected
from socialblue.uploads import uploaded_files

ALBUMS_PER_PAGE = 24
# Photos on one page of an album; the next ones load as the reader scrolls to the end.
ALBUM_PAGE = 30
# The blurhash placeholder is decoded to this many pixels a side; the browser scales it up
# smoothly, and a 16×16 PNG is about half a kilobyte in the page.
PLACEHOLDER_PIXELS = 16
ALBUM_FIELDS = ("title", "description", "visibility")
PHOTO_FIELDS = ("caption", "alt_text")


# --- Small helpers ----------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def blurhash_data_uri(hash_: str) -> str:
    """A photo's blurhash as a tiny PNG ``data:`` URI (the CSP allows data: images and no
    inline styles, so the placeholder is an image, not a CSS gradient); "" if it has none."""
    if not hash_:
        return ""
    try:
        pixels = blurhash.decode(hash_, PLACEHOLDER_PIXELS, PLACEHOLDER_PIXELS)
    except (ValueError, IndexError, KeyError):
        return ""
    image = Image.new("RGB", (PLACEHOLDER_PIXELS, PLACEHOLDER_PIXELS))
    image.putdata([tuple(max(0, min(255, int(c))) for c in pixel[:3]) for row in pixels for pixel in row])
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _with_placeholders(photos):
    for photo in photos:
        if photo is not None:
            photo.placeholder = blurhash_data_uri(photo.blurhash)
    return photos


def _owner_only(view):
    """A service's "only the owner may" is a 403 page, like the API's."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(str(exc.detail)) from exc

    return wrapper


def _require_owner(request, album: Album) -> None:
    # Only decides which page to show; the services check ownership on every write.
    if album.owner_id != request.viewer.pk:
        raise PermissionDenied(_("Only the album's owner may change it."))


def _plain_error(message: str, status: int) -> HttpResponse:
    """An error for a script (htmx or the uploader): the message alone, shown as text."""
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _parsed(serializer_class, request, fields) -> dict:
    """The POSTed ``fields`` parsed with the API's serializer; raises Invalid with its errors."""
    data = {name: request.POST[name] for name in fields if name in request.POST}
    return {name: value for name, value in validated(serializer_class(data=data)).items() if name in fields}


def _album_url(album_id: int, photo_id: int | None = None) -> str:
    url = reverse("frontend:album", kwargs={"pk": album_id})
    return f"{url}#photo-{photo_id}" if photo_id else url


# --- My albums, creating and editing an album ----------------------------------------------


@signed_in
def my_albums(request):
    viewer = request.viewer
    albums = paginate(
        request, selectors.profile_albums(viewer=viewer, owner=viewer), per_page=ALBUMS_PER_PAGE
    )
    _with_placeholders([album.cover for album in albums])
    return page(request, "frontend/albums/list.html", {"albums": albums})


def _album_form(request, *, album: Album | None, values: dict, errors: dict, status: int = 200):
    context = {
        "album": album,
        "values": values,
        "errors": errors,
        "visibility_choices": visibility_choices(request.viewer),
    }
    return render(request, "frontend/albums/form.html", context, status=status)


@signed_in
def album_create(request):
    viewer = request.viewer
    if request.method != "POST":
        values = {"title": "", "description": "", "visibility": default_visibility(viewer)}
        return _album_form(request, album=None, values=values, errors={})
    values = {name: request.POST.get(name, "") for name in ALBUM_FIELDS}
    try:
        album = services.album_create(owner=viewer, **_parsed(AlbumCreateSerializer, request, ALBUM_FIELDS))
    except Invalid as exc:
        return _album_form(request, album=None, values=values, errors=form_errors(exc), status=400)
    messages.success(request, _("Album created. Add some photos to it."))
    return redirect("frontend:album", pk=album.pk)


@signed_in
@_owner_only
def album_edit(request, pk: int):
    viewer = request.viewer
    album = selectors.access_album(viewer=viewer, album_id=pk)
    _require_owner(request, album)
    if request.method != "POST":
        values = {name: getattr(album, name) for name in ALBUM_FIELDS}
        return _album_form(request, album=album, values=values, errors={})
    values = {name: request.POST.get(name, "") for name in ALBUM_FIELDS}
    try:
        services.album_update(album=album, by=viewer, **_parsed(AlbumUpdateSerializer, request, ALBUM_FIELDS))
    except Invalid as exc:
        return _album_form(request, album=album, values=values, errors=form_errors(exc), status=400)
    messages.success(request, _("Album saved."))
    return redirect("frontend:album", pk=album.pk)


@signed_in
@_owner_only
def album_delete(request, pk: int):
    viewer = request.viewer
    album = selectors.access_album(viewer=viewer, album_id=pk)
    _require_owner(request, album)
    if request.method != "POST":
        return render(request, "frontend/albums/confirm_delete.html", {"album": album, "photo": None})
    services.album_delete(album=album, by=viewer)
    messages.success(request, _("Album “%(title)s” deleted.") % {"title": album.title})
    return redirect("frontend:albums")


# --- The album page ---------------------------------------------------------------------------


def _after(request) -> tuple[int, int] | None:
    """Where a page of an album's photos starts: ``?after=<position>-<id>``, the place of the
    last photo shown (nothing: the first page). Anything else is a 400 that says so."""
    raw = request.GET.get("after", "").strip()
    if not raw:
        return None
    position, _dash, pk = raw.partition("-")
    message = _("after is the place of the last photo shown: <position>-<id>.")
    try:
        place = (
            whole_number(position, name="after", minimum=0, maximum=INT_MAX, message=message),
            whole_number(pk, name="after", minimum=0, maximum=ID_MAX, message=message),
        )
    except Invalid as exc:
        raise BadRequest(exc.text()) from exc
    if None in place:
        raise BadRequest(message)
    return place


def _album_page(request, album: Album, *, upload_error: str = "", status: int = 200):
    """The album page, a page of photos at a time; htmx asks for the next page (the photos,
    and the next "more" control out of band) as the reader scrolls, like the feed."""
    after = _after(request)
    photos, following = selectors.album_photos_page(
        album=album, viewer=request.viewer, after=after, limit=ALBUM_PAGE
    )
    context = {
        "album": album,
        "is_owner": album.owner_id == request.viewer.pk,
        "photos": _with_placeholders(photos),
        "paged": after is not None,
        "next_after": f"{following[0]}-{following[1]}" if following else "",
        # The ends of the whole album, whose move buttons go nowhere (a page's own ends may not be).
        "first_id": photos[0].pk if photos and after is None else None,
        "last_id": photos[-1].pk if photos and following is None else None,
        "upload_error": upload_error,
        "max_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        "max_bytes": settings.PHOTO_MAX_BYTES,
    }
    return page(
        request,
        "frontend/albums/album.html",
        context,
        fragment="frontend/albums/_photo_page.html",
        status=status,
    )


@signed_in
def album(request, pk: int):
    return _album_page(request, selectors.access_album(viewer=request.viewer, album_id=pk))


# --- Uploads ----------------------------------------------------------------------------------


def _rejection_message(exc: ImageRejected) -> str:
    """What a person is told about a refused file, by the checker's code."""
    limits = {
        "mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        "mp": settings.PHOTO_MAX_PIXELS // 1_000_000,
    }
    texts = {
        "too_large": _("This file is too large: a photo may be at most %(mb)d MB."),
        "unsupported_type": _("This file is not a photo we can take: use a JPEG, PNG, WebP or GIF image."),
        "too_many_pixels": _("This photo has too many pixels: at most %(mp)d megapixels."),
        "corrupt": _("This file is damaged or incomplete and cannot be read."),
        "empty": _("This file is empty."),
    }
    text = texts.get(exc.code)
    return text % limits if text else str(exc.detail)


@signed_in
@_owner_only
@require_POST
def upload(request, pk: int):
    """One or more ``image`` parts; all are checked before any is stored. The uploader script
    sends one file per request (``HX-Request``) and gets the new photos' cards back with the
    album's count, or the reason as text with the checker's status (413, 415, 400)."""
    viewer = request.viewer
    album = selectors.access_album(viewer=viewer, album_id=pk)
    try:
        photos = services.photos_upload(album=album, by=viewer, files=uploaded_files(request, "image"))
    except ImageRejected as exc:
        message, status = _rejection_message(exc), exc.status
    except Invalid as exc:
        message, status = error_text(exc), exc.status
    else:
        if is_htmx(request):
            # Read again: processing may be done already (inline tasks), and made a cover.
            album = selectors.access_album(viewer=viewer, album_id=pk)
            fresh = selectors.album_photos(album=album).filter(pk__in=[photo.pk for photo in photos])
            context = {"album": album, "is_owner": True, "photos": _with_placeholders(list(fresh))}
            return render(request, "frontend/albums/_photo_cards.html", context, status=202)
        count = len(photos)
        text = ngettext(
            "%(n)d photo uploaded. Add a caption and alt text below.",
            "%(n)d photos uploaded. Add captions and alt text below.",
            count,
        )
        messages.success(request, text % {"n": count})
        return redirect("frontend:album", pk=album.pk)
    if is_htmx(request):
        return _plain_error(message, status)
    return _album_page(request, album, upload_error=message, status=status)


# --- Order and cover --------------------------------------------------------------------------


def _new_order(request, album: Album) -> tuple[list[int], int | None]:
    """The whole order to store, from what was asked: ``order``, the photos the script has
    shown (the album pages its photos, so it may not have them all), which take the places
    those photos held while the others stay where they are; or one ``photo`` moved one place
    ``earlier`` or ``later`` (the buttons without a script)."""
    ids = list(selectors.album_photos(album=album).values_list("pk", flat=True))
    if "order" in request.POST:
        order = [id_or_none(value) for value in request.POST.getlist("order")]
        if None in order:
            raise Invalid({"photo_order": [_("The order lists photo ids.")]})
        given = set(order)
        if len(given) != len(order) or not given <= set(ids):
            return order, None  # the service refuses it, with its reason
        places = iter(order)
        return [next(places) if pk in given else pk for pk in ids], None
    try:
        moved = int(request.POST.get("photo", ""))
        index = ids.index(moved)
    except ValueError:
        raise Invalid({"photo": [_("Choose a photo of this album to move.")]}) from None
    step = -1 if request.POST.get("direction") == "earlier" else 1
    target = index + step
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids, moved


@signed_in
@_owner_only
@require_POST
def reorder(request, pk: int):
    viewer = request.viewer
    album = selectors.access_album(viewer=viewer, album_id=pk)
    _require_owner(request, album)
    try:
        order, moved = _new_order(request, album)
        services.album_update(album=album, by=viewer, photo_order=order)
    except Invalid as exc:
        if is_htmx(request):
            return _plain_error(error_text(exc), exc.status)
        messages.error(request, error_text(exc))
        return redirect("frontend:album", pk=album.pk)
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect(_album_url(album.pk, moved))


@signed_in
@_owner_only
@require_POST
def photo_cover(request, pk: int):
    viewer = request.viewer
    photo = selectors.access_photo(viewer=viewer, photo_id=pk)
    previous = photo.album.cover_id
    try:
        album = services.album_update(album=photo.album, by=viewer, cover=photo.pk)
    except Invalid as exc:
        if is_htmx(request):
            return _plain_error(error_text(exc), exc.status)
        messages.error(request, error_text(exc))
        return redirect(_album_url(photo.album_id, photo.pk))
    if is_htmx(request):
        # The previous cover was a ready photo; its control needs no more than its id.
        was = {"pk": previous, "status": Photo.Status.READY} if previous and previous != photo.pk else None
        context = {"album": album, "photo": photo, "previous": was}
        return render(request, "frontend/albums/_cover_swap.html", context)
    messages.success(request, _("Cover photo changed."))
    return redirect(_album_url(album.pk, photo.pk))


# --- One photo: its card, caption and alt text, delete ----------------------------------------


@signed_in
def photo_card(request, pk: int):
    """The live part of a photo's card (its picture, or its processing or failed state), polled
    while it is processing; the owner's cover control and the album's count (a photo counts
    once it is ready) come along out of band. The caption form is left alone, so what the
    owner is typing survives the refresh."""
    photo = selectors.access_photo(viewer=request.viewer, photo_id=pk)
    album = photo.album
    context = {
        "album": album,
        "photo": _with_placeholders([photo])[0],
        "is_owner": album.owner_id == request.viewer.pk,
    }
    return render(request, "frontend/albums/_photo_live.html", context)


@signed_in
@_owner_only
def photo_edit(request, pk: int):
    viewer = request.viewer
    photo = selectors.access_photo(viewer=viewer, photo_id=pk)
    album = photo.album
    _require_owner(request, album)
    context = {"album": album, "photo": _with_placeholders([photo])[0], "is_owner": True, "errors": {}}
    if request.method != "POST":
        return render(request, "frontend/albums/photo_edit.html", context)
    try:
        photo = services.photo_update(
            photo=photo, by=viewer, **_parsed(PhotoUpdateSerializer, request, PHOTO_FIELDS)
        )
    except Invalid as exc:
        for name in PHOTO_FIELDS:
            if name in request.POST:
                setattr(photo, name, request.POST[name])
        context["errors"] = form_errors(exc)
        if is_htmx(request):
            return render(request, "frontend/albums/_photo_form.html", context, status=400)
        return render(request, "frontend/albums/photo_edit.html", context, status=400)
    if is_htmx(request):
        context["saved"] = True
        return render(request, "frontend/albums/_photo_saved.html", context)
    messages.success(request, _("Photo saved."))
    return redirect(_album_url(album.pk, photo.pk))


@signed_in
@_owner_only
def photo_delete(request, pk: int):
    viewer = request.viewer
    photo = selectors.access_photo(viewer=viewer, photo_id=pk)
    album = photo.album
    _require_owner(request, album)
    if request.method != "POST":
        context = {"album": album, "photo": _with_placeholders([photo])[0]}
        return render(request, "frontend/albums/confirm_delete.html", context)
    services.photo_delete(photo=photo, by=viewer)
    if is_htmx(request):
        # The album's count, for the page to show the one left.
        fresh = selectors.access_album(viewer=viewer, album_id=album.pk)
        return render(request, "frontend/albums/_album_count.html", {"album": fresh})
    messages.success(request, _("Photo deleted."))
    return redirect("frontend:album", pk=album.pk)
