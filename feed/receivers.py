"""What the feed does when the graph or a person's access changes (signals from ``profiles``,
sent after commit)."""

from feed import services, tasks
from feed.models import Notification
from profiles import signals
from profiles.audience import access_narrows
from profiles.models import Profile, Visibility


def _followed(sender, follower_id, followee_id, **kwargs):
    tasks.merge_followee.delay(follower_id, followee_id)


def _unfollowed(sender, follower_id, followee_id, **kwargs):
    tasks.unmerge_followee.delay(follower_id, followee_id)


def _connected(sender, profile_ids, **kwargs):
    # Each may now see the other's connections-only items: merge both ways again (the
    # follows may be older than the connection).
    a, b = profile_ids
    tasks.merge_followee.delay(a, b)
    tasks.merge_followee.delay(b, a)


def _connection_requested(sender, request_id, sender_id, receiver_id, **kwargs):
    actor = Profile.objects.filter(pk=sender_id).first()
    if actor is not None:
        services.notify(
            recipient_id=receiver_id,
            actor=actor,
            kind=Notification.Kind.CONNECTION_REQUEST,
            connection_request_id=request_id,
        )


def _connection_accepted(sender, request_id, sender_id, receiver_id, **kwargs):
    actor = Profile.objects.filter(pk=receiver_id).first()
    if actor is not None:
        # "Priya connected with Ana", for both sides' followers.
        services.activity_publish(
            actor=actor,
            verb="connected",
            object_type="profile",
            object_id=sender_id,
            visibility=Visibility.NETWORK,
        )
        services.notify(
            recipient_id=sender_id,
            actor=actor,
            kind=Notification.Kind.CONNECTION_ACCEPTED,
            connection_request_id=request_id,
        )


def _access_changed(sender, profile, old_status, new_status, reason, **kwargs):
    # A socket was opened by someone who could see more: it is told and closed, and a
    # reconnect authenticates again. The timeline was written for the old status either way.
    if access_narrows(old_status, new_status):
        services.sockets_close(profile=profile)
    services.audience_changed(profile=profile)


def connect() -> None:
    signals.followed.connect(_followed, dispatch_uid="feed.followed")
    signals.unfollowed.connect(_unfollowed, dispatch_uid="feed.unfollowed")
    signals.connected.connect(_connected, dispatch_uid="feed.connected")
    signals.connection_requested.connect(_connection_requested, dispatch_uid="feed.connection_requested")
    signals.connection_accepted.connect(_connection_accepted, dispatch_uid="feed.connection_accepted")
    signals.access_changed.connect(_access_changed, dispatch_uid="feed.access_changed")
