"""What the feed does when the graph or a person's access changes (signals from ``profiles``,
sent after commit), and when a credential ends (a device token deleted, a browser signed out,
a new password): the live sockets it opened close."""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete

from feed import services, tasks
from feed.models import Notification
from profiles import signals
from profiles.audience import access_narrows
from profiles.models import DeviceToken, Profile, Visibility
from socialblue.ws_auth import session_group, token_group


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


def _token_deleted(sender, instance, **kwargs):
    # Every way a token ends is a delete of its row (revoked, evicted past the per-person
    # limit, purged by knox once expired, deleted with its user): listening here, none is
    # missed. Sent once the delete commits.
    services.credential_sockets_close(group=token_group(instance.pk))


def _signed_out(sender, request, user, **kwargs):
    # Sent by ``logout()`` before the session is flushed, whichever view signed out (the web
    # page, the API with a session, the admin): its key still names the sockets it opened.
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        services.credential_sockets_close(group=session_group(session.session_key))


def _password_changed(sender, profile, **kwargs):
    # Every credential issued before the new password ends, and so does every socket.
    services.sockets_close(profile=profile, reason="credential.revoked")


def connect() -> None:
    signals.followed.connect(_followed, dispatch_uid="feed.followed")
    signals.unfollowed.connect(_unfollowed, dispatch_uid="feed.unfollowed")
    signals.connected.connect(_connected, dispatch_uid="feed.connected")
    signals.connection_requested.connect(_connection_requested, dispatch_uid="feed.connection_requested")
    signals.connection_accepted.connect(_connection_accepted, dispatch_uid="feed.connection_accepted")
    signals.access_changed.connect(_access_changed, dispatch_uid="feed.access_changed")
    signals.password_changed.connect(_password_changed, dispatch_uid="feed.password_changed")
    post_delete.connect(_token_deleted, sender=DeviceToken, dispatch_uid="feed.token_deleted")
    user_logged_out.connect(_signed_out, dispatch_uid="feed.signed_out")
