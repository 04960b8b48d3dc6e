"""Sign-in by username, or by email: the work email while employed, the personal email once
an alumnus (the work email then no longer signs in).

Addresses and usernames are compared in Python, NFKC-normalised and case-folded (Unicode
TR 36, as Django's own password reset does), never by the database alone: PostgreSQL's
``iexact`` compares ``UPPER()`` of both sides, and Unicode upper-casing makes different
strings equal (``UPPER('ı') = UPPER('i')``, ``UPPER('ſ') = UPPER('s')``). A look-alike address
must neither sign in as someone else nor receive their password link (CVE-2019-19844).
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from profiles.models import ProfileStatus

# The database narrows the candidates (it may match too much, never too little for the same
# spelling); Python decides. A handful of rows at most, however the address is spelled.
_MAX_CANDIDATES = 20


def logins_match(typed: str, stored: str) -> bool:
    """Whether two usernames or addresses are the same, case and compatibility forms aside."""
    return _fold(typed) == _fold(stored)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def sign_in_address(user) -> str:
    """The address a person signs in with, and the only one their password links go to: the
    work email of an employee, the personal email of an alumnus."""
    profile = user.profile
    return profile.personal_email if profile.status == ProfileStatus.ALUMNUS else user.email


def _username(user) -> str:
    return user.username


def find_user(login: str):
    """The user whose username or sign-in address is ``login`` (in any case or compatibility
    form), or None."""
    User = get_user_model()
    login = (login or "").strip()
    if not login:
        return None
    # The folded form finds a full-width or otherwise compatible spelling the database's
    # UPPER() would not; the typed form finds what UPPER() alone relates.
    spellings = {login, _fold(login)}
    if "@" in login:
        match = Q()
        for spelling in spellings:
            match |= Q(email__iexact=spelling, profile__status=ProfileStatus.EMPLOYEE)
            match |= Q(profile__personal_email__iexact=spelling, profile__status=ProfileStatus.ALUMNUS)
        candidates = User.objects.filter(match).select_related("profile").order_by("pk")
        stored = sign_in_address
    else:
        match = Q()
        for spelling in spellings:
            match |= Q(username__iexact=spelling)
        candidates = User.objects.filter(match).select_related("profile").order_by("pk")
        stored = _username
    for user in candidates[:_MAX_CANDIDATES]:
        if logins_match(login, stored(user)):
            return user
    return None


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

    def get_user(self, user_id):
        """A session's user, with the profile in the same query: every request of a signed-in
        browser reads the person's status (profiles/api.py's ``viewer_of``, the pages)."""
        try:
            user = get_user_model()._default_manager.select_related("profile").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def account_name(login: str) -> str:
    """The account a sign-in attempt is counted against: the same whether the person typed
    their username or their address, in whatever case, so switching does not reset a count.
    An unknown login is counted under its own folded spelling, so counting looks the same
    for accounts that exist and those that do not."""
    user = find_user(login)
    return user.username.lower() if user else _fold(login.strip())


def axes_username(request, credentials) -> str:
    """django-axes' AXES_USERNAME_CALLABLE."""
    return account_name((credentials or {}).get("username", "") or "")


def axes_known_device(request, credentials) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: a person on a device they signed in from before
    is not held by the locks strangers can trigger (see profiles/sign_in_limits.py)."""
    from profiles.sign_in_limits import known_device

    return known_device(request, (credentials or {}).get("username", "") or "") is not None
