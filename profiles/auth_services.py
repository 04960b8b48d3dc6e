"""Sign-in services: checking a password (counted by django-axes) and device tokens."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.models import DeviceToken
from socialblue.api import login_lockout
from socialblue.errors import Invalid, NotFound


def check_password(*, request, username: str, password: str):
    """The user with this username or email and password, or an error.

    django-axes counts each failure per account and per client address in the shared cache
    and refuses further tries for a while once either reaches the limit.
    """
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise login_lockout(request)
    if user is None:
        raise Invalid({"detail": _("Wrong username, email or password.")})
    return user


def token_sign_in(*, request, username: str, password: str, device: str = "") -> tuple[DeviceToken, str]:
    """Check the password and issue a token for one device. Returns the token row and the
    key, which is shown this once and stored only as a hash."""
    user = check_password(request=request, username=username, password=password)
    device = device.strip() or request.META.get("HTTP_USER_AGENT", "")[:120]
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    with transaction.atomic():
        if limit:
            # Past the limit the oldest devices are signed out rather than refusing a new one.
            stale = list(
                tokens_live(user=user).order_by("-created").values_list("pk", flat=True)[limit - 1 :]
            )
            DeviceToken.objects.filter(pk__in=stale).delete()
        token, key = DeviceToken.objects.create(user=user, device=device)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token, key


def tokens_live(*, user):
    return DeviceToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


def token_revoke(*, user, token_id: int) -> None:
    deleted, _by_model = DeviceToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("No such token."))


def token_revoke_all(*, user) -> int:
    deleted, _by_model = DeviceToken.objects.filter(user=user).delete()
    return deleted
