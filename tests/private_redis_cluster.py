"""A Redis Cluster of the test session's own: three primaries, no replicas, on loopback ports
below the range the kernel hands out to outgoing connections, from the machine's own
``redis-server`` and ``redis-cli``, in a temporary folder. It is the timelines' topology in
production (``TIMELINE_REDIS_URL`` on a cluster) at its smallest.

    cluster = PrivateRedisCluster(folder)
    cluster.start()            # three primaries sharing the 16384 slots, cluster_state:ok
    cluster.url                # redis://127.0.0.1:<first port>/0: a seed node for RedisCluster
    cluster.stop()             # stops exactly the servers it started, by their pids

Each node's cluster bus listens on its port + 10000, so the three ports and their buses must
all be free: the first base port of ``BASE_PORTS`` where they are is taken, which lets two test
sessions (or a session beside a cluster started by hand) run at once. The shared Redis on 6379
is never touched.

The ``redis_cluster`` fixture (session scope) is made available by importing it into a test
module or a ``conftest.py``.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.faults.servers import wait_for_port

PRIMARIES = 3
BUS_OFFSET = 10_000
# 7101-7103 first; further bases when those (or their buses) are taken.
BASE_PORTS = tuple(range(7101, 7400, 10))
STARTUP_TIMEOUT_SECONDS = 30


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port() -> int:
    for base in BASE_PORTS:
        ports = [base + i for i in range(PRIMARIES)]
        if all(_free(p) and _free(p + BUS_OFFSET) for p in ports):
            return base
    raise RuntimeError("no free ports for a private Redis Cluster")


class PrivateRedisCluster:
    """``primaries`` nodes sharing the 16384 slots (three by default; the bench also runs one)."""

    def __init__(self, folder: Path | None = None, *, primaries: int = PRIMARIES):
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="socialblue-redis-cluster-"))
        self._own_folder = folder is None
        self.primaries = primaries
        self.ports: list[int] = []
        self.pids: dict[int, int] = {}

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    @property
    def addresses(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.ports]

    def node(self, port: int) -> redis.Redis:
        """A plain client of one node (the caller closes it)."""
        return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2, socket_timeout=5)

    def start(self) -> None:
        base = free_base_port()
        self.ports = [base + i for i in range(self.primaries)]
        try:
            for port in self.ports:
                self._start_node(port)
            if self.primaries == 1:
                # ``redis-cli --cluster create`` asks for three primaries; one takes every slot.
                node = self.node(self.ports[0])
                try:
                    node.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
                finally:
                    node.close()
            else:
                subprocess.run(
                    [
                        "redis-cli",
                        "--cluster",
                        "create",
                        *self.addresses,
                        "--cluster-replicas",
                        "0",
                        "--cluster-yes",
                    ],
                    check=True,
                    capture_output=True,
                    timeout=STARTUP_TIMEOUT_SECONDS,
                )
            self._wait_until_ok()
        except BaseException:
            self.stop()
            raise

    def _start_node(self, port: int) -> None:
        pidfile = self.folder / f"redis-{port}.pid"
        subprocess.run(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                str(self.folder / f"nodes-{port}.conf"),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--logfile",
                str(self.folder / f"redis-{port}.log"),
                "--dir",
                str(self.folder),
            ],
            check=True,
            capture_output=True,
            timeout=STARTUP_TIMEOUT_SECONDS,
        )
        wait_for_port(port, up=True, timeout=STARTUP_TIMEOUT_SECONDS)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not pidfile.exists() or not pidfile.read_text().strip():
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} wrote no pid file")
            time.sleep(0.05)
        self.pids[port] = int(pidfile.read_text())

    def _wait_until_ok(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        for port in self.ports:
            node = self.node(port)
            try:
                while node.cluster("info").get("cluster_state") != "ok":
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the cluster did not reach cluster_state:ok on port {port}")
                    time.sleep(0.1)
            finally:
                node.close()

    def stop_node(self, port: int) -> None:
        """Stop one primary (its slots are then served by nobody: no replicas)."""
        pid = self.pids.pop(port, None)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        wait_for_port(port, up=False)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        for port in list(self.pids):
            self.stop_node(port)
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[PrivateRedisCluster]:
    """A private three-primary Redis Cluster for the whole test session."""
    cluster = PrivateRedisCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
