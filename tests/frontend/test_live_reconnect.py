"""The live socket's browser client reconnects after a random wait over a window that doubles
and is capped (``frontend/static/frontend/js/live.js``, the ``reconnect`` rule of
``feed/events.py``): a deploy closes every socket of a server at once, and the browsers must
not all come back at the same moment.

The script runs under Node with a stand-in for the page, the socket and the timer: each close
is answered by one timer whose delay the test reads.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from feed.events import RECONNECT

LIVE_JS = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend" / "js" / "live.js"

HARNESS = r"""
const fs = require("fs");
const sockets = [];
const timers = [];
const randoms = JSON.parse(process.argv[2]);
let r = 0;
Math.random = function () { return randoms[r++ % randoms.length]; };
class FakeSocket {
  constructor(url) { this.url = url; this.listeners = {}; this.readyState = 0; sockets.push(this); }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  send() {}
  fire(type, event) { (this.listeners[type] || []).forEach(function (fn) { fn(event || {}); }); }
}
FakeSocket.OPEN = 1;
global.WebSocket = FakeSocket;
global.window = {};
global.location = { protocol: "http:", host: "example.test", assign: function () {} };
global.CustomEvent = function (type, init) { this.type = type; this.detail = init.detail; };
global.document = {
  body: { dataset: { live: "on", lastActivity: "0" } },
  dispatchEvent: function () {},
  getElementById: function () { return null; },
};
global.setTimeout = function (fn, ms) { timers.push({ fn: fn, ms: ms }); return timers.length; };
eval(fs.readFileSync(process.argv[1], "utf8"));

const steps = JSON.parse(process.argv[3]);
const delays = [];
for (const step of steps) {
  const socket = sockets[sockets.length - 1];
  if (step.hello) {
    socket.fire("open");
    socket.fire("message", { data: JSON.stringify({ type: "hello", user: "ana" }) });
  }
  const before = timers.length;
  socket.fire("close", { code: step.code });
  const timer = timers.length > before ? timers[timers.length - 1] : null;
  delays.push(timer && timer.ms);
  if (timer) timer.fn();  // the wait is over: the page connects again
}
process.stdout.write(JSON.stringify(delays));
"""

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the page script")


def delays(steps: list[dict], randoms: list[float]) -> list[float | None]:
    done = subprocess.run(
        ["node", "-e", HARNESS, str(LIVE_JS), json.dumps(randoms), json.dumps(steps)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_server_going_away_is_answered_after_a_random_wait_over_a_doubling_capped_window():
    # The largest random number: each delay is its whole window.
    got = delays([{"code": 1006, "hello": n == 0} for n in range(8)], [0.999999])
    windows = [round(d / 0.999999) for d in got]
    assert windows == [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]


def test_the_wait_is_random_within_the_window_never_at_once_for_everyone():
    got = delays([{"code": 1001, "hello": True}] * 4, [0.0, 0.25, 0.5, 0.75])
    # Each socket said hello before it closed: every reconnect is a first attempt (2 s window).
    assert got == [0.0, 500.0, 1000.0, 1500.0]


def test_a_socket_that_says_hello_starts_the_window_again():
    got = delays(
        [{"code": 1013, "hello": True}, {"code": 1013}, {"code": 1013}, {"code": 1013, "hello": True}],
        [0.5],
    )
    assert got == [1000.0, 2000.0, 4000.0, 1000.0]


def test_a_socket_whose_credential_ended_does_not_come_back():
    assert delays([{"code": 4401, "hello": True}], [0.5]) == [None]
    assert delays([{"code": 4403, "hello": True}], [0.5]) == [None]


def test_the_socket_documentation_gives_mobile_clients_the_same_rule():
    assert "2 s" in RECONNECT and "doubles" in RECONNECT and "60 s" in RECONNECT
