"""The people pages: the directory, a person's profile (with the follow and connect buttons),
and editing my own profile and avatar.

Reads go through ``profiles.selectors`` (and the feed's and photos' selectors for a profile's
posts and albums), writes through ``profiles.services``; the audience rule decides who sees
the internal fields."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feed.selectors import profile_posts
from frontend.views.common import (
    actions_response,
    error_text,
    form_errors,
    here,
    is_htmx,
    page,
    paginate,
    signed_in,
    standings,
    validated,
)
from photos.selectors import profile_albums
from profiles import selectors, services
from profiles.audience import sees_internal_fields
from profiles.models import Profile, ProfileStatus
from profiles.serializers import ProfileUpdateSerializer
from socialblue.errors import Invalid, ServiceError
from socialblue.images import ImageRejected

# What the directory's form sends, and the selector's name for each.
DIRECTORY_FILTERS = {
    "q": "q",
    "department": "department",
    "office": "location",
    "skill": "skill",
    "status": "status",
}
INTERNAL_FILTERS = ("department", "office")
TAB_PAGE_SIZE = {"posts": 10, "albums": 12, "connections": 24}
CONNECTIONS_PREVIEW = 6


# --- The directory ----------------------------------------------------------------------------


@signed_in
def directory(request):
    viewer = request.viewer
    internal = sees_internal_fields(viewer)
    query = {name: request.GET.get(name, "").strip()[:200] for name in DIRECTORY_FILTERS}
    notice = ""
    if not internal and any(query[name] for name in INTERNAL_FILTERS):
        # Alumni do not see where people sit; their search runs without those filters.
        notice = _("Filtering by department or office is available to employees only.")
        for name in INTERNAL_FILTERS:
            query[name] = ""
    errors: dict[str, list[str]] = {}
    try:
        people = selectors.profile_search(
            viewer=viewer, **{DIRECTORY_FILTERS[name]: value for name, value in query.items()}
        )
    except Invalid as exc:
        errors = form_errors(exc)
        if "location" in errors:
            errors["office"] = errors.pop("location")
        people = []
    results = paginate(request, people)
    context = {
        "query": query,
        "filtered": any(query.values()),
        "internal": internal,
        "notice": notice,
        "errors": errors,
        "results": results,
        "oob_count": is_htmx(request),
        "back": here(request),
        "cards": standings(viewer, results.object_list),
        "departments": selectors.departments() if internal else [],
        "offices": selectors.offices() if internal else [],
        "statuses": ProfileStatus.choices,
        "page_query": urlencode({k: v for k, v in query.items() if v}),
    }
    return page(
        request,
        "frontend/people/directory.html",
        context,
        fragment="frontend/people/_results.html",
    )


# --- A profile ------------------------------------------------------------------------------


@signed_in
def profile(request, username: str):
    viewer = request.viewer
    person = selectors.profile_get(username=username)
    # The same rule as the API's list of a person's connections.
    shows_connections = selectors.sees_connections_of(viewer=viewer, person=person)
    tabs = [("posts", _("Posts")), ("albums", _("Albums"))]
    if shows_connections:
        tabs.append(("connections", _("Connections")))
    tab = request.GET.get("tab") or "posts"
    if tab not in dict(tabs):
        tab = "posts"
    if tab == "posts":
        items = profile_posts(viewer=viewer, author=person)
    elif tab == "albums":
        items = profile_albums(viewer=viewer, owner=person)
    else:
        items = selectors.connections_seen_by(viewer=viewer, person=person)
    context = {
        "person": person,
        "standing": standings(viewer, [person])[0],
        "internal": sees_internal_fields(viewer),
        "tab": tab,
        "back": here(request),
        "tabs": tabs,
        "items": paginate(request, items, per_page=TAB_PAGE_SIZE[tab]),
        "connections_preview": (
            list(selectors.connections_seen_by(viewer=viewer, person=person)[:CONNECTIONS_PREVIEW])
            if shows_connections and person.connection_count and tab != "connections"
            else []
        ),
    }
    return page(request, "frontend/people/profile.html", context, fragment="frontend/people/_tab.html")


@require_POST
@signed_in
def follow(request, username: str):
    """Follow or unfollow (``action``); without one, the button toggles."""
    person = selectors.profile_get(username=username)
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        following = (
            person.pk in selectors.relations_to(viewer=request.viewer, profile_ids=[person.pk]).following
        )
        action = "unfollow" if following else "follow"
    try:
        if action == "follow":
            services.follow(follower=request.viewer, followee=person)
            done = _("You follow %(name)s.") % {"name": person.display_name}
        else:
            services.unfollow(follower=request.viewer, followee=person)
            done = _("You no longer follow %(name)s.") % {"name": person.display_name}
    except ServiceError as exc:
        return actions_response(request, person, error=error_text(exc))
    return actions_response(request, person, done=done)


@require_POST
@signed_in
def connect(request, username: str):
    person = selectors.profile_get(username=username)
    try:
        connection_request, _created = services.connection_request_send(
            sender=request.viewer, receiver=person, message=request.POST.get("message", "")[:300]
        )
    except ServiceError as exc:
        return actions_response(request, person, error=error_text(exc))
    if connection_request.sender_id != request.viewer.pk:
        # They had asked first: asking back accepted their request.
        done = _("You and %(name)s are connected.") % {"name": person.display_name}
    else:
        done = _("Request sent to %(name)s.") % {"name": person.display_name}
    return actions_response(request, person, done=done)


# --- My profile -----------------------------------------------------------------------------

EDITABLE = ("display_name", "headline", "bio", "pronouns", "location")


def _edit_page(request, me: Profile, *, values: dict, errors: dict, avatar_errors=(), status=200):
    context = {
        "me": me,
        "values": values,
        "errors": errors,
        "avatar_errors": list(avatar_errors),
        "avatar_max_mb": settings.AVATAR_MAX_BYTES // (1024 * 1024),
    }
    return page(request, "frontend/people/edit.html", context, status=status)


def _current_values(me: Profile) -> dict:
    values = {name: getattr(me, name) for name in EDITABLE}
    values["skills"] = ", ".join(s.name for s in me.skills.all())
    return values


@signed_in
def profile_edit(request):
    me = selectors.profile_get(username=request.viewer.username)
    if request.method != "POST":
        return _edit_page(request, me, values=_current_values(me), errors={})
    values = {name: request.POST.get(name, "") for name in (*EDITABLE, "skills")}
    skills = [s.strip() for s in values["skills"].split(",") if s.strip()]
    data = ProfileUpdateSerializer(data={**{n: values[n] for n in EDITABLE}, "skills": skills})
    try:
        services.profile_update(profile=me, **validated(data))
    except ServiceError as exc:
        return _edit_page(request, me, values=values, errors=form_errors(exc), status=exc.status)
    messages.success(request, _("Your profile is saved."))
    return redirect("frontend:profile", me.username)


@signed_in
def avatar(request):
    """Upload (``image``) or remove (``remove``) my avatar; the image is checked by content."""
    if request.method != "POST":
        return redirect("frontend:profile_edit")
    me = request.viewer
    if request.POST.get("remove"):
        services.profile_remove_avatar(profile=me)
        messages.success(request, _("Your photo is removed."))
        return redirect("frontend:profile_edit")
    status, error = 200, ""
    upload = request.FILES.get("image")
    if getattr(request, "upload_too_large", False):
        limit = settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)
        status, error = 413, _("That file is too large: the limit is %(n)d MB.") % {"n": limit}
    elif upload is None:
        status, error = 400, _("Choose an image to upload.")
    else:
        try:
            services.profile_set_avatar(profile=me, upload=upload)
        except ImageRejected as exc:
            status, error = exc.status, _avatar_message(exc)
    if error:
        me = selectors.profile_get(username=me.username)
        return _edit_page(
            request, me, values=_current_values(me), errors={}, avatar_errors=[error], status=status
        )
    messages.success(request, _("Your new photo is in place."))
    return redirect("frontend:profile_edit")


def _avatar_message(exc: ImageRejected) -> str:
    if exc.status == 415:
        return _("That file is not a picture we can use. Choose a JPEG, PNG, WebP or GIF image.")
    if exc.status == 413:
        limit = settings.AVATAR_MAX_BYTES // (1024 * 1024)
        return _("That picture is too large: the limit is %(n)d MB.") % {"n": limit}
    return _("That picture could not be used: %(reason)s Try another one.") % {"reason": exc.detail}
