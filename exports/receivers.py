"""What the exit kit does when a person's access changes (``profiles.signals.access_changed``,
sent after commit)."""

from exports import services
from profiles import signals


def _access_changed(sender, profile, old_status, new_status, reason, **kwargs):
    # An archive holds what its owner could see when it was built: under another status it
    # is either more than they may take now, or less than they are owed.
    services.exports_revoke(profile=profile)


def connect() -> None:
    signals.access_changed.connect(_access_changed, dispatch_uid="exports.access_changed")
