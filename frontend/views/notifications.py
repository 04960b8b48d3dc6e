"""Notifications: the list (newest first, paginated, unread ones highlighted), marking them
read, and the header's unread badge.

Marking read answers htmx with the list again and an ``sbBadge`` event (``HX-Trigger``) that
``notifications.js`` turns into ``window.sbSetBadge(count)``, so the header agrees at once.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from feed.models import Notification
from feed.selectors import notifications_of, unread_count
from feed.services import notifications_mark_read
from frontend.views.common import ago, is_htmx, page, paginate, signed_in
from socialblue.fields import id_or_none

Kind = Notification.Kind


def _entry(notification) -> dict:
    """What one notification says, where it leads, and a short quote of what it is about."""
    kind, name = notification.kind, notification.actor.display_name
    post_url = reverse("frontend:post_detail", args=[notification.post_id]) if notification.post_id else None
    comment = notification.comment
    if kind == Kind.COMMENT:
        text = _("%(name)s commented on your post") % {"name": name}
        url = f"{post_url}#comment-{comment.pk}" if comment else post_url
        quote = comment.body if comment else ""
    elif kind == Kind.REACTION:
        text = _("%(name)s liked your post") % {"name": name}
        url, quote = post_url, notification.post.body if notification.post else ""
    elif kind == Kind.MENTION:
        if comment:
            text = _("%(name)s mentioned you in a comment") % {"name": name}
            url, quote = f"{post_url}#comment-{comment.pk}", comment.body
        else:
            text = _("%(name)s mentioned you in a post") % {"name": name}
            url, quote = post_url, notification.post.body if notification.post else ""
    elif kind == Kind.CONNECTION_REQUEST:
        text = _("%(name)s wants to connect with you") % {"name": name}
        url, quote = reverse("frontend:connections"), ""
    elif kind == Kind.CONNECTION_ACCEPTED:
        text = _("%(name)s accepted your connection request") % {"name": name}
        url, quote = reverse("frontend:profile", args=[notification.actor.user.username]), ""
    else:
        text, url, quote = name, None, ""
    return {
        "id": notification.pk,
        "actor": notification.actor,
        "text": text,
        "url": url or reverse("frontend:notifications"),
        "quote": quote,
        "read": notification.read,
        "when": notification.created_at,
        "ago": ago(notification.created_at),
    }


def _list_context(request) -> dict:
    viewer = request.viewer
    queryset = notifications_of(viewer=viewer)
    page_ = paginate(request, queryset)
    entries = [_entry(n) for n in page_.object_list]
    if page_.number == 1:
        newest = entries[0]["id"] if entries else None
    else:
        newest = queryset.values_list("pk", flat=True).first()
    return {"page_obj": page_, "entries": entries, "newest": newest}


@signed_in
@require_GET
def notifications(request):
    return page(
        request,
        "frontend/notifications/notifications.html",
        _list_context(request),
        fragment="frontend/notifications/_list.html",
    )


@signed_in
@require_POST
def mark_read(request):
    """Mark the person's notifications read up to ``up_to`` (the newest they were shown), or
    all of them. Notifications that arrived after the page was shown stay unread."""
    viewer = request.viewer
    up_to = (
        id_or_none(request.POST.get("up_to"))
        or notifications_of(viewer=viewer).values_list("pk", flat=True).first()
    )
    if up_to:
        notifications_mark_read(recipient=viewer, up_to=up_to)
    if not is_htmx(request):
        messages.success(request, _("All caught up."))
        return redirect("frontend:notifications")
    response = render(request, "frontend/notifications/_list.html", _list_context(request))
    return trigger_client_event(response, "sbBadge", {"count": unread_count(viewer=viewer)})


@signed_in
@require_GET
def badge(request):
    """The header's unread badge (the same markup as in the frame), for an htmx refresh."""
    return render(request, "frontend/notifications/_badge.html")
