"""``python -m bench.serve``: SocialBlue's ASGI app on a free port of 127.0.0.1 (the tests'
:class:`tests.live.LiveASGIServer`, uvicorn), run by the bench in a child process. Prints the
base URL on one line, serves until its standard input closes or it is sent SIGTERM.
``BENCH_WS_DEFLATE`` (``0`` or ``1``) overrides whether it offers per-message deflate."""

import os
import resource
import signal
import sys
import threading


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65_536)), hard))
    from tests.live import LiveASGIServer

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    # BENCH_WS_DEFLATE=1 for the measurement that compares per-message deflate with none.
    deflate = os.environ.get("BENCH_WS_DEFLATE")
    server = LiveASGIServer() if deflate is None else LiveASGIServer(ws_per_message_deflate=deflate == "1")
    url = server.start()
    print(url, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
