"""Every write of the feed: posts, comments, reactions, activities, notifications.

Each service writes in one transaction and schedules what follows (fan-out, timeline
clean-up, live events) with ``transaction.on_commit``, so nothing is sent for a write that
rolled back.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from feed import registry
from feed.models import (
    COMMENT_MAX_CHARS,
    POST_MAX_CHARS,
    Activity,
    Comment,
    Notification,
    Post,
    Reach,
    Reaction,
)
from feed.text import mentioned_usernames
from profiles.audience import audience_within, default_visibility, visibility_check
from profiles.models import Profile
from socialblue.errors import Forbidden, Invalid

POST_VERB = "posted"
MAX_ATTACHMENTS = 10


def _clean_body(body: str, *, limit: int, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid({field: [_("Write something first.")]})
    if len(body) > limit:
        raise Invalid({field: [_("At most %(n)d characters.") % {"n": limit}]})
    return body


def _schedule(task, *args) -> None:
    # Robust: once the transaction has committed, a broker outage must not turn the request
    # into a 500 (the write is stored; the client would retry and write it twice). What was
    # not queued is caught up: stalled fan-outs are re-driven, and the read path filters
    # removed or hidden items anyway.
    transaction.on_commit(lambda: task.delay(*args), robust=True)


# --- Activities (also used by other apps) ---------------------------------------------------


def activity_publish(
    *,
    actor: Profile,
    verb: str,
    object_type: str,
    object_id: int,
    visibility: str,
    reach: str = Reach.FOLLOWERS,
) -> Activity:
    """Record that something happened and fan it out once the transaction commits: to the
    actor's followers who may see it, or with ``reach`` "connections" only to those of them
    who are the actor's connections."""
    from feed import tasks

    activity = Activity.objects.create(
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        visibility=visibility,
        reach=reach,
    )
    _schedule(tasks.fan_out, activity.pk)
    return activity


def activity_update(*, activity: Activity, visibility: str | None = None) -> Activity:
    """Touch an activity (an aggregated one grew) or change who may see it; timelines follow
    once the transaction commits."""
    from feed import tasks

    changed = visibility is not None and visibility != activity.visibility
    if changed:
        activity.visibility = visibility
    activity.updated_at = timezone.now()
    activity.version = F("version") + 1
    activity.save(update_fields=["visibility", "updated_at", "version"])
    activity.refresh_from_db(fields=["version"])
    if changed:
        _schedule(tasks.refan, activity.pk)
    return activity


def activities_changed(*, object_type: str, object_ids: Iterable[int]) -> None:
    """What some objects show changed (a post edited, a photo it carries captioned, ready or
    gone): their activities get a new version, so no cached render of the old one is served."""
    ids = list(object_ids)
    if ids:
        Activity.objects.filter(object_type=object_type, object_id__in=ids).update(version=F("version") + 1)


def activities_remove(*, object_type: str, object_ids: Iterable[int]) -> list[int]:
    """Remove the activities about some objects from every feed."""
    ids = Activity.objects.filter(object_type=object_type, object_id__in=list(object_ids)).values_list(
        "pk", flat=True
    )
    return activities_remove_by_id(activity_ids=list(ids))


def activities_remove_by_id(*, activity_ids: Iterable[int]) -> list[int]:
    """Remove activities from every feed. The rows stay as tombstones, so a fan-out that runs
    late can see it must not write them."""
    from feed import tasks

    ids = list(
        Activity.objects.filter(pk__in=list(activity_ids), removed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if ids:
        Activity.objects.filter(pk__in=ids).update(removed_at=timezone.now())
        for activity_id in ids:
            _schedule(tasks.remove_activity, activity_id)
    return ids


def audience_changed(*, profile: Profile) -> None:
    """A person's status changed (they left the company or came back): once the transaction
    commits, their timeline is built again for what they may see now. The read path filters
    by the status at read time meanwhile."""
    from feed import tasks

    _schedule(tasks.reset_timeline, profile.pk)


def sockets_close(*, profile: Profile, reason: str = "session.revoked") -> None:
    """Once the transaction commits, close every open live socket of this person; a socket
    that reconnects must authenticate again. ``reason`` is the control event they get:
    ``session.revoked`` (4403: their access narrowed, they left) or ``credential.revoked``
    (4401: every credential of theirs ended, e.g. a new password)."""
    from feed import live

    transaction.on_commit(lambda: live.push_control(profile.pk, {"type": reason}), robust=True)


def credential_sockets_close(*, group: str) -> None:
    """Once the transaction commits, close the open live sockets of one credential (a token
    revoked or expired, a browser signed out): ``group`` is the credential's group
    (``socialblue.ws_auth.token_group`` / ``session_group``). The person's other devices
    keep theirs."""
    from feed import live

    transaction.on_commit(lambda: live.close_credential(group), robust=True)


# --- Posts ----------------------------------------------------------------------------------


def post_create(
    *,
    author: Profile,
    body: str,
    visibility: str | None = None,
    attachments: dict[str, list[int]] | None = None,
    descriptions: dict[str, dict[int, str]] | None = None,
) -> Post:
    """A status update, its ``posted`` activity, and notifications for people mentioned.

    ``attachments`` maps a registered attachment field (``photos``) to ids the author owns;
    ``descriptions`` maps a field to what the author wrote about some of those ids (a photo's
    alt text). Everything is written in one transaction: a post refused changes nothing.
    """
    body = _clean_body(body, limit=POST_MAX_CHARS)
    visibility = visibility_check(author, visibility or default_visibility(author))
    attachments = {field: list(dict.fromkeys(ids)) for field, ids in (attachments or {}).items() if ids}
    for field, ids in attachments.items():
        handler = registry.post_attachments(field)
        if handler is None:
            raise Invalid({field: [_("Posts cannot carry %(f)s.") % {"f": field}]})
        if len(ids) > MAX_ATTACHMENTS:
            raise Invalid({field: [_("At most %(n)d per post.") % {"n": MAX_ATTACHMENTS}]})
        handler.validate(author, ids, visibility)
    with transaction.atomic():
        post = Post.objects.create(author=author, body=body, visibility=visibility)
        for field, ids in attachments.items():
            registry.post_attachments(field).attach(post, ids, (descriptions or {}).get(field, {}))
        activity_publish(
            actor=author, verb=POST_VERB, object_type="post", object_id=post.pk, visibility=visibility
        )
        _notify_mentions(actor=author, post=post, text=body)
    return post


def _require_author(post: Post, by: Profile) -> None:
    if post.author_id != by.pk:
        raise Forbidden(_("Only the author may change this post."))


def post_update(*, post: Post, by: Profile, body: str | None = None, visibility: str | None = None) -> Post:
    """The author edits the text or changes who may see the post."""
    _require_author(post, by)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        fields = []
        if body is not None:
            post.body = _clean_body(body, limit=POST_MAX_CHARS)
            post.edited_at = timezone.now()
            fields += ["body", "edited_at"]
        if visibility is not None and visibility != post.visibility:
            visibility = visibility_check(by, visibility)
            if not audience_within(visibility, post.visibility):
                # Wider than before: what the post carries must reach the new audience too.
                for handler in registry.all_post_attachments():
                    handler.validate_visibility(post, visibility)
            post.visibility = visibility
            fields.append("visibility")
            for activity in Activity.objects.filter(
                object_type="post", object_id=post.pk, removed_at__isnull=True
            ):
                activity_update(activity=activity, visibility=post.visibility)
        if fields:
            post.save(update_fields=fields)
            activities_changed(object_type="post", object_ids=[post.pk])
    return post


def post_delete(*, post: Post, by: Profile) -> None:
    """The author deletes a post: it leaves every feed, and what was uploaded only to be
    carried by it (the photos in "Photos from my posts") goes with it."""
    _require_author(post, by)
    with transaction.atomic():
        activities_remove(object_type="post", object_ids=[post.pk])
        for handler in registry.all_post_attachments():
            handler.forget(post)
        post.delete()


# --- Comments and reactions -----------------------------------------------------------------


def comment_create(*, post: Post, author: Profile, body: str) -> Comment:
    """Comment on a post the author may see (the caller checked with ``access_post``)."""
    body = _clean_body(body, limit=COMMENT_MAX_CHARS)
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=author, body=body)
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        if post.author_id != author.pk:
            notify(
                recipient_id=post.author_id,
                actor=author,
                kind=Notification.Kind.COMMENT,
                post=post,
                comment=comment,
            )
        _notify_mentions(actor=author, post=post, text=body, comment=comment, skip={post.author_id})
    return comment


def comment_delete(*, comment: Comment, by: Profile) -> None:
    """By the comment's author or the post's author."""
    if by.pk not in (comment.author_id, comment.post.author_id):
        raise Forbidden(_("Only the comment's author or the post's author may delete it."))
    with transaction.atomic():
        deleted, _rows = Comment.objects.filter(pk=comment.pk).delete()
        if deleted:
            Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)


def reaction_set(*, post: Post, person: Profile, kind: str = Reaction.Kind.LIKE) -> bool:
    """React to a post; one reaction per person. Idempotent: True if this call created it."""
    if kind not in Reaction.Kind.values:
        raise Invalid({"kind": [_("A reaction is one of: %(k)s.") % {"k": ", ".join(Reaction.Kind.values)}]})
    try:
        with transaction.atomic():
            reaction, created = Reaction.objects.get_or_create(
                post=post, person=person, defaults={"kind": kind}
            )
            if created:
                Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
                if post.author_id != person.pk:
                    notify(
                        recipient_id=post.author_id, actor=person, kind=Notification.Kind.REACTION, post=post
                    )
            elif reaction.kind != kind:
                reaction.kind = kind
                reaction.save(update_fields=["kind"])
    except IntegrityError:
        return False
    return created


def reaction_remove(*, post: Post, person: Profile) -> bool:
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(post=post, person=person).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") - 1)
    return bool(deleted)


# --- Notifications --------------------------------------------------------------------------


def notify(
    *,
    recipient_id: int,
    actor: Profile,
    kind: str,
    post: Post | None = None,
    comment: Comment | None = None,
    connection_request_id: int | None = None,
) -> Notification | None:
    """Store a notification and push it live once the transaction commits; None, and nothing
    stored, when it is about a post the recipient may not see (an alumnus's own company post,
    a post they were mentioned in but may not read): a notification is an exit like any
    other, and the list would hide it while the badge counted it. The push checks again when
    it is sent (``notification_push``)."""
    from feed import tasks
    from profiles.audience import can_see

    if post is not None:
        recipient = Profile.objects.filter(pk=recipient_id).first()
        if recipient is None or not can_see(recipient, author_id=post.author_id, visibility=post.visibility):
            return None
    notification = Notification.objects.create(
        recipient_id=recipient_id,
        actor=actor,
        kind=kind,
        post=post,
        comment=comment,
        connection_request_id=connection_request_id,
    )
    _schedule(tasks.push_notification, notification.pk)
    return notification


def notification_push(*, notification_id: int) -> bool:
    """Push a stored notification to its recipient's open sockets, if the list would show it
    to them now: the audience is checked when it reaches them, not when it was queued (the
    post may have been narrowed, or the recipient may have left, meanwhile). True if sent."""
    from feed import live
    from feed.selectors import visible_notification
    from feed.serializers import NotificationSerializer

    notification = visible_notification(notification_id=notification_id)
    if notification is None:
        return False
    live.push_notification(notification.recipient_id, NotificationSerializer(notification).data)
    return True


def _notify_mentions(
    *, actor: Profile, post: Post, text: str, comment: Comment | None = None, skip=()
) -> None:
    names = mentioned_usernames(text)
    if not names:
        return
    people = Profile.objects.filter(user__username__in=names, user__is_active=True).exclude(pk=actor.pk)
    for person in people.exclude(pk__in=list(skip)):
        # Only people who may see the post hear about it (``notify`` checks).
        notify(
            recipient_id=person.pk, actor=actor, kind=Notification.Kind.MENTION, post=post, comment=comment
        )


def notifications_mark_read(*, recipient: Profile, up_to: int) -> int:
    """Mark the recipient's notifications up to and including ``up_to`` as read."""
    return Notification.objects.filter(recipient=recipient, pk__lte=up_to, read=False).update(read=True)
