"""A board signs up in a real browser: the form on the public site (with the live subdomain
check), the link from the email, and the chairman's first page on the new subdomain."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"http://localhost:\d+/signup/confirm/[0-9a-f-]+/[A-Za-z0-9_-]+/")
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def public_url(db_unblocked, live_server, settings):
    """The public site on the live server; the form may be sent a second after it is shown."""
    from django.core.cache import cache
    from django.db import connections

    settings.SIGNUP_MIN_FILL_SECONDS = 1
    cache.clear()
    yield f"http://localhost:{live_server.thread.port}"
    cache.clear()
    # Playwright's event loop makes Django keep this thread's connection in a context-local
    # slot the test database's teardown never closes (see tests/browser/conftest.py).
    connections.close_all()


@pytest.fixture
def made_here():
    """Subdomains this test provisions (committed by the live server), removed afterwards."""
    slugs: list[str] = []
    yield slugs
    from django.core.cache import cache
    from django.db import connections

    from signup.models import PendingSignup
    from tests.platform.associations.support import remove_committed

    PendingSignup.objects.all().delete()
    remove_committed(slugs)
    cache.clear()
    connections.close_all()


def assert_no_horizontal_scroll(page) -> None:
    width = page.viewport_size["width"]
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= width, f"horizontal scroll: scrollWidth is {scroll_width}"


def test_a_board_signs_up_and_the_chairman_lands_on_the_new_portal(new_page, public_url, made_here):
    from tests.platform.associations.support import unique_slug

    slug = unique_slug("br")
    made_here.append(slug)
    email = f"{slug}@example.test"
    page = new_page(**PHONE)

    # The public site: what the portal is, plans, and the form.
    page.goto(f"{public_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator('[data-plan="house"]')).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.fill("#id_name", "ТСЖ «Браузерная, 1»")
    page.select_option("#id_kind", "tszh")
    # The live check answers while the board types: a reserved word first, then a free one.
    page.fill("#id_slug", "admin")
    expect(page.locator("#slug-status .signup-slug-bad")).to_be_visible()
    page.fill("#id_slug", slug)
    expect(page.locator("#slug-status .signup-slug-ok")).to_contain_text(f"{slug}.localhost")
    page.select_option("#id_time_zone", "Asia/Yekaterinburg")
    page.fill("#id_chairman_name", "Ирина Павловна Соколова")
    page.fill("#id_email", email)
    page.fill("#id_password1", TEST_PASSWORD)
    page.fill("#id_password2", TEST_PASSWORD)
    page.check("#id_consent")
    assert_no_horizontal_scroll(page)
    page.screenshot(path="/tmp/signup-landing-375.png", full_page=True)
    page.wait_for_timeout(1100)  # a person takes longer than a second
    page.click("#signup-form button[type=submit]")

    expect(page).to_have_url(f"{public_url}/signup/sent/")
    (message,) = [m for m in mail.outbox if m.to == [email]]
    link = LINK_RE.search(message.body).group(0)

    # The link from the email: what will be created, and the button that creates it.
    page.goto(link)
    expect(page.locator("#id_slug")).to_have_value(slug)
    page.click("form.stack button[type=submit]")
    expect(page.locator("#open-portal")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.click("#open-portal")

    # Handed over to the new subdomain, signed in: the chairman's role asks for the second
    # factor first, then the first steps.
    portal = f"http://{slug}.localhost:{public_url.rsplit(':', 1)[1]}"
    expect(page).to_have_url(re.compile(rf"^{re.escape(portal)}/accounts/second-factor/"))
    expect(page.locator(".qr svg")).to_be_visible()
    assert_no_horizontal_scroll(page)
    secret = page.locator("code.secret").inner_text()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("form.stack button[type=submit]")

    expect(page).to_have_url(f"{portal}/welcome/first-steps/")
    expect(page.locator('[data-step="premises"]')).to_be_visible()
    expect(page.locator('[data-step="members"] a')).to_have_attribute("href", "/invitations/")
    expect(page.locator('[data-step="second_factor"]')).to_have_class(re.compile("is-done"))
    assert_no_horizontal_scroll(page)
    page.screenshot(path="/tmp/signup-first-steps-375.png", full_page=True)

    # The session belongs to the new subdomain only: the public site knows nobody.
    page.goto(f"{public_url}/console/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_bad_input_is_shown_beside_the_field_and_the_form_keeps_what_was_typed(
    new_page, public_url, alpha
):
    page = new_page()
    page.goto(f"{public_url}/")
    page.fill("#id_name", "ТСЖ «Ошибка»")
    page.fill("#id_inn", "7707083894")
    page.fill("#id_ogrn", "1027700132195")
    page.fill("#id_slug", "alpha")
    page.fill("#id_chairman_name", "Пётр Ильич Козлов")
    page.fill("#id_email", "kozlov@example.test")
    page.fill("#id_password1", "12345678")
    page.fill("#id_password2", "12345678")
    page.check("#id_consent")
    page.wait_for_timeout(1100)
    page.click("#signup-form button[type=submit]")

    for field in ("inn", "slug", "password1"):
        errors = page.locator(f".signup-field:has(#id_{field}) .errorlist[role=alert]")
        expect(errors).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("ТСЖ «Ошибка»")
    expect(page.locator("#id_password1")).to_have_value("")
