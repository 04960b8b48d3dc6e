"""Sign-in by username or work email."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def find_user(login: str):
    """The user whose username or email is ``login`` (case-insensitive), or None."""
    User = get_user_model()
    login = (login or "").strip()
    if not login:
        return None
    field = "email__iexact" if "@" in login else "username__iexact"
    return User.objects.filter(**{field: login}).order_by("pk").first()


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Spend the same time as a real check so timing does not reveal who exists.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """The account a sign-in attempt is counted against: the same whether the person typed
    their username or their email, so switching between them does not reset the count."""
    login = (credentials or {}).get("username", "") or ""
    user = find_user(login)
    return user.username.lower() if user else login.strip().lower()
