"""``python -m bench.serve``: SocialBlue's ASGI app on a free port of 127.0.0.1 (the tests'
:class:`tests.live.LiveASGIServer`, uvicorn), run by the bench in a child process. Prints the
base URL on one line, serves until its standard input closes or it is sent SIGTERM."""

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
    server = LiveASGIServer()
    url = server.start()
    print(url, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
