"""The web pages in a real browser: Debian's Chromium driven by Playwright for Python.

The application runs under uvicorn on a loopback port, on a migrated SQLite
file. Every browser context refuses, and records, any request to a host other
than the loopback server; each test fails if one was attempted. Screenshots go
to ``test-output/browser/`` (kept by CI runs for people to look at).

Without a Chromium binary the tests are skipped (one line at the end of the run
says so); ``CORRIDOR_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that an error.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_engine, make_session_factory
from tests.conftest import BROWSER_SKIP_REASON, CHROMIUM, REQUIRE_BROWSER
from tests.live import serve

SCREENSHOTS = Path(__file__).parents[2] / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the run."""
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(BROWSER_SKIP_REASON, pytrace=False)
        pytest.skip(BROWSER_SKIP_REASON)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    """The application served on a loopback port."""

    url: str
    app: FastAPI
    engine: Engine
    session_factory: sessionmaker[Session]


@pytest.fixture
def live_server(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh migrated database and the application serving it."""
    path = tmp_path / "corridor.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    app = create_app(
        Settings(database_url=f"sqlite:///{path}", token_cache_seconds=0), engine=engine
    )
    url, stop = serve(app)
    try:
        yield LiveServer(
            url=url, app=app, engine=engine, session_factory=make_session_factory(engine)
        )
    finally:
        stop()
        engine.dispose()


@dataclass
class Browsing:
    """Opens guarded browser contexts and keeps what they tried to fetch from outside."""

    browser: Browser
    base_url: str
    test_name: str
    outside: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    shots: int = 0

    def context(self, *, locale: str = "en-GB") -> BrowserContext:
        """A new browser context (own cookies) that may talk to the loopback server only."""
        context = self.browser.new_context(
            base_url=self.base_url, locale=locale, viewport={"width": 1366, "height": 900}
        )

        def guard(route: Route) -> None:
            host = urlsplit(route.request.url).hostname or ""
            if host in LOOPBACK:
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        self.contexts.append(context)
        return context

    def sign_in(self, context: BrowserContext, username: str, password: str) -> Page:
        """Sign in through the sign-in form; the page the user lands on."""
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/login" not in page.url, f"sign-in as {username} failed"
        return page

    def shot(self, page: Page, name: str) -> Path:
        """Save a full-page screenshot under test-output/browser/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = SCREENSHOTS / f"{self.test_name}-{self.shots:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browsing(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    """Guarded browsing of the live server; fails the test on any outside request."""
    browsing = Browsing(
        browser=browser, base_url=live_server.url, test_name=request.node.name.removeprefix("test_")
    )
    yield browsing
    for context in browsing.contexts:
        context.close()
    assert browsing.outside == [], "requests to hosts other than the loopback server"
