"""An owner of ``alpha`` in a real browser: login, the dashboard in Russian, a phone, English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

MOBILE_SCREENSHOT = "/tmp/dashboard-375.png"


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Open the portal (which sends an anonymous visitor to the login page) and sign in."""
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")


def test_owner_logs_in_and_sees_the_dashboard_in_russian(new_page, alpha_url, browser_owner):
    page = new_page()
    page.goto(f"{alpha_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    # The login form's labels are Russian.
    expect(page.locator("label[for=id_username]")).to_have_text("Электронная почта")
    expect(page.locator("label[for=id_password]")).to_have_text("Пароль")
    expect(page.locator("h1")).to_have_text("Войти")

    log_in(page, alpha_url, browser_owner.email, TEST_PASSWORD)

    expect(page).to_have_url(f"{alpha_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Добро пожаловать, Мария")
    expect(page.locator(".card[data-section=home] h2")).to_have_text("Мой дом")
    # No placeholder cards: every card links to its page.
    expect(page.locator(".card h2:not(:has(a))")).to_have_count(0)
    # An owner sees the owner's sections only.
    expect(page.locator(".card[data-section=ledger]")).to_have_count(0)


def test_dashboard_fits_a_375px_phone(new_page, alpha_url, browser_owner):
    page = new_page(width=375, height=812)
    log_in(page, alpha_url, browser_owner.email, TEST_PASSWORD)
    expect(page).to_have_url(f"{alpha_url}/")
    expect(page.locator(".card").first).to_be_visible()

    scroll_width = settled_scroll_width(page)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 375, f"an element reaches {widest}px, beyond the 375 px viewport"
    page.screenshot(path=MOBILE_SCREENSHOT, full_page=True)


def test_english_switch_shows_the_page_in_english(new_page, alpha_url, browser_owner):
    page = new_page()
    log_in(page, alpha_url, browser_owner.email, TEST_PASSWORD)
    expect(page).to_have_url(f"{alpha_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{alpha_url}/")
    expect(page.locator(".card[data-section=home] h2")).to_have_text("My home")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The switch back is offered in Russian.
    expect(page.get_by_role("button", name="Русский")).to_be_visible()


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(
    new_page, alpha_url, browser_owner
):
    page = new_page()
    log_in(page, alpha_url, browser_owner.email, "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.locator(".errors[role=alert]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Неверный адрес электронной почты или пароль")
    # The form is shown again, with the email kept and the password field empty.
    expect(page.locator("input[name=username]")).to_have_value(browser_owner.email)
    expect(page.locator("input[name=password]")).to_have_value("")
