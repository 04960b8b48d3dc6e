"""``manage.py`` in a fresh process with exactly the environment a story names: settings are
read once, at import, so a story about configuration (production defaults, a server of the
test's own) starts its own process."""

import json
import subprocess
import sys

from django.conf import settings


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def printed_json(result: subprocess.CompletedProcess) -> dict:
    """The JSON object a successful command printed last."""
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
