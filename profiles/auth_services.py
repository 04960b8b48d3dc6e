"""Sign-in services: checking a password (counted: profiles/sign_in_limits.py), device tokens
and password links."""

import logging

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation, user_logged_in
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from profiles import sign_in_limits, signals
from profiles.backends import find_user, sign_in_address
from profiles.models import DeviceToken, Profile
from socialblue.api import login_lockout
from socialblue.errors import Invalid, NotFound, Throttled
from socialblue.outages import is_outage
from socialblue.throttling import fail_closed

logger = logging.getLogger(__name__)


def check_password(*, request, username: str, password: str):
    """The user with this username or email and password, or an error.

    Failures are counted in the shared cache (profiles/sign_in_limits.py): ``Throttled`` while
    this address is locked out or the account is slowed down, ``Unavailable`` while the cache
    cannot be reached, since sign-in must not run uncounted.
    """
    with fail_closed(_("Signing in is briefly unavailable. Try again in a moment.")):
        wait = sign_in_limits.account_wait(request=request, login=username)
        if wait:
            raise Throttled(
                _("Too many failed sign-in attempts for this account. Try again in %(n)d seconds.")
                % {"n": wait},
                retry_after=wait,
            )
        user = authenticate(request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            raise login_lockout(request)
        if user is None:
            sign_in_limits.sign_in_failed(request=request, login=username)
            raise Invalid({"detail": _("Wrong username, email or password.")})
        sign_in_limits.failures_forgotten(request=request, user=user)
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


# Every way a token ends (revoked here, evicted past TOKEN_LIMIT_PER_USER, purged by knox once
# expired, deleted with its user) is a delete of its row; ``feed.receivers`` listens to those
# deletes and closes the live sockets the token opened.


def token_revoke(*, user, token_id: int) -> None:
    """Sign one device out: its token is deleted, and its open sockets close once this
    commits."""
    deleted, _by_model = DeviceToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("No such token."))


def token_revoke_all(*, user) -> int:
    """Sign every device out (browser sessions are not tokens and stay)."""
    deleted, _by_model = DeviceToken.objects.filter(user=user).delete()
    return deleted


def password_changed(*, user) -> None:
    """A new password was set for ``user``, by whichever way (an emailed link through the app
    or the web page, the admin, ``manage.py changepassword``): every credential issued before
    it ends. Tokens are deleted here; browser sessions stop working by themselves (Django
    checks each against a hash of the password); once this commits, ``password_changed`` is
    announced and every live socket of the person closes. Whoever learnt the old password
    keeps nothing they opened with it."""
    token_revoke_all(user=user)
    profile = Profile.objects.filter(pk=user.pk).first()
    if profile is not None:
        transaction.on_commit(
            lambda: signals.password_changed.send_robust(sender=Profile, profile=profile), robust=True
        )


def password_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` of users: :func:`password_changed` whenever a new password was saved.

    ``set_password()`` keeps the new password on the instance until ``save()`` has handed it
    to Django's own hook for a new password (the validators' ``password_changed``); a hash
    upgraded on sign-in clears it before saving, and making the password unusable never sets
    it, so neither counts as a new password."""
    if created or raw or getattr(instance, "_password", None) is None:
        return
    password_changed(user=instance)


def sign_out_everywhere(*, user) -> None:
    """End every sign-in of the person: device tokens are deleted, and browser sessions stop
    working because the password is made unusable (Django checks each session against a hash
    of the password, so no session needs to be found). The person sets a new password from
    an emailed link; a link made before this call no longer works."""
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        token_revoke_all(user=user)


def sign_out_everywhere_asked(*, user) -> str:
    """The person asked to be signed out everywhere (a lost phone, a password seen over a
    shoulder): :func:`sign_out_everywhere`, then a link to set a new password goes to the
    address they sign in with, since the old password no longer works. Returns that address."""
    sign_out_everywhere(user=user)
    address = sign_in_address(user)
    send_password_link(
        user=user,
        to=address,
        subject=_("You are signed out of SocialBlue everywhere"),
        intro=_(
            "You asked to be signed out on every device and browser. To sign in again, set a new password."
        ),
    )
    return address


def send_password_link(*, user, to: str, subject: str, intro: str) -> None:
    """Email ``to`` a one-time link (and the code for the app) to set ``user``'s password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    body = _(
        "%(intro)s\n\nSet your password here:\n\n%(link)s\n\nOr in the app: uid %(uid)s, code %(token)s.\n"
    )
    send_mail(
        subject=subject,
        message=body % {"intro": intro, "link": link, "uid": uid, "token": token},
        from_email=None,
        recipient_list=[to],
    )


def password_link_request(*, email: str) -> None:
    """Someone forgot their password, or their invitation expired: a new link goes to the
    address they sign in with (the work email of an employee, the personal email of an
    alumnus). The answer is the same whether or not the address is known."""
    user = find_user(email) if "@" in (email or "") else None
    if user is None or not user.is_active:
        return
    # The stored address, never the typed one: they may differ (case, compatibility forms),
    # and only the stored one is known to belong to this person.
    address = sign_in_address(user)
    send_password_link(
        user=user,
        to=address,
        subject=_("Your SocialBlue sign-in"),
        intro=_("Someone, probably you, asked to set a new password for %(email)s.") % {"email": address},
    )


def password_set_by_link(*, request, uid: str, token: str, password: str):
    """``password_set_with_code`` from the app, followed by ``password_link_used``."""
    user = password_set_with_code(uid=uid, token=token, password=password)
    password_link_used(request=request, user=user)
    return user


def password_link_used(*, request, user) -> None:
    """A device set ``user``'s password through an emailed link, and so proved it holds their
    address: their failed sign-ins from here are forgotten, even while locked out (the caller
    also makes the device known). Works without the cache too: the password is set, and stale
    counts expire on their own."""
    try:
        sign_in_limits.failures_forgotten(request=request, user=user)
    except Exception as exc:
        if not is_outage(exc):
            raise
        logger.warning("Sign-in counts not cleared after a password link: %s", exc)


def password_set_with_code(*, uid: str, token: str, password: str):
    """Set a password with the one-time code of an emailed link (an alumnus's invitation, or
    a reset). The code stops working once the password changes. Every credential of the
    person ends with it (:func:`password_changed`, reached through saving the password):
    whoever held one before does not keep it."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist, ValidationError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise Invalid({"token": [_("This link is invalid or has expired; ask for a new one.")]})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid({"password": list(exc.messages)}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
