"""One settings module, two ways to run: production (what a bare environment gets: ``DEBUG``
is off unless asked for) must pass Django's deploy checks and refuse to start without a
secret, and the embedded default (``DEBUG=1``, as ``make run`` sets) must run with no server
at all.

Each story starts ``manage.py`` in a fresh process with exactly the environment it names,
because settings are read once, at import.
"""

import os
import secrets

import pytest

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
