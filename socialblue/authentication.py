"""API authentication: knox device tokens as ``Token`` or ``Bearer``."""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions


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
        return self.authenticate_credentials(parts[1].encode())

    def renew_token(self, auth_token) -> None:
        super().renew_token(auth_token)
        now = timezone.now()
        last = auth_token.last_used_at
        if last is None or (now - last).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            auth_token.last_used_at = now
            type(auth_token).objects.filter(pk=auth_token.pk).update(last_used_at=now)
