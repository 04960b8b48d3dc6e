"""How many tries at a password anyone gets, without handing strangers a switch that locks a
person out of their own account.

| counted per         | past the limit                                            | by          |
| ------------------- | --------------------------------------------------------- | ----------- |
| account and address | that address may not try that account for a cool-off      | django-axes |
| address             | that address may not try any account for a cool-off       | django-axes |
| account             | each further try waits: 1 s, doubling, at most a minute   | here        |
| known device        | the device is no longer known (the rows above apply)      | here        |

Both locks are switches only the guesser's own address can flip. The account alone is never
locked, because anyone anywhere can fail at it: guessing it from many addresses is slowed
(LOGIN_ACCOUNT_SLOWDOWN_AFTER failures, then at most one try per
LOGIN_ACCOUNT_MAX_DELAY_SECONDS), which keeps a botnet to some 1,400 guesses a day while
delaying the owner by a minute at most.

A *known device* is a browser or app that signed in to the account before, or set the
account's password through an emailed link. It carries a signed, httponly cookie
(DEVICE_COOKIE) that names the account and is bound to its current password, so a new password
retires every such cookie; apps keep it like any HTTP client with a cookie jar. A known device
is held by none of the rows above (each could have been triggered by a stranger), only by its
own count of failures: a stolen cookie is worth LOGIN_FAILURE_LIMIT guesses and no more.

Using an emailed link proves the person holds the address: it clears the account's counts for
the address it was used from and makes that device known. A successful sign-in clears the
account's counts too, but never an address's own count: anyone with an account of their own
could otherwise wipe it between rounds of guessing at other accounts.

Every count lives in the shared cache (Redis in full mode). Callers wrap these functions in
``socialblue.throttling.fail_closed``: without the counts, sign-in stops rather than letting
unmetered guesses through.
"""

import math
import secrets
import time
from datetime import timedelta
from hashlib import sha256

from axes.helpers import get_cache as axes_cache
from axes.helpers import make_cache_key_list
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from profiles.backends import account_name, find_user
from socialblue.throttling import client_address

DEVICE_COOKIE = "sb_device"
_SALT = "profiles.sign_in_limits.device"
# Past this many doublings the wait is at its ceiling anyway; keeps 2**n small.
_MAX_DOUBLINGS = 30


def known_device(request, login: str) -> str | None:
    """The id of the known device this request comes from, for the account ``login`` names;
    None when it comes from anywhere else. Looked up once per request and login."""
    memo = request.__dict__.setdefault("_known_devices", {})
    if login not in memo:
        memo[login] = _known_device(request, login)
    return memo[login]


def account_wait(*, request, login: str) -> int:
    """Seconds until the account ``login`` names may be tried again (0: now)."""
    if known_device(request, login) is not None:
        return 0
    until = cache.get(_account_key("wait", account_name(login)))
    return max(0, math.ceil(until - time.time())) if until else 0


def sign_in_failed(*, request, login: str) -> None:
    """Count a wrong password: against the device if it is known, else against the account
    (django-axes counts the account and address, and the address)."""
    device = known_device(request, login)
    if device is not None:
        _count(_device_key(device))
        return
    name = account_name(login)
    past = _count(_account_key("failures", name)) - settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER
    if past >= 0:
        delay = min(2 ** min(past, _MAX_DOUBLINGS), settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS)
        cache.set(_account_key("wait", name), time.time() + delay, timeout=delay + 1)


def failures_forgotten(*, request, user) -> None:
    """The person proved who they are from here (the right password, or an emailed link):
    clear the account's counts, this address's count for it, and this device's."""
    name = user.username.lower()
    cache.delete_many([_account_key("failures", name), _account_key("wait", name)])
    device = known_device(request, user.username)
    if device is not None:
        cache.delete(_device_key(device))
    axes_cache().delete_many(_axes_account_keys(request, name))


def remember_device(*, request, response, user) -> None:
    """Make the device this request came from known for ``user`` (a device that was known
    already keeps its id, and with it its count)."""
    device = known_device(request, user.username) or secrets.token_urlsafe(12)
    value = signing.dumps({"u": user.pk, "d": device, "p": _password_version(user)}, salt=_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=settings.LOGIN_DEVICE_DAYS * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def _known_device(request, login: str) -> str | None:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw or not login:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=timedelta(days=settings.LOGIN_DEVICE_DAYS))
    except signing.BadSignature:
        return None
    user = find_user(login)
    if user is None or not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    if data.get("p") != _password_version(user) or not data.get("d"):
        return None
    device = str(data["d"])
    if (cache.get(_device_key(device)) or 0) >= settings.AXES_FAILURE_LIMIT:
        return None
    return device


def _password_version(user) -> str:
    return salted_hmac(_SALT, user.password, algorithm="sha256").hexdigest()[:16]


def _count(key: str) -> int:
    timeout = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=timeout)
        return 1
    cache.touch(key, timeout=timeout)
    return count


def _account_key(kind: str, name: str) -> str:
    return f"signin:account:{kind}:{sha256(name.encode()).hexdigest()}"


def _device_key(device: str) -> str:
    return f"signin:device:{device}"


def _axes_account_keys(request, name: str) -> list[str]:
    """django-axes' keys for this account at this address (every lockout parameter that
    names the account), built as django-axes builds them."""
    values = {
        "username": name,
        "ip_address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "<unknown>")[:255],
    }
    combinations = [[p] if isinstance(p, str) else list(p) for p in settings.AXES_LOCKOUT_PARAMETERS]
    return make_cache_key_list(
        [{p: values[p] for p in combination} for combination in combinations if "username" in combination]
    )
