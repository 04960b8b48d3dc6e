"""Sign-in by username, or by email: the work email while employed, the personal email once
an alumnus (the work email then no longer signs in)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from profiles.models import ProfileStatus


def find_user(login: str):
    """The user whose username or email is ``login`` (case-insensitive), or None."""
    User = get_user_model()
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        match = Q(email__iexact=login, profile__status=ProfileStatus.EMPLOYEE) | Q(
            profile__personal_email__iexact=login, profile__status=ProfileStatus.ALUMNUS
        )
    else:
        match = Q(username__iexact=login)
    return User.objects.filter(match).order_by("pk").first()


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
