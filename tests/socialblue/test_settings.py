"""One settings module, two ways to run: production (``DEBUG=0``) must pass Django's deploy
checks and refuse to start without a secret, and the embedded default must run with no
server at all.

Each story starts ``manage.py`` in a fresh process with exactly the environment it names,
because settings are read once, at import.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

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
    env = {
        **bare_env,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "social.example.com",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def printed_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deploy_checks_without_a_warning(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_probes_answer_plain_http_while_the_site_forces_https(production_env):
    # Probes come from inside the cluster, without TLS; a redirect would read as "down".
    statuses = printed_json(manage("shell", "-c", ASK_PROBES_OVER_PLAIN_HTTP, env=production_env))

    assert statuses["/api/v1/me/"] == 301
    assert statuses["/healthz"] == 200
    assert statuses["/readyz"] in (200, 503)


def test_embedded_default_needs_no_server(bare_env, tmp_path):
    mode = printed_json(manage("shell", "-c", SHOW_MODE, env=bare_env))

    assert mode == {
        "database_engine": "django.db.backends.sqlite3",
        "database_name": str(tmp_path / "var" / "socialblue.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "tasks_run_inline": True,
        "celery_app_runs_inline": True,
    }


def test_embedded_default_passes_the_system_checks(bare_env):
    result = manage("check", env=bare_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
