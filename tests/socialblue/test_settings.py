"""One settings module, two ways to run: production (what a bare environment gets: ``DEBUG``
is off unless asked for) must pass Django's deploy checks and refuse to start without a
secret, and the embedded default (``DEBUG=1``, as ``make run`` sets) must run with no server
at all.

Each story starts ``manage.py`` in a fresh process with exactly the environment it names,
because settings are read once, at import. Reading them writes nothing and changes no library;
a value they cannot take stops the process at start, in one line that names the variable.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.processes import manage, printed_json

SHOW_MODE = """
import json
from django.conf import settings
from socialblue.celery import app
print(json.dumps({
    "database_engine": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "tasks_run_inline": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_app_runs_inline": app.conf.task_always_eager,
}))
"""

ASK_PROBES_OVER_PLAIN_HTTP = """
import json
from django.test import Client
browser = Client(HTTP_HOST="social.example.com")
print(json.dumps({path: browser.get(path).status_code for path in ("/healthz", "/readyz", "/api/v1/me/")}))
"""


ASK_A_MISSING_PAGE = """
import json
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="social.example.com").get("/no-such-page/", secure=True)
print(json.dumps({
    "debug": settings.DEBUG,
    "status": response.status_code,
    "shows_debug_page": b"DEBUG = True" in response.content or b"Traceback" in response.content,
}))
"""

SHOW_SOCKET_ORIGINS = """
import json
from django.conf import settings
from socialblue.ws_auth import origin_allowed
print(json.dumps({
    "allowed_origins": settings.WEBSOCKET_ALLOWED_ORIGINS,
    "development_origin_allowed": origin_allowed("http://127.0.0.1:8000", "social.example.com"),
    "own_origin_allowed": origin_allowed("https://social.example.com", "social.example.com"),
}))
"""

SHOW_PAGE_POLICY = """
import json
from django.test import Client
response = Client(HTTP_HOST="social.example.com").get("/signin/", secure=True)
print(json.dumps({"policy": response["Content-Security-Policy"]}))
"""


IMPORT_THE_SETTINGS_ALONE = """
import json
from PIL import Image
before = Image.MAX_IMAGE_PIXELS
import socialblue.settings
print(json.dumps({"pillow_limit_before": before, "pillow_limit_after": Image.MAX_IMAGE_PIXELS}))
"""

SHOW_PILLOW_LIMIT = """
import json
from PIL import Image
print(json.dumps({"pillow_limit": Image.MAX_IMAGE_PIXELS}))
"""

ASK_THE_PROBES = """
import json
from django.test import Client
print(json.dumps({path: Client().get(path).status_code for path in ("/healthz", "/readyz", "/signin/")}))
"""


@pytest.fixture
def bare_env(tmp_path) -> dict[str, str]:
    """No SocialBlue variable at all; files go to a fresh folder."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "SOCIALBLUE_VAR_DIR": str(tmp_path / "var"),
    }


@pytest.fixture
def production_env(bare_env) -> dict[str, str]:
    """Production is what a bare environment gets: only the secret and the host are named."""
    return {**bare_env, "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "social.example.com"}


@pytest.fixture
def development_env(bare_env) -> dict[str, str]:
    """What `make run` sets: DEBUG on, nothing else."""
    return {**bare_env, "DEBUG": "1"}


def test_production_settings_pass_the_deploy_checks_without_a_warning(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key_in_one_clear_line(production_env):
    del production_env["SECRET_KEY"]

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "SocialBlue refuses to start: SECRET_KEY is not set. Set SECRET_KEY (and ALLOWED_HOSTS) "
        "in production, or DEBUG=1 on a developer's machine."
    ]


def test_a_forgotten_debug_variable_means_production_not_the_debug_page(production_env):
    statuses = printed_json(manage("shell", "-c", ASK_A_MISSING_PAGE, env=production_env))

    assert statuses == {"debug": False, "status": 404, "shows_debug_page": False}


def test_production_allows_no_development_origin_for_sockets(production_env):
    seen = printed_json(manage("shell", "-c", SHOW_SOCKET_ORIGINS, env=production_env))

    assert seen["allowed_origins"] == []
    assert seen["development_origin_allowed"] is False
    assert seen["own_origin_allowed"] is True


def test_development_allows_the_local_origins_for_sockets(development_env):
    seen = printed_json(manage("shell", "-c", SHOW_SOCKET_ORIGINS, env=development_env))

    assert seen["development_origin_allowed"] is True


def test_pages_may_connect_to_this_site_only(production_env):
    # Hashed static names need collectstatic first; the policy is the same either way.
    env = {**production_env, "STATIC_MANIFEST": "0"}
    policy = printed_json(manage("shell", "-c", SHOW_PAGE_POLICY, env=env))["policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["connect-src"] == "'self'"


def test_production_probes_answer_plain_http_while_the_site_forces_https(production_env):
    # Probes come from inside the cluster, without TLS; a redirect would read as "down".
    statuses = printed_json(manage("shell", "-c", ASK_PROBES_OVER_PLAIN_HTTP, env=production_env))

    assert statuses["/api/v1/me/"] == 301
    assert statuses["/healthz"] == 200
    assert statuses["/readyz"] in (200, 503)


def test_embedded_default_needs_no_server(development_env, tmp_path):
    mode = printed_json(manage("shell", "-c", SHOW_MODE, env=development_env))

    assert mode == {
        "database_engine": "django.db.backends.sqlite3",
        "database_name": str(tmp_path / "var" / "socialblue.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "tasks_run_inline": True,
        "celery_app_runs_inline": True,
    }


def test_embedded_default_passes_the_system_checks(development_env):
    result = manage("check", env=development_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Reading the settings ---------------------------------------------------------------------


def test_importing_the_settings_writes_no_file_and_leaves_pillow_alone(development_env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_SETTINGS_ALONE],
        cwd=settings.BASE_DIR,
        env=development_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    seen = printed_json(result)
    assert seen["pillow_limit_after"] == seen["pillow_limit_before"]
    assert not (tmp_path / "var").exists()


def test_once_started_pillow_refuses_images_past_the_largest_we_accept(development_env):
    env = {**development_env, "PHOTO_MAX_PIXELS": "30000000", "AVATAR_MAX_PIXELS": "20000000"}

    seen = printed_json(manage("shell", "-c", SHOW_PILLOW_LIMIT, env=env))

    assert seen == {"pillow_limit": 30_000_000}


def test_the_embedded_default_starts_from_an_empty_var_folder(development_env, tmp_path):
    assert not (tmp_path / "var").exists()

    migrated = manage("migrate", "--noinput", env=development_env)

    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert (tmp_path / "var" / "socialblue.sqlite3").is_file()
    answered = manage("shell", "-c", ASK_THE_PROBES, env=development_env)
    assert printed_json(answered) == {"/healthz": 200, "/readyz": 200, "/signin/": 200}
    assert "No directory at" not in answered.stderr


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("PHOTO_MEDIA_DELIVERY", "strem", "it must be one of stream, accel, redirect."),
        ("LOG_LEVEL", "loud", "it must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."),
        ("EXPORT_TTL_DAYS", "a week", "it must be a whole number."),
        ("SERVE_AVATARS", "maybe", "it must be one of 1, true, yes, on, 0, false, no, off."),
    ],
)
def test_a_setting_it_cannot_take_stops_the_start_in_one_clear_line(production_env, name, value, why):
    result = manage("check", env={**production_env, name: value})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"SocialBlue refuses to start: {name} is {value!r}; {why}"]


def test_a_choice_is_read_without_regard_to_case(development_env):
    env = {**development_env, "PHOTO_MEDIA_DELIVERY": "Accel"}
    code = "import json; from django.conf import settings; print(json.dumps(settings.PHOTO_MEDIA_DELIVERY))"

    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == "accel"
