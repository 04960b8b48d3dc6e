"""What ``profiles`` does when a person's access changes (``profiles.signals.access_changed``,
sent after commit): the credentials it issued are closed."""

from django.contrib.auth import get_user_model

from profiles import auth_services, signals
from profiles.audience import access_narrows


def _access_changed(sender, profile, old_status, new_status, reason, **kwargs):
    # A token or a session was issued to someone who could see more than the person may
    # now: it is closed, and they sign in again as who they are now. A change that only
    # widens access (a rehire) leaves them working.
    if not access_narrows(old_status, new_status):
        return
    user = get_user_model().objects.get(pk=profile.user_id)
    auth_services.sign_out_everywhere(user=user)


def connect() -> None:
    signals.access_changed.connect(_access_changed, dispatch_uid="profiles.access_changed")
