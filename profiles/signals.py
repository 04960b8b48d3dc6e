"""What the graph services announce, for other apps to act on.

Each signal is sent once the transaction that changed the graph has committed, so a
receiver never acts on a change that rolled back. The feed connects to them (merging and
unmerging timelines); ``profiles`` itself knows nothing of the feed.

* ``followed(follower_id, followee_id)`` / ``unfollowed(follower_id, followee_id)``
* ``connected(profile_ids)`` / ``disconnected(profile_ids)`` — a pair of profile ids
* ``connection_requested(request_id, sender_id, receiver_id)`` and
  ``connection_accepted(request_id, sender_id, receiver_id)``
"""

from django.dispatch import Signal

followed = Signal()
unfollowed = Signal()
connected = Signal()
disconnected = Signal()
connection_requested = Signal()  # request_id, sender_id, receiver_id
connection_accepted = Signal()  # request_id, sender_id, receiver_id
