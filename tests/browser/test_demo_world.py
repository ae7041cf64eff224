"""The demo world in the browser, as a newcomer meets it after ``make run``.

The database is built by the same commands ``make run`` runs (a smaller world),
the demo accounts are created with their generated password, and each demo user
signs in and opens every page of their menu. No page may log a script error
(a Content-Security-Policy violation is one) or ask any host but the server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

from corridor.app import create_app
from corridor.config import Settings
from corridor.demo.accounts import SYSTEM_USER, USERS
from corridor.demo.selectivity import ANALYST
from corridor.web.state import state_of
from tests.browser.conftest import Browsing
from tests.live import serve

DECLARATIONS = 3000


@dataclass
class DemoServer:
    url: str
    password: str


def corridor(*args: str, env: dict[str, str]) -> None:
    """Run the corridor command line as ``make run`` does."""
    done = subprocess.run(
        [sys.executable, "-m", "corridor.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'corridor.db'}"
    env = {**os.environ, "CORRIDOR_DATABASE_URL": url, "CORRIDOR_DEMO": "1"}
    corridor("db", "upgrade", env=env)
    corridor("demo", "generate", "--declarations", str(DECLARATIONS), "--seed", "2026", env=env)
    credentials = folder / "demo-credentials.json"
    corridor("demo", "accounts", "--credentials", str(credentials), env=env)
    password = json.loads(credentials.read_text())["password"]
    app = create_app(Settings(database_url=url, demo=True))
    base, stop = serve(app)
    try:
        yield DemoServer(url=base, password=password)
    finally:
        stop()
        state_of(app).engine.dispose()


@pytest.fixture
def demo_browsing(
    browser: Browser, demo_server: DemoServer, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    browsing = Browsing(
        browser=browser, base_url=demo_server.url, test_name=request.node.name.removeprefix("test_")
    )
    yield browsing
    for context in browsing.contexts:
        context.close()
    assert browsing.outside == [], "requests to hosts other than the loopback server"


#: Form controls a person fills in that have no label a screen reader would announce.
UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button"].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                && !el.getAttribute("aria-labelledby"))
  .map(el => el.outerHTML.slice(0, 120))"""


def watch_errors(page: Page) -> list[str]:
    """Script errors and console errors of the page, as they happen."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def on_error(error: Error) -> None:
        errors.append(f"script: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    return errors


def test_the_analyst_sees_a_populated_dashboard(
    demo_browsing: Browsing, demo_server: DemoServer
) -> None:
    context = demo_browsing.context()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/")
    assert "/login" in page.url
    page.fill("#username", ANALYST)
    page.fill("#password", demo_server.password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard$"))
    # Plotly drew the charts (its SVG is in the page) and the tables beneath have rows.
    page.wait_for_selector(".chart .main-svg")
    assert page.locator(".chart .main-svg").count() >= 2
    assert page.locator("table tbody tr").count() >= 3
    demo_browsing.shot(page, "dashboard")
    assert errors == []


@pytest.mark.parametrize("username", [user[0] for user in USERS if user[0] != SYSTEM_USER])
def test_every_page_of_the_menu_opens_without_errors(
    demo_browsing: Browsing, demo_server: DemoServer, username: str
) -> None:
    page = demo_browsing.sign_in(demo_browsing.context(), username, demo_server.password)
    errors = watch_errors(page)
    # The keyboard's first stop is the link that skips the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    links = page.locator("header nav a")
    paths = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert paths, f"{username} has no menu"
    for path in paths:
        assert path is not None
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} as {username}: {response.status}"
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() >= 1, f"{path} as {username} has no heading"
        assert page.evaluate(UNLABELLED) == [], f"{path} as {username}: inputs without a label"
        demo_browsing.shot(page, f"{username}-{path.strip('/').replace('/', '-')}")
    assert errors == [], f"{username}: {errors}"


def test_the_inspectors_find_the_last_hours_selections_in_their_queue(
    demo_browsing: Browsing, demo_server: DemoServer
) -> None:
    waiting = 0
    for username in ("inspector.bishkek", "inspector.osh"):
        page = demo_browsing.sign_in(demo_browsing.context(), username, demo_server.password)
        page.goto("/queue")
        waiting += page.get_by_role("link", name="Record act").count()
        demo_browsing.shot(page, f"{username}-queue")
    assert waiting >= 1
