"""What the graph services announce, for other apps to act on.

Each signal is sent once the transaction that changed the graph has committed, so a
receiver never acts on a change that rolled back. The feed connects to them (merging and
unmerging timelines); ``profiles`` itself knows nothing of the feed.

* ``followed(follower_id, followee_id)`` / ``unfollowed(follower_id, followee_id)``
* ``connected(profile_ids)`` / ``disconnected(profile_ids)`` — a pair of profile ids
"""

from django.dispatch import Signal

followed = Signal()
unfollowed = Signal()
connected = Signal()
disconnected = Signal()
