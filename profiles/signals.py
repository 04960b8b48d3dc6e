"""What the profiles services (and the services of apps above them) announce, for other apps
to act on.

Each signal is sent once the transaction that made the change has committed, so a
receiver never acts on a change that rolled back. Apps above ``profiles`` connect to them in
their own ``receivers.py``; ``profiles`` itself knows nothing of the feed or the alumni.

The graph:

* ``followed(follower_id, followee_id)`` / ``unfollowed(follower_id, followee_id)``
* ``connected(profile_ids)`` / ``disconnected(profile_ids)`` — a pair of profile ids
* ``connection_requested(request_id, sender_id, receiver_id)`` and
  ``connection_accepted(request_id, sender_id, receiver_id)``

A person's access:

* ``access_changed(profile, old_status, new_status, reason)`` — the person's employment
  status changed (``reason``: ``"offboard"`` or ``"rehire"``, the alumni app's actions).
  It is the one event every holder of access subscribes to, so a new credential, cache or
  file cannot be forgotten by the offboarding: it subscribes here, in its own app. Sent with
  :func:`announce_access_change`. Today's subscribers:

  - ``profiles.receivers``: device tokens are deleted and browser sessions ended, when the
    new status sees less than the old one (:func:`profiles.audience.access_narrows`);
  - ``feed.receivers``: open live sockets get ``session.revoked`` and close (access
    narrowed), and the home timeline is built again for what the new status may see;
  - ``exports.receivers``: every exit-kit archive of the person stops opening and its file is
    deleted (an archive holds what its owner could see when it was built).

  Renders cached across viewers and push subscriptions are the next holders of access; they
  subscribe here when they are built.
* ``password_changed(profile)`` — the person set a new password, by whichever way
  (``profiles.auth_services.password_changed``): every credential issued before it ends. The
  device tokens are deleted before it is sent; ``feed.receivers`` closes every live socket.
"""

from django.db import transaction
from django.dispatch import Signal

from profiles.models import Profile

followed = Signal()
unfollowed = Signal()
connected = Signal()
disconnected = Signal()
connection_requested = Signal()  # request_id, sender_id, receiver_id
connection_accepted = Signal()  # request_id, sender_id, receiver_id
access_changed = Signal()  # profile, old_status, new_status, reason
password_changed = Signal()  # profile


def announce_access_change(*, profile: Profile, old_status: str, new_status: str, reason: str) -> None:
    """Send ``access_changed`` once the current transaction commits (at once outside one).

    Every receiver runs even when one before it fails (``send_robust``; Django logs the
    failure): one holder of access that cannot be closed must not keep the others open.
    """
    transaction.on_commit(
        lambda: access_changed.send_robust(
            sender=Profile, profile=profile, old_status=old_status, new_status=new_status, reason=reason
        ),
        robust=True,
    )
