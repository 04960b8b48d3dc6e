"""SocialBlue settings: one module, driven by environment variables.

Two ways to run from the same code:

* **Embedded default** (no environment set): SQLite under ``var/``, Celery tasks run inline,
  the in-memory channel layer and a local-memory cache. No server is needed.
* **Full** (``DATABASE_URL`` and ``REDIS_URL`` set): PostgreSQL, and Redis as Celery broker,
  channel layer, cache and home-timeline store (each may have a Redis of its own; the
  timelines may be a Redis Cluster).

Production adds ``DEBUG=0``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``; ``manage.py check --deploy``
is then clean. Every variable is listed in the README.

Importing this module only reads: it writes no file and changes no library. Folders are made
by what needs them (the SQLite file's folder before the first connection, in
``socialblue/apps.py``; media folders by the first file saved; ``STATIC_ROOT`` by
``collectstatic``), and Pillow's limit is set when the apps are ready. Every variable is read
by one of the ``env_*`` helpers below, which refuse a value they cannot take: a mistyped
setting stops every process (web, worker, beat, ``manage.py``) at start with one line that
names it, rather than being taken for its default or failing on the first request.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def refuse_to_start(reason: str) -> NoReturn:
    """Stop the process with one clear line instead of a traceback."""
    raise SystemExit(f"SocialBlue refuses to start: {reason}")


def env_str(name: str, default: str) -> str:
    """The variable's text; unset or empty means ``default``."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name, "").strip().lower()
    if not value:
        return default
    if value not in _TRUE + _FALSE:
        refuse_to_start(f"{name} is {os.environ[name]!r}; it must be one of {', '.join(_TRUE + _FALSE)}.")
    return value in _TRUE


def env_int(name: str, default: int) -> int:
    value = env_str(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        refuse_to_start(f"{name} is {value!r}; it must be a whole number.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "")
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (compared without regard to case, returned as listed)."""
    value = env_str(name, default).strip()
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    refuse_to_start(f"{name} is {value!r}; it must be one of {', '.join(choices)}.")


VAR_DIR = Path(env_str("SOCIALBLUE_VAR_DIR", str(BASE_DIR / "var")))


# Off unless asked for: a forgotten variable must never serve Django's debug page (settings,
# paths, source) to the world. `make run` and `make test` turn it on explicitly.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        refuse_to_start(
            "SECRET_KEY is not set. Set SECRET_KEY (and ALLOWED_HOSTS) in production, or DEBUG=1 on "
            "a developer's machine."
        )
    # Only ever used on a developer's machine: DEBUG is on and nothing is exposed.
    SECRET_KEY = "socialblue-insecure-development-key-never-use-in-production-0123456789"

# The development hosts only under DEBUG; production names its own.
DEVELOPMENT_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", DEVELOPMENT_HOSTS if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_htmx",
    "csp",
    "socialblue",
    "profiles",
    "feed",
    "photos",
    "exports",
    "alumni",
    "frontend",
]

# Every request passes through all of these. For an API request they add no query and little
# time (about 0.2 ms of a 4.8 ms token request without any of the removable ones; the request's
# profile is bench/profile-trivial.txt): without a session cookie no session is loaded, and
# LastActiveMiddleware writes at most once per LAST_ACTIVE_RESOLUTION_SECONDS, from the profile
# the authentication already read (tests/socialblue/test_request_cost.py counts the queries).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the URL into a query (socialblue/middleware.py).
    "socialblue.middleware.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "profiles.middleware.LastActiveMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socialblue.urls"
ASGI_APPLICATION = "socialblue.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The embedded default's file is under VAR_DIR; its folder is made before the first connection
# (socialblue/apps.py).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'socialblue.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# PostgreSQL connections come from a pool per process (psycopg's, through Django). Under ASGI
# every request runs its database work in a thread of its own, so a connection kept per thread
# (DATABASE_CONN_MAX_AGE) is never reused and each request would pay a new connection: a few
# round trips, the server forking a backend, Django's session set-up. A request takes a
# connection from the pool when it first queries and gives it back when it ends; a connection
# is checked before it is handed out, so one that PostgreSQL dropped (a restart) is replaced.
# A request that waits DATABASE_POOL_TIMEOUT seconds for a connection (all busy, or
# PostgreSQL down) fails as an outage: a 503 with Retry-After (socialblue/outages.py).
# DATABASE_POOL_MAX_SIZE=0 turns the pool off; DATABASE_CONN_MAX_AGE then applies.
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env_int("DATABASE_POOL_MIN_SIZE", 1), DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
        # A failed (re)connection is retried with a doubling delay and then given up, so the
        # next request that needs a connection opens one at once: after PostgreSQL comes back
        # the first request succeeds instead of waiting out a long back-off.
        "reconnect_timeout": 2,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process and inline tasks from one file: wait for
    # a lock rather than failing, and let readers work beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker, timelines ------------------------------------
# Full mode is "REDIS_URL set". One Redis serves everything unless a part is given its own:
# the timelines (and presence) may live on a Redis Cluster, while the broker and the channel
# layer need a plain Redis whose keys are never evicted (``noeviction``), and pub/sub, which a
# cluster would broadcast to every node, stays off the cluster.
REDIS_URL = env_str("REDIS_URL", "")
_REDIS_PARTS = ("TIMELINE_REDIS_URL", "CHANNEL_REDIS_URL", "CACHE_REDIS_URL", "CELERY_BROKER_URL")
if not REDIS_URL:
    for _name in _REDIS_PARTS:
        if env_str(_name, ""):
            refuse_to_start(f"{_name} is set but REDIS_URL is not; the embedded default uses no Redis.")
TIMELINE_REDIS_URL = env_str("TIMELINE_REDIS_URL", REDIS_URL)
CHANNEL_REDIS_URL = env_str("CHANNEL_REDIS_URL", REDIS_URL)
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", REDIS_URL)
# ``auto``: the timelines' client asks the server once (``INFO cluster``) when it is first made;
# ``1`` or ``0`` declares it (no question asked).
TIMELINE_REDIS_CLUSTER = env_choice("TIMELINE_REDIS_CLUSTER", "auto", ("auto", "1", "0"))
if TIMELINE_REDIS_URL and TIMELINE_REDIS_CLUSTER == "1":
    from redis.connection import parse_url as _parse_redis_url

    if _parse_redis_url(TIMELINE_REDIS_URL).get("db", 0) != 0:
        refuse_to_start(
            f"TIMELINE_REDIS_URL is {TIMELINE_REDIS_URL!r} with TIMELINE_REDIS_CLUSTER=1; "
            "a Redis Cluster has db 0 only."
        )

if REDIS_URL:
    from redis.asyncio.retry import Retry as _RedisRetry
    from redis.backoff import ExponentialBackoff as _RedisBackoff

    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "sb",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # channels_redis waits up to 5 s in a blocking pop; redis-py's own default socket
                # timeout is also 5 s, which would kill idle consumers. Give the pop room.
                # A connection that Redis dropped (a restart, a failover) is opened again and
                # the command retried, rather than failing the first socket after a restart
                # (the layer's pool is asyncio: it needs redis.asyncio's Retry).
                "hosts": [
                    {
                        "address": CHANNEL_REDIS_URL,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                        "retry": _RedisRetry(_RedisBackoff(cap=0.5, base=0.05), 3),
                    }
                ],
                "prefix": "sb:asgi",
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The embedded default is one process, so its local-memory cache does see every
    # failed sign-in; django-axes' warning is about several processes.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

# --- Celery ---------------------------------------------------------------------------------
# Without a broker every task runs inline in the calling process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only after it finished, and a worker killed mid-task hands it back
# to the broker: fan-out and image work are idempotent, so running twice is harmless while
# running zero times would lose feed items.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unacknowledged task comes back after this long. It must exceed the longest task
# (CELERY_TASK_TIME_LIMIT) or a slow task would run twice at once.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Fan-out has its own queue so a burst of posts never waits behind image work, and the
# other way round. Exact names win over patterns.
CELERY_TASK_ROUTES = {
    "feed.tasks.redrive_stalled_fanouts": {"queue": "default"},
    "feed.tasks.push_notification": {"queue": "default"},
    "feed.tasks.*": {"queue": "fanout"},
    "photos.tasks.*": {"queue": "media"},
    # Building an exit kit reads and zips files for minutes: it waits with the image work
    # (under its name of before the move too: exports/tasks.py).
    "exports.tasks.build_export": {"queue": "media"},
    "alumni.tasks.build_export": {"queue": "media"},
}
# A fan-out that committed but never finished (a crash between the commit and the queue, the
# broker away) is sent again by Celery beat: every FEED_REDRIVE_SECONDS, the activities older
# than that which are still not fanned out.
FEED_REDRIVE_SECONDS = env_int("FEED_REDRIVE_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "redrive-stalled-fanouts": {
        "task": "feed.tasks.redrive_stalled_fanouts",
        "schedule": float(FEED_REDRIVE_SECONDS),
    },
    # Leaves dated in the future are applied on their day; hourly, so a worker that was down
    # at midnight catches up soon after.
    "apply-due-leaves": {"task": "alumni.tasks.apply_due_leaves", "schedule": 3600.0},
    "expire-exports": {"task": "exports.tasks.expire_exports", "schedule": 3600.0},
    # Photos whose processing was never queued (the broker was away when they were stored).
    "redrive-stalled-photos": {"task": "photos.tasks.redrive_stalled_photos", "schedule": 300.0},
}
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before the password
    # is even checked.
    "axes.backends.AxesStandaloneBackend",
    "profiles.backends.UsernameOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:signin"
LOGIN_REDIRECT_URL = "frontend:home"

# Failed sign-ins, counted in the shared cache (Redis in full mode); the whole policy and
# its reasons are in profiles/sign_in_limits.py. django-axes locks an address out of one
# account, or out of all, after LOGIN_FAILURE_LIMIT failures for LOGIN_COOLOFF_SECONDS; it
# never locks an account for everyone, which would let any stranger lock anyone out.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("LOGIN_COOLOFF_SECONDS", 15 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# A success clears the account's counts (profiles/sign_in_limits.py), never its address's.
AXES_RESET_ON_SUCCESS = False
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_USERNAME_CALLABLE = "profiles.backends.axes_username"
AXES_WHITELIST_CALLABLE = "profiles.backends.axes_known_device"
AXES_CLIENT_IP_CALLABLE = "socialblue.throttling.client_address"
# Past this many failures on one account (from any address, within the cool-off) each
# further try waits, from 1 s doubling up to LOGIN_ACCOUNT_MAX_DELAY_SECONDS.
LOGIN_ACCOUNT_SLOWDOWN_AFTER = env_int("LOGIN_ACCOUNT_SLOWDOWN_AFTER", 10)
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 60)
# How long a device that signed in stays known (its cookie's lifetime).
LOGIN_DEVICE_DAYS = env_int("LOGIN_DEVICE_DAYS", 180)
AXES_LOCKOUT_CALLABLE = "socialblue.api.login_lockout_response"
AXES_VERBOSE = False

KNOX_TOKEN_MODEL = "profiles.DeviceToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("TOKEN_TTL_DAYS", 30)),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 60 * 60,
    "TOKEN_LIMIT_PER_USER": env_int("TOKEN_LIMIT_PER_USER", 50),
    "AUTH_HEADER_PREFIX": "Token",
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "socialblue.authentication.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "socialblue.api.LimitedPageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "socialblue.schema.AutoSchema",
    "EXCEPTION_HANDLER": "socialblue.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 20,
    # Every request is counted (socialblue/throttling.py), at the rates below.
    "DEFAULT_THROTTLE_CLASSES": ["socialblue.throttling.ApiRateThrottle"],
}
# Requests per window, per signed-in person or else per client address ("300/5m": 300
# requests per 5 minutes). Writes fan out and uploads cost image work, so they get less.
API_RATE_READ = env_str("API_RATE_READ", "300/5m")
API_RATE_WRITE = env_str("API_RATE_WRITE", "100/5m")
API_RATE_UPLOAD = env_str("API_RATE_UPLOAD", "30/30m")
# Per client address: asking for password links sends email.
PASSWORD_LINK_RATE = env_str("PASSWORD_LINK_RATE", "5/hour")
# How many reverse proxies in front of us append to X-Forwarded-For; 0 trusts no such header
# (a client could write anything in it) and counts the connection's own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "SocialBlue API",
    "DESCRIPTION": "The REST API of SocialBlue, the employee social network. "
    "Authenticate with `Authorization: Token <key>` (or `Bearer`) or a browser session. "
    "Live updates: the WebSocket `/ws/feed/`, whose events are described as JSON Schema at "
    "[/api/events.json](/api/events.json).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VisibilityEnum": "profiles.models.Visibility",
        "ProfileStatusEnum": "profiles.models.ProfileStatus",
        "ReactionKindEnum": "feed.models.Reaction.Kind",
        "NotificationKindEnum": "feed.models.Notification.Kind",
        "ConnectionStateEnum": "profiles.selectors.CONNECTION_STATES",
        "ProfileConnectionStateEnum": "profiles.selectors.PROFILE_CONNECTION_STATES",
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
# Made by collectstatic. Under DEBUG, whitenoise serves from the apps' folders and needs none.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
# Django serves avatars (only those) under MEDIA_URL itself; in production the web server does.
SERVE_AVATARS = env_bool("SERVE_AVATARS", DEBUG)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads are read into memory up to this size and spooled to a temporary file beyond it;
# the upload validators bound each image separately (AVATAR_MAX_BYTES, PHOTO_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_HANDLERS = [
    "socialblue.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Product settings -----------------------------------------------------------------------
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 10 * 1024 * 1024)
AVATAR_MAX_PIXELS = env_int("AVATAR_MAX_PIXELS", 40_000_000)
AVATAR_SIZE = env_int("AVATAR_SIZE", 256)
# Browsers may open WebSockets from these origins with a session cookie. Header-token
# clients (mobile apps) need no Origin at all.
# The development origins are allowed only under DEBUG: in production a session socket comes
# from this site itself or from an origin the operator names.
WEBSOCKET_ALLOWED_ORIGINS = env_list(
    "WEBSOCKET_ALLOWED_ORIGINS",
    [*(["http://127.0.0.1:8000", "http://localhost:8000"] if DEBUG else []), *CSRF_TRUSTED_ORIGINS],
)
# A profile's last_active_at is written at most this often per person.
LAST_ACTIVE_RESOLUTION_SECONDS = env_int("LAST_ACTIVE_RESOLUTION_SECONDS", 300)

# The home feed (see feed/timelines.py and the README for the trade-offs).
# 400 ids per timeline, as Mastodon keeps: half the memory of 800 (about 6.7 bytes per id,
# 2.7 KB per timeline) and a cheaper write and rebuild (bench/measure_layouts.py: 3.6 µs of
# Redis CPU per write at 400, 4.9 µs at 800); a reader who scrolls past them reads the
# database below the timeline's floor.
FEED_MAX_ITEMS = env_int("FEED_MAX_ITEMS", 400)
FEED_ACTIVE_DAYS = env_int("FEED_ACTIVE_DAYS", 30)
FEED_FANOUT_LIMIT = env_int("FEED_FANOUT_LIMIT", 10_000)
FEED_FANOUT_CHUNK = env_int("FEED_FANOUT_CHUNK", 5_000)
FEED_FOLLOW_MERGE = env_int("FEED_FOLLOW_MERGE", 200)
FEED_RESUME_MAX = env_int("FEED_RESUME_MAX", 200)
# How long a rendered feed item is kept for the next reader (feed/pages.py); an edit is never
# served stale whatever this is, as a render is keyed by its activity's version.
FEED_RENDER_CACHE_SECONDS = env_int("FEED_RENDER_CACHE_SECONDS", 7 * 24 * 3600)

# Photo albums (see photos/pipeline.py for the sizes and formats, and why).
PHOTO_MAX_FILES = env_int("PHOTO_MAX_FILES", 20)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 25 * 1024 * 1024)
# 36 MP: the largest common camera sensors, and what one worker turns upright within ~300 MB.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 36_000_000)
PHOTO_TIME_LIMIT_SECONDS = env_int("PHOTO_TIME_LIMIT_SECONDS", 60)
FEED_AGGREGATE_WINDOW = env_int("FEED_AGGREGATE_WINDOW", 600)
# Exit kits (exports/services.py): an archive is downloadable for EXPORT_TTL_DAYS, by a
# link valid EXPORT_LINK_SECONDS; one new export per EXPORT_MIN_INTERVAL_SECONDS per person;
# a build is stopped after EXPORT_TIME_LIMIT_SECONDS (below CELERY_VISIBILITY_TIMEOUT).
EXPORT_TTL_DAYS = env_int("EXPORT_TTL_DAYS", 7)
EXPORT_LINK_SECONDS = env_int("EXPORT_LINK_SECONDS", 3600)
EXPORT_MIN_INTERVAL_SECONDS = env_int("EXPORT_MIN_INTERVAL_SECONDS", 600)
EXPORT_TIME_LIMIT_SECONDS = env_int("EXPORT_TIME_LIMIT_SECONDS", 1800)
# How album media leaves the server once the audience check passed: "stream" (Django reads
# the file), "accel" (nginx serves PHOTO_ACCEL_PREFIX + the file name, X-Accel-Redirect) or
# "redirect" (a short-lived signed URL from the storage, e.g. S3 through django-storages).
PHOTO_MEDIA_DELIVERY = env_choice("PHOTO_MEDIA_DELIVERY", "stream", ("stream", "accel", "redirect"))
PHOTO_ACCEL_PREFIX = env_str("PHOTO_ACCEL_PREFIX", "/protected-media/")
PHOTO_MEDIA_MAX_AGE = env_int("PHOTO_MEDIA_MAX_AGE", 300)
# No file part of any request may be larger than the largest image we accept; past it the
# upload is cut off while it arrives (socialblue/uploads.py).
UPLOAD_MAX_FILE_BYTES = max(PHOTO_MAX_BYTES, AVATAR_MAX_BYTES)

# --- Security (production) ------------------------------------------------------------------
# The web pages run no inline script and load nothing from elsewhere: scripts, styles, fonts
# and images come from this site (photos and avatars included), sockets go to this host only
# ('self' covers ws:/wss: of the same host in CSP Level 3; a bare `ws:` would allow any host).
# The API docs (Swagger UI, ReDoc) are exempt in socialblue/urls.py: they bring inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where people open the product; links in emails (an alumnus's invitation) start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SocialBlue <no-reply@socialblue.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}
