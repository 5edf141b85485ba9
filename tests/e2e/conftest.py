"""Browser tests: the app served by a real threaded HTTP server on a free loopback port, with a
fresh database holding the demo data, driven through Playwright by Debian's chromium
(``/usr/bin/chromium``; no browser is ever downloaded).

Fixtures for the tests here:

- ``app``          overrides the suite's app: served over real HTTP (no SERVER_NAME), CSRF on,
                   a fresh database (SQLite file, or REMISS_TEST_DATABASE_URL) with the demo data
- ``live_server``  the running server: ``live_server.url``, ``live_server.app``
- ``browser``      one headless chromium for the whole session
- ``context``      a fresh browser context (its own cookies) on the live server; ``new_context()``
                   for a second person at the same time
- ``page``         a page in ``context``; fails the test on a Content-Security-Policy violation, a
                   JavaScript error or a 5xx response; on failure a screenshot and the HTML go to
                   test-artifacts/
- ``new_page()``   a page in another fresh context (another person), watched like ``page``
- ``sign_in(page, who)``  signs in through the login form (a demo account's e-mail or Role)
- ``site``         (one per module) the demo site with what ``pages.prepare_screens`` adds, and
                   one signed-in page per role: ``site.open(screen)`` opens a ``pages.Screen``
- ``on_site``      ``site`` for one test: the browser's problems fail it, a failure is saved

and the helpers in ``tests/e2e/axe.py`` (``assert_accessible``) and ``tests/e2e/pages.py``
(``demo_account``, ``sign_in``, ``sign_out``, ``password_link``, ``focused``, ``tab_to``).
Browser contexts are isolated from each other (Playwright starts chromium with a fresh,
temporary user-data-dir and each context is a separate incognito-like profile).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from remiss import PROJECT_ROOT, create_app
from remiss.demo import load_demo
from remiss.extensions import db
from tests.conftest import TEST_DATABASE_URL, empty_schema
from tests.e2e.pages import sign_in as _sign_in
from tests.servers import werkzeug_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@contextlib.contextmanager
def demo_app(folder) -> Iterator[Flask]:
    """The app as the browser sees it: real HTTP on 127.0.0.1, CSRF protection on, demo data."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "e2e",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{folder / 'e2e.sqlite'}",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "WTF_CSRF_ENABLED": True,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",  # the production profile is slow on purpose
    }
    app = create_app(config)
    with app.app_context():
        empty_schema()
        db.create_all()
        load_demo()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with demo_app(tmp_path) as app:
        yield app


@pytest.fixture(autouse=True)
def _no_csrf_in_unit_tests():
    """Overrides the suite's fixture of the same name: in the browser CSRF protection stays on."""


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(app):
    with werkzeug_server(app) as url:
        app.config["BASE_URL"] = url  # links in e-mail point at this server
        yield LiveServer(app=app, url=url)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Each context below starts from a fresh, temporary profile (user-data-dir).
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context()`` opens another browser context: another person with their own cookies."""
    contexts = []

    def open_context(**options):
        options = {"base_url": live_server.url, "locale": "sv-SE", "accept_downloads": True, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


def _watch(page, problems: list[str]) -> None:
    """Collect what must fail a test: a JavaScript error, a 5xx response, a CSP violation."""
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"Server error: {response.status} {response.request.method} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            problems.append(f"Console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def new_page(new_context, request):
    """``new_page()`` opens a page in a fresh browser context: another person, watched like
    ``page`` (JavaScript errors, 5xx, CSP) and with a screenshot of it when the test fails."""
    pages: list = []
    problems: list[str] = []

    def open_page(**options):
        page = new_context(**options).new_page()
        _watch(page, problems)
        pages.append(page)
        return page

    yield open_page
    if _failed(request.node):
        for number, page in enumerate(pages, start=1):
            save_artifacts(page, f"{request.node.nodeid}-person{number}")
    if problems and not _failed(request.node):
        pytest.fail("The browser reported:\n" + "\n".join(problems))


@pytest.fixture
def page(context, request):
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    yield page
    if _failed(request.node):
        save_artifacts(page, request.node.nodeid)
    if problems and not _failed(request.node):
        pytest.fail("The browser reported:\n" + "\n".join(problems))


@pytest.fixture
def sign_in():
    return _sign_in


def save_artifacts(page, name: str) -> None:
    """A screenshot and the HTML of ``page`` under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - a closed page must not hide the real failure
        (ARTIFACTS / f"{stem}.txt").write_text(f"No screenshot: {error}\n", encoding="utf-8")


def _failed(item) -> bool:
    return any(
        getattr(item, f"report_{when}", None) and getattr(item, f"report_{when}").failed
        for when in ("setup", "call")
    )


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# One site for a whole module: the page-wide tests (test_e2e_reflow.py, test_e2e_keyboard_walk.py)
# open every page of every role; they share one server and sign each role in once.


class Site:
    """The demo site with what ``tests/e2e/pages.py`` prepares for its screens, and one signed-in
    browser page per role (one context each, so each keeps its own cookies)."""

    def __init__(self, browser, app: Flask, url: str, names: dict):
        self.browser, self.app, self.url, self.names = browser, app, url, names
        self._pages: dict = {}
        self.problems: list[str] = []
        self.current = None

    def page(self, role):
        if role not in self._pages:
            context = self.browser.new_context(
                base_url=self.url, locale="sv-SE", viewport={"width": 1280, "height": 800}
            )
            context.set_default_timeout(10_000)
            page = context.new_page()
            _watch(page, self.problems)
            if role is not None:
                _sign_in(page, role)
            self._pages[role] = page
        return self._pages[role]

    def open(self, screen):
        """Open ``screen`` (a ``pages.Screen``) as its role, at 1280 × 800, and bring its state about."""
        page = self.current = self.page(screen.role)
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(screen.path.format(**self.names))
        assert response is not None and response.status == screen.status, (
            f"{screen.id}: {screen.path} answered {response and response.status}, not {screen.status}"
        )
        if screen.act is not None:
            screen.act(page)
        return page

    def fail_on_problems(self) -> None:
        problems, self.problems[:] = list(self.problems), []
        if problems:
            pytest.fail("The browser reported:\n" + "\n".join(problems))

    def close(self) -> None:
        for page in self._pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    from tests.e2e.pages import prepare_screens

    with demo_app(tmp_path_factory.mktemp("site")) as app, werkzeug_server(app) as url:
        app.config["BASE_URL"] = url
        site = Site(browser, app, url, prepare_screens(app))
        yield site
        site.close()


@pytest.fixture
def on_site(site, request):
    """``site`` for one test: the browser's problems fail it, and a failure leaves a screenshot."""
    yield site
    if _failed(request.node):
        if site.current is not None:
            save_artifacts(site.current, request.node.nodeid)
        site.problems.clear()
    site.fail_on_problems()
