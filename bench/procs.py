"""The processes the bench starts: a Celery fan-out worker and an ASGI server (uvicorn through
``tests.live.LiveASGIServer``), each in its own process so that the load generator and the
WebSocket clients do not share an interpreter with what they measure. Each is stopped by
its own process id when the bench ends."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench"


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextlib.contextmanager
def celery_worker(env: dict[str, str], *, concurrency: int = 2, timeout: float = 60) -> Iterator[Path]:
    """``celery -A socialblue worker -Q fanout -c N``, ready when this yields (its log path)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "socialblue",
        "worker",
        "-Q",
        "fanout",
        "-c",
        str(concurrency),
        "-n",
        f"bench-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "info",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + timeout
        while b" ready." not in log.read_bytes():
            if process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited ({process.returncode}); see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start in {timeout} s; see {log}")
            time.sleep(0.1)
        yield log
    finally:
        _stop(process)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def asgi_server(env: dict[str, str], *, name: str = "server", timeout: float = 60) -> Iterator[Server]:
    """SocialBlue's ASGI app under uvicorn in a child process (its log: ``var/bench/{name}.log``)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{name}.log"
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + timeout
        line = process.stdout.readline().decode().strip()
        if not line.startswith("http://") or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the ASGI server did not start ({line!r}); see {log}")
        yield Server(url=line, pid=process.pid, log=log)
    finally:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        _stop(process)
