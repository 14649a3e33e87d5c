"""In a real browser, on a phone (375 px): a member opens "Безопасность" from the top menu,
types a wrong current password and reads why nothing changed, changes the password, signs out
and signs in again with the new one (the old one no longer works)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OWNER_EMAIL
from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Lilac-harbour-4417"


@pytest.fixture
def security_owner(browser_owner, alpha):
    """``browser_owner``; afterwards the audit entries and notifications the test made are gone
    (the owner and the sessions go with ``browser_owner``)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.notifications.models import Message

    with schema_context(alpha.schema_name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        messages_before = set(Message.objects.values_list("pk", flat=True))
    try:
        yield browser_owner
    finally:
        with schema_context(alpha.schema_name):
            Message.objects.exclude(pk__in=messages_before).delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])


def sign_in(page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", OWNER_EMAIL)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")


def test_member_changes_the_password_and_signs_in_with_it(new_page, alpha_url, security_owner):
    page = new_page(width=375, height=812)
    sign_in(page, alpha_url, TEST_PASSWORD)
    expect(page).to_have_url(f"{alpha_url}/")

    # The top menu leads to the security page.
    page.click("header a[href='/accounts/security/']")
    expect(page.locator("h1")).to_have_text("Безопасность")
    assert settled_scroll_width(page) <= 375
    page.click("a[href='/accounts/security/password/']")
    expect(page.locator("h1")).to_have_text("Сменить пароль")

    # A wrong current password: a clear message, nothing changed.
    page.fill("input[name=old_password]", "not-my-password")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator("form.stack")).to_contain_text("Текущий пароль неверен")
    assert settled_scroll_width(page) <= 375

    page.fill("input[name=old_password]", TEST_PASSWORD)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/accounts/security/")
    expect(page.locator(".messages")).to_contain_text("Пароль изменён")
    assert settled_scroll_width(page) <= 375

    # Still signed in here; sign out, and the old password no longer opens the portal.
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    sign_in(page, alpha_url, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("form.stack")).to_contain_text("Неверный адрес электронной почты")

    sign_in(page, alpha_url, NEW_PASSWORD)
    expect(page).to_have_url(f"{alpha_url}/")
    page.goto(f"{alpha_url}/accounts/security/")
    expect(page.locator("h1")).to_have_text("Безопасность")
