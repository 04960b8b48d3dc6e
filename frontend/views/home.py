"""The home page: the composer, the feed (infinite scroll, live new items), comments and
reactions inline, and photos attached to a post.

Reads go through ``feed.selectors`` and ``feed.rendering.render_items`` (the same dicts as the
API); writes through ``feed.services`` and ``photos.services``.

Photos on a post: the person picks images and they are uploaded at once (with a progress bar)
into an album of theirs, "Photos from my posts", one per visibility. A post's photos are shown
to those who may see their album (the post's audience never widens it), so the album is made
exactly as wide as the post: the composer uploads with the visibility chosen at that moment
and locks the picker while photos are attached. The Post button waits until every photo is
processed; a photo that fails shows why and is left out. The service stays strict: a photo
still processing is refused with an error next to the photos.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from alumni.selectors import former_colleagues
from feed import registry
from feed import selectors as feed_selectors
from feed import services as feed_services
from feed.models import COMMENT_MAX_CHARS, POST_MAX_CHARS
from feed.rendering import render_items
from feed.text import render_html
from frontend.views.common import ago, error_text, form_errors, is_htmx, next_url, page, signed_in
from photos import selectors as photo_selectors
from photos import services as photo_services
from profiles.audience import default_visibility, visibility_choices
from profiles.selectors import connection_requests
from socialblue.errors import Invalid, NotFound, ServiceError
from socialblue.fields import id_or_none
from socialblue.images import ImageRejected
from socialblue.uploads import uploaded_files

FEED_PAGE = 20
# What "N new posts" inserts at most; past that the reader is asked to reload.
FEED_NEW_MAX = 50
COMMENTS_PAGE = 20
SIDEBAR_COLLEAGUES = 5

# One album per visibility holds the photos a person attached to posts (see the module doc).


def _when(value):
    return parse_datetime(value) if isinstance(value, str) else value


def _prepare(items: list[dict], viewer) -> list[dict]:
    """Rendered feed items, with what the templates need beside the API's fields: datetimes,
    and whether a post is the viewer's own."""
    me = viewer.user.username
    for item in items:
        item["when"] = _when(item.get("created_at"))
        item["ago"] = ago(item["when"])
        post = item.get("object", {}).get("post")
        if post is not None:
            post["id"] = item["object"]["id"]
            _prepare_post(post, me)
    return items


def _prepare_post(post: dict, me: str) -> dict:
    post["when"] = _when(post.get("created_at"))
    post["ago"] = ago(post["when"])
    post["edited"] = bool(post.get("edited_at"))
    post["mine"] = post["author"]["username"] == me
    post["liked"] = post.get("my_reaction") is not None
    return post


def _post_item(post, viewer) -> dict:
    """A post the viewer may see, as a ``posted`` feed item (for a post not reached through the
    feed: the one just written, or a post's own page)."""
    rendered = registry.object_type("post").render([post], {"viewer": viewer, "request": None})[0]["post"]
    rendered["id"] = post.pk
    _prepare_post(rendered, viewer.user.username)
    return {
        "id": None,
        "verb": feed_services.POST_VERB,
        "actor": rendered["author"],
        "object": {"type": "post", "id": post.pk, "post": rendered},
        "when": rendered["when"],
        "ago": rendered["ago"],
    }


# --- Page parts -----------------------------------------------------------------------------


def _composer(viewer, *, body: str = "", visibility: str = "", errors=None, photos=()) -> dict:
    choices = visibility_choices(viewer)
    chosen = visibility if visibility in {c.value for c in choices} else None
    return {
        "body": body,
        "visibility": chosen or default_visibility(viewer),
        "choices": choices,
        "errors": errors or {},
        "max_chars": POST_MAX_CHARS,
        "max_photos": feed_services.MAX_ATTACHMENTS,
        "photos": list(photos),
    }


def _sidebar(viewer) -> dict:
    """A few cheap things beside the feed: for an alumnus the alumni network, for an employee
    their card and their pending connection requests (one query each)."""
    if viewer.is_alumnus:
        colleagues = former_colleagues(viewer=viewer)
        return {"colleagues": colleagues[:SIDEBAR_COLLEAGUES], "more_colleagues": len(colleagues)}
    return {"pending_requests": connection_requests(profile=viewer, box="incoming").count()}


def _feed_page(viewer, cursor: int | None) -> dict:
    page_ = feed_selectors.feed_home_page(viewer=viewer, cursor=cursor, limit=FEED_PAGE)
    items = _prepare(render_items(page_.items, viewer=viewer), viewer)
    return {"items": items, "next_cursor": page_.next_cursor, "cursor": cursor}


def _home_context(request, *, cursor: int | None = None, composer: dict | None = None) -> dict:
    viewer = request.viewer
    feed = _feed_page(viewer, cursor)
    newest = max((item["id"] for item in feed["items"]), default=None) if cursor is None else None
    return {
        **feed,
        "newest": newest,
        "composer": composer or _composer(viewer),
        "sidebar": _sidebar(viewer),
        "is_alumnus": viewer.is_alumnus,
    }


# --- The home page and the feed -------------------------------------------------------------


@signed_in
@require_GET
def home(request):
    """The composer and the first page of the feed (``?cursor=`` pages further without
    script: the "Load more" link)."""
    cursor = id_or_none(request.GET.get("cursor"))
    return render(request, "frontend/home/home.html", _home_context(request, cursor=cursor))


@signed_in
@require_GET
def feed_more(request):
    """The next page of the feed, older than ``cursor``, and the sentinel for the one after."""
    raw = request.GET.get("cursor", "")
    cursor = id_or_none(raw)
    if cursor is None:
        return HttpResponseBadRequest(_("A cursor is the id of the last item seen."))
    if not is_htmx(request):
        return redirect(f"{reverse('frontend:home')}?cursor={cursor}")
    return render(request, "frontend/home/_feed_page.html", _feed_page(request.viewer, cursor))


@signed_in
@require_GET
def feed_new(request):
    """What entered the feed after activity ``after``, newest first (the "N new posts"
    button)."""
    after = id_or_none(request.GET.get("after"))
    if after is None:
        return HttpResponseBadRequest(_("Say after which item: ?after=<id>."))
    if not is_htmx(request):
        return redirect("frontend:home")
    viewer = request.viewer
    items = feed_selectors.feed_since(viewer=viewer, after=after, limit=FEED_NEW_MAX)
    rendered = _prepare(render_items(list(reversed(items)), viewer=viewer), viewer)
    return render(
        request,
        "frontend/home/_feed_new.html",
        {"items": rendered, "truncated": len(items) >= FEED_NEW_MAX},
    )


# --- Posts ----------------------------------------------------------------------------------


def _photo_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        pk = id_or_none(value)
        if pk is None:
            raise Invalid({"photos": [_("Photos are given by their ids.")]})
        ids.append(pk)
    return list(dict.fromkeys(ids))


def _alt_texts(request, ids: list[int]) -> dict[int, str]:
    """The alt text the person wrote for each attached photo (asked for in the composer)."""
    return {pk: request.POST[f"alt_{pk}"] for pk in ids if request.POST.get(f"alt_{pk}", "").strip()}


@signed_in
@require_POST
def post_create(request):
    """Post from the composer. With htmx: a fresh composer, and the new post put at the top
    of the feed; the errors next to their fields otherwise."""
    viewer = request.viewer
    body = request.POST.get("body", "")
    visibility = request.POST.get("visibility", "")
    photo_values = request.POST.getlist("photos")
    alt_texts: dict[int, str] = {}
    try:
        ids = _photo_ids(photo_values)
        alt_texts = _alt_texts(request, ids)
        post = feed_services.post_create(
            author=viewer,
            body=body,
            visibility=visibility or None,
            attachments={"photos": ids},
            descriptions={"photos": alt_texts},
        )
    except ServiceError as exc:
        errors = form_errors(exc)
        attached = _attached_photos(viewer, photo_values, alt_texts)
        composer = _composer(viewer, body=body, visibility=visibility, errors=errors, photos=attached)
        if is_htmx(request):
            # htmx leaves 4xx answers unswapped: the form with its errors is a 200.
            return render(request, "frontend/home/_composer.html", {"composer": composer})
        context = _home_context(request, composer=composer)
        return render(request, "frontend/home/home.html", context, status=400)
    if not is_htmx(request):
        messages.success(request, _("Your post is up."))
        return redirect("frontend:home")
    item = _post_item(feed_selectors.access_post(viewer=viewer, post_id=post.pk), viewer)
    response = render(
        request, "frontend/home/_posted.html", {"composer": _composer(viewer), "item": item, "fresh": True}
    )
    return trigger_client_event(response, "sbToast", {"value": _("Your post is up.")})


def _attached_photos(viewer, values: list[str], alt_texts: dict[int, str]) -> list:
    """The photos a composer carried, to show them again beside an error, with the alt texts
    typed for them (not stored: the post was not made)."""
    ids = [pk for pk in (id_or_none(v) for v in values) if pk][: feed_services.MAX_ATTACHMENTS]
    photos = []
    for pk in ids:
        try:
            photo = photo_selectors.access_photo(viewer=viewer, photo_id=pk)
        except NotFound:
            continue
        if photo.uploader_id == viewer.pk:
            photo.alt_text = alt_texts.get(pk, photo.alt_text)
            photos.append(photo)
    return photos


@signed_in
@require_GET
def post_detail(request, pk: int):
    """One post with its comments open (where a notification leads)."""
    viewer = request.viewer
    post = feed_selectors.access_post(viewer=viewer, post_id=pk)
    context = {"item": _post_item(post, viewer), "open": True, **_comments_context(request, post)}
    return page(request, "frontend/home/post.html", context)


@signed_in
@require_POST
def post_delete(request, pk: int):
    viewer = request.viewer
    post = feed_selectors.access_post(viewer=viewer, post_id=pk)
    try:
        feed_services.post_delete(post=post, by=viewer)
    except ServiceError as exc:
        text = error_text(exc)
        if is_htmx(request):
            return trigger_client_event(HttpResponse(status=exc.status), "sbToast", {"value": text})
        messages.error(request, text)
        return redirect("frontend:post_detail", pk=pk)
    if is_htmx(request) and request.POST.get("after") == "home":
        # Deleted from its own page: nothing is left to show there.
        messages.success(request, _("Post deleted."))
        return HttpResponseClientRedirect(reverse("frontend:home"))
    if is_htmx(request):
        # The item is swapped for nothing: it leaves the page.
        return trigger_client_event(HttpResponse(""), "sbToast", {"value": _("Post deleted.")})
    messages.success(request, _("Post deleted."))
    return redirect("frontend:home")


# --- Comments and reactions -----------------------------------------------------------------


def _comments_context(request, post, *, errors=None, body: str = "") -> dict:
    """The latest page of a post's comments (oldest first within it), or ``?page=``: the
    thread reads top to bottom and a new comment shows at once, at the end."""
    paginator = Paginator(feed_selectors.post_comments(post=post), COMMENTS_PAGE)
    number = id_or_none(request.GET.get("page")) or paginator.num_pages
    page_ = paginator.page(min(number, paginator.num_pages))
    viewer = request.viewer
    comments = [
        {
            "id": c.pk,
            "author": c.author,
            "html": render_html(c.body),
            "when": c.created_at,
            "ago": ago(c.created_at),
            "deletable": viewer.pk in (c.author_id, post.author_id),
        }
        for c in page_.object_list
    ]
    return {
        "post_id": post.pk,
        "comments": comments,
        "comments_page": page_,
        "comment_count": paginator.count,
        "comment_errors": errors or {},
        "comment_body": body,
        "comment_max_chars": COMMENT_MAX_CHARS,
    }


@signed_in
@require_http_methods(["GET", "POST"])
def comments(request, pk: int):
    """GET: a post's comments (``?page=`` for earlier ones). POST: add a comment (``body``)
    or delete one (``delete=<comment id>``); the thread comes back with the count."""
    viewer = request.viewer
    post = feed_selectors.access_post(viewer=viewer, post_id=pk)
    if request.method == "GET":
        context = _comments_context(request, post)
        if id_or_none(request.GET.get("page")):
            return render(request, "frontend/home/_comment_page.html", context)
        if not is_htmx(request):
            return redirect("frontend:post_detail", pk=pk)
        return render(request, "frontend/home/_comments.html", context)
    errors, body = None, ""
    delete = id_or_none(request.POST.get("delete"))
    try:
        if delete:
            comment = feed_selectors.access_comment(viewer=viewer, comment_id=delete)
            if comment.post_id != post.pk:
                raise NotFound("No such comment.")
            feed_services.comment_delete(comment=comment, by=viewer)
        else:
            body = request.POST.get("body", "")
            feed_services.comment_create(post=post, author=viewer, body=body)
            body = ""
    except NotFound:
        raise
    except ServiceError as exc:
        errors = form_errors(exc)
    if not is_htmx(request):
        if errors:
            for messages_ in errors.values():
                for message in messages_:
                    messages.error(request, message)
        return redirect("frontend:post_detail", pk=pk)
    context = {**_comments_context(request, post, errors=errors, body=body), "oob_count": True}
    return render(request, "frontend/home/_comments.html", context)


@signed_in
@require_POST
def reaction(request, pk: int):
    """Like (``action=like``) or take the like back (``action=unlike``); the button comes
    back with the count."""
    viewer = request.viewer
    post = feed_selectors.access_post(viewer=viewer, post_id=pk)
    if request.POST.get("action") == "unlike":
        feed_services.reaction_remove(post=post, person=viewer)
    else:
        feed_services.reaction_set(post=post, person=viewer)
    if not is_htmx(request):
        return redirect(next_url(request, reverse("frontend:post_detail", args=[pk])))
    post = feed_selectors.access_post(viewer=viewer, post_id=pk)
    state = {
        "id": post.pk,
        "liked": post.my_reaction_kind is not None,
        "reaction_count": post.reaction_count,
    }
    return render(request, "frontend/home/_reaction.html", {"post": state})


# --- Photos for a post ----------------------------------------------------------------------


def _attach_error(request, message: str, status: int) -> HttpResponse:
    return render(request, "frontend/home/_attach_error.html", {"message": message}, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def attach_photos(request):
    """POST (multipart ``image`` parts and the composer's ``visibility``): upload photos for a
    post; 202 with the photos as composer chips (``data-photo-id``, ``data-status``). GET
    ``?album=<id>&ids=<id>&ids=...``: those photos again, to follow their processing."""
    viewer = request.viewer
    if request.method == "GET":
        album = photo_selectors.access_album(
            viewer=viewer, album_id=id_or_none(request.GET.get("album")) or 0
        )
        if album.owner_id != viewer.pk:
            raise NotFound("No such album.")
        ids = [pk for pk in (id_or_none(v) for v in request.GET.getlist("ids")) if pk]
        photos = photo_selectors.album_photos(album=album).filter(pk__in=ids[: feed_services.MAX_ATTACHMENTS])
        return render(request, "frontend/home/_attached.html", {"photos": photos})
    visibility = request.POST.get("visibility") or default_visibility(viewer)
    try:
        files = uploaded_files(request, "image")
        album = photo_services.post_photos_album(owner=viewer, visibility=visibility)
        photos = photo_services.photos_upload(album=album, by=viewer, files=files, announce=False)
    except ImageRejected as exc:
        return _attach_error(request, exc.detail, exc.status)
    except ServiceError as exc:
        return _attach_error(request, exc.text(), exc.status)
    return render(request, "frontend/home/_attached.html", {"photos": photos}, status=202)
