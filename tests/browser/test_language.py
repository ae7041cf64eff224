"""The language switch in the browser: Russian labels after switching, kept per user."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Browsing, LiveServer
from tests.staff import PASSWORD, seed_staff


def test_switching_to_russian_shows_russian_labels_and_is_kept(
    browsing: Browsing, live_server: LiveServer
) -> None:
    seed_staff(live_server.session_factory, passwords=True)
    context = browsing.context()
    page = browsing.sign_in(context, "risk_analyst", PASSWORD)
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    # The select submits its form on change; wait for that navigation, not for an idle
    # network (the page is idle before the submission starts).
    with page.expect_navigation():
        page.select_option("#language-switch", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.get_by_role("button", name="Выйти").is_visible()
    assert page.get_by_role("link", name="Профили рисков").is_visible()
    browsing.shot(page, "russian")

    # Another browser, the same user: the language came with the account.
    other = browsing.sign_in(browsing.context(), "risk_analyst", PASSWORD)
    assert other.locator("html").get_attribute("lang") == "ru"


def test_the_sign_in_page_follows_the_browser_language(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page = browsing.context(locale="ru-RU").new_page()
    page.goto("/login")
    assert page.get_by_role("heading", name="Войти").is_visible()
    assert page.get_by_label("Имя пользователя").is_visible()
    browsing.shot(page, "login-ru")
