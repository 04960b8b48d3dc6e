"""Browser stories: Playwright drives Debian's Chromium (``/usr/bin/chromium``, never a
downloaded browser) against a live server (``tests/live.py``) on the test database.

* One browser for the whole folder; each test opens fresh contexts (``new_page``) — a context
  is one person's browser: its own cookies, its own socket.
* The server runs in this process: it reads what the test committed, so every test here is
  ``@pytest.mark.django_db(transaction=True)`` (``pytestmark`` in each module). Celery tasks
  run eagerly inside the request that sends them (photo processing); stored files go to a
  temporary MEDIA_ROOT; static files come from the app directories through whitenoise.
* When a test fails, every open page is saved as a full-page screenshot, and the main pages
  of each signed-in person are visited and saved too, under ``var/e2e-artifacts/<test>/``.
* Every page is watched: a script error, a Content-Security-Policy violation, a stylesheet,
  script or image that does not load, or a server error (5xx) fails a test that passed.

Without ``/usr/bin/chromium`` (``E2E_CHROMIUM`` names another) the whole folder is skipped;
``pytest -m "not e2e"`` leaves it out.
"""

import contextlib
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

from demo.company import DEMO_PASSWORD, MIN_EMPLOYEES

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# Playwright's waits, in milliseconds: generous for a 2-core CI box, short enough to fail fast.
TIMEOUT_MS = 7_000
# The main pages saved after a failure, by their path (``{username}``: the signed-in person).
MAIN_PAGES = {
    "home": "/",
    "people": "/people/",
    "profile": "/people/{username}/",
    "albums": "/albums/",
    "alumni": "/alumni/",
    "connections": "/connections/",
    "notifications": "/notifications/",
    "settings": "/settings/",
}


def pytest_configure(config):
    if not any(line.split(":")[0].strip() == "e2e" for line in config.getini("markers")):
        config.addinivalue_line("markers", "e2e: browser tests driving Chromium")


def pytest_collection_modifyitems(config, items):
    missing = not CHROMIUM.exists()
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
            if missing:
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
                    )
                )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


# --- The browser and the server ---------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One headless Chromium for the folder (``--no-sandbox``: CI runs as root).

    Playwright's sync API keeps its event loop marked as running in this thread between
    calls, so Django would refuse the test's own queries (seeding, the flush after each test)
    as "async-unsafe": they are allowed while the browser is open, and only then."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def server(transactional_db, settings, media_root, eager_tasks, fresh_timelines, live_asgi) -> str:
    """The live server's base URL, once it serves the stylesheet (a page without its CSS and
    scripts would make every story below fail for the wrong reason)."""
    settings.SERVE_AVATARS = True  # as under DEBUG (tests run without it)
    status = _status_of(f"{live_asgi}/static/frontend/app.css")
    if status != 200:
        pytest.fail(
            f"the live server answers {status} for /static/frontend/app.css: whitenoise serves the "
            "apps' static files only with WHITENOISE_USE_FINDERS (settings.py: DEBUG when the "
            "ASGI app was first imported), else from STATIC_ROOT after collectstatic"
        )
    return live_asgi


def _status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def beside_the_browser(function, /, *args, **kwargs):
    """``function(*args, **kwargs)`` in a thread of its own, for a service that sends live
    events (``async_to_sync``), which it cannot do in this thread while Playwright's loop is
    marked as running here. The thread's database connection is closed when it is done."""

    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


class Demo:
    """The demo company's sign-ins: ``demo.employee``, ``demo.alumnus``, ``demo.hr``, … are
    usernames; every account's password is ``demo.password``."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.password = re.search(r"password is: (\S+)\)", output).group(1)
        table = output.split("Demo sign-ins", 1)[1].splitlines()[3:]
        self.roles: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for line in table:
            if line.strip():
                role, username, name = re.split(r"\s{2,}", line.strip())[:3]
                self.roles[role] = username
                self.names[username] = name
        self.employee = self.roles["employee"]
        self.manager = self.roles["manager"]
        self.alumnus = self.roles["alumnus"]
        self.hr = self.roles["HR officer"]
        self.ceo = self.roles["CEO"]

    def name_of(self, username: str) -> str:
        return self.names[username]


@pytest.fixture
def demo(server) -> Demo:
    """The smallest demo company (``manage.py seed_demo``), committed for the live server:
    no avatars and no albums (drawing and processing their pictures is most of the time)."""
    out = StringIO()
    call_command("seed_demo", employees=MIN_EMPLOYEES, avatars=0, albums=0, seed=1, stdout=out)
    demo = Demo(out.getvalue())
    assert demo.password == DEMO_PASSWORD
    return demo


# --- Pages, and what is kept when a test fails -----------------------------------------------


class Watched:
    """What went wrong on one page while the test drove it."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.console: list[str] = []


def _watch(page: Page) -> Watched:
    watched = Watched()

    def on_console(message):
        watched.console.append(f"{message.type}: {message.text}")
        text = message.text
        if message.type == "error" and (
            "Content Security Policy" in text or "Refused to" in text or "Uncaught" in text
        ):
            watched.problems.append(f"console error on {page.url}: {text}")

    def on_response(response):
        if response.status >= 500 or (_is_resource(response.request) and response.status >= 400):
            watched.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def on_request_failed(request):
        failure = request.failure or ""
        # A navigation away aborts what the old page was still loading: not a problem.
        if _is_resource(request) and "ERR_ABORTED" not in failure:
            watched.problems.append(f"{request.url} did not load: {failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.problems.append(f"script error on {page.url}: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    return watched


# What a page loads to be whole; a browser's own request for /favicon.ico does not count.
RESOURCES = {"stylesheet", "script", "image", "font", "media"}


def _is_resource(request) -> bool:
    return request.resource_type in RESOURCES and urllib.parse.urlsplit(request.url).path != "/favicon.ico"


class Browsers:
    """The browser contexts (people) a test opened; each is closed when the test ends."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.watched: dict[int, Watched] = {}
        self.signed_in: dict[int, str] = {}  # id(context) → username
        self.saving = False  # pages opened to save artifacts are not the story's: unwatched

    def new_page(self, *, viewport: dict | None = None) -> Page:
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport or DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS * 2)
        # Page scripts tell when the live socket is open (``sb:live.open``); tests wait for it.
        context.add_init_script(
            "document.addEventListener('sb:live.open', () => { window.__sbLiveOpen = true; });"
            "document.addEventListener('sb:live.closed', () => { window.__sbLiveOpen = false; });"
        )
        context.on("page", lambda page: self.saving or self.watched.setdefault(id(page), _watch(page)))
        self.contexts.append(context)
        page = context.new_page()
        self.watched.setdefault(id(page), _watch(page))
        return page

    def problems(self) -> list[str]:
        return [problem for watched in self.watched.values() for problem in watched.problems]

    def save_artifacts(self, directory: Path) -> None:
        """Full-page screenshots of every open page, then of each signed-in person's main
        pages, and ``pages.txt`` (their addresses and console messages). Best effort: nothing
        here may hide the test's own failure."""
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
        notes: list[str] = []
        self.saving = True
        try:
            for number, context in enumerate(self.contexts, start=1):
                self._save_open_pages(context, f"person{number}", directory, notes)
                if username := self.signed_in.get(id(context)):
                    self._save_main_pages(context, f"person{number}-{username}", username, directory, notes)
        finally:
            self.saving = False
            (directory / "pages.txt").write_text("\n".join(notes) + "\n")

    def _save_open_pages(self, context, prefix: str, directory: Path, notes: list[str]) -> None:
        for number, page in enumerate(list(context.pages), start=1):
            name = f"{prefix}-page{number}-open"
            notes.append(f"{name}: {page.url}")
            if watched := self.watched.get(id(page)):
                notes.extend(f"    {line}" for line in watched.console)
            _screenshot(page, directory / f"{name}.png", notes)

    def _save_main_pages(
        self, context, prefix: str, username: str, directory: Path, notes: list[str]
    ) -> None:
        try:
            page = context.new_page()
        except Exception as error:
            notes.append(f"{prefix}: no new page: {error}")
            return
        try:
            for title, path in MAIN_PAGES.items():
                name = f"{prefix}-{title}"
                try:
                    response = page.goto(path.format(username=username), timeout=5_000)
                    notes.append(f"{name}: {page.url} ({response.status if response else '?'})")
                except Exception as error:
                    notes.append(f"{name}: {error}")
                    continue
                _screenshot(page, directory / f"{name}.png", notes)
        finally:
            with contextlib.suppress(Exception):
                page.close()

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


def _screenshot(page: Page, path: Path, notes: list[str]) -> None:
    try:
        page.screenshot(path=path, full_page=True, timeout=5_000)
    except Exception as error:
        notes.append(f"{path.name}: no screenshot: {error}")


@pytest.fixture
def browsers(browser, server, request) -> Browsers:
    """Open a person's browser with ``browsers.new_page()`` (any number of them)."""
    opened = Browsers(browser, server)
    yield opened
    report = getattr(request.node, "e2e_report_call", None)
    try:
        problems = opened.problems() if report is not None and report.passed else []
        if (report is not None and report.failed) or problems:
            opened.save_artifacts(ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name))
        assert not problems, "the pages had problems:\n" + "\n".join(problems)
    finally:
        opened.close()


@pytest.fixture
def page(browsers) -> Page:
    """A desktop-sized browser page of its own."""
    return browsers.new_page()


@pytest.fixture
def sign_in(browsers):
    """``sign_in(page, username)``: sign in through the sign-in page, as a person would."""

    def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto("/signin/")
        page.get_by_label("Username or email").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/signin/" not in url)
        browsers.signed_in[id(page.context)] = username
        return page

    return sign_in
