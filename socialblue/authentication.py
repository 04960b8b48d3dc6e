"""API authentication: knox device tokens as ``Token`` or ``Bearer``.

One query authenticates a request and loads the person behind it: the token row with its
user and the user's profile (``viewer_of`` in profiles/api.py takes that profile, so the
status it checks is read from the database on every request, in the same query), and whether
the person has other tokens that expired (knox deletes those whenever one of their tokens is
used; the query says whether there is anything to delete). Writes are rare: a token's expiry
is pushed back and its device's last use recorded at most once per knox's
MIN_REFRESH_INTERVAL.
"""

import binascii
from functools import cache
from hmac import compare_digest

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

INVALID_TOKEN = "Invalid token."


@cache
def _others_expired_sql() -> str:
    """Whether the token row's person has another token that expired, as SQL over the outer
    query's token table. Written out rather than as ``Exists(OuterRef(...))``: compiling the
    ORM's subquery on every request cost more than the rest of the query's compilation."""
    table = connection.ops.quote_name(get_token_model()._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} other WHERE other.user_id = {table}.user_id "
        f"AND other.expiry < %s AND other.id <> {table}.id)"
    )


class TokenOrBearerAuthentication(TokenAuthentication):
    """knox tokens sent as ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``.

    Also records when a device last used its token, at most once per MIN_REFRESH_INTERVAL.
    """

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <key>'.")
        user, auth_token = self.authenticate_credentials(parts[1].encode())
        # Read with the token in this request's query: the API's viewer (profiles/api.py).
        profile = user._state.fields_cache.get("profile")
        if profile is not None:
            request._request.viewer_profile = profile
        return user, auth_token

    def authenticate_credentials(self, token: bytes):
        """The ``(user, token)`` of a key, in one query: the token rows of the key's prefix with
        their user and the user's profile. An expired token is deleted and never
        authenticates (knox's rule)."""
        key = token.decode("utf-8")
        now = timezone.now()
        expired_before = connection.ops.adapt_datetimefield_value(now)
        others_expired = RawSQL(_others_expired_sql(), [expired_before], output_field=BooleanField())
        candidates = (
            get_token_model()
            .objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user__profile")
            .annotate(others_expired=others_expired)
        )
        for auth_token in candidates:
            if auth_token.others_expired:
                self._expire_others(auth_token, now)
            if auth_token.expiry is not None and auth_token.expiry < now:
                self._expire(auth_token, source="auth_token")
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)

    def renew_token(self, auth_token) -> None:
        """Push the expiry back (knox writes it only when it moves by more than
        MIN_REFRESH_INTERVAL) and record the device's last use, as often."""
        super().renew_token(auth_token)
        now = timezone.now()
        last = auth_token.last_used_at
        if last is None or (now - last).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            auth_token.last_used_at = now
            type(auth_token).objects.filter(pk=auth_token.pk).update(last_used_at=now)

    def _expire_others(self, auth_token, now) -> None:
        """Delete the person's other expired tokens (knox's clean-up, which also ends their
        devices' sockets)."""
        user = auth_token.user
        for other in user.auth_token_set.filter(expiry__lt=now).exclude(pk=auth_token.pk):
            self._expire(other, username=user.get_username(), source="other_token")

    def _expire(self, auth_token, *, username: str | None = None, source: str) -> None:
        username = username or auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source=source)
