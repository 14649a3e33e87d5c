"""The portal's menu in a real browser on a 375 px phone: the chairman and an owner open it, see
the sections their roles open (the apps' declarations decide which), follow one, and no page of
the menu scrolls sideways.

Entries are found by their section keys (``data-section``), not their words.
"""

from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
CHAIRMAN_EMAIL = "browser-nav-chairman@example.test"
OWNER_EMAIL = "browser-nav-owner@example.test"
MENU_SCREENSHOT = "/tmp/menu-375.png"


def expected_menu(roles) -> list[str]:
    """The menu's entries for these roles as the declarations say: the dashboard first."""
    from django.urls import set_urlconf

    from core.extensions import sections_for

    set_urlconf("config.urls_tenant")
    try:
        return ["dashboard", *(section.key for section, _url in sections_for(roles))]
    finally:
        set_urlconf(None)


@pytest.fixture
def nav_people(db_unblocked, alpha):
    """A chairman with a confirmed authenticator and an owner, committed for the live server;
    removed afterwards with their sessions and the audit entries their visit wrote."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from core.audit.models import AuditEntry
    from tests.factories import UserFactory

    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        audit_before = set(AuditEntry.objects.values_list("id", flat=True))
        chairman = UserFactory(email=CHAIRMAN_EMAIL, full_name="Орлов Иван", roles=[Role.CHAIRMAN])
        secret = pyotp.random_base32()
        factor = SecondFactor(user=chairman, secret=secret)
        factor.confirmed_at = datetime.datetime.now(datetime.UTC)
        factor.save()
        owner = UserFactory(email=OWNER_EMAIL, full_name="Зайцева Анна", roles=[Role.OWNER])
    try:
        yield {"secret": secret}
    finally:
        with schema_context(alpha.schema_name):
            new_entries = [
                str(pk)
                for pk in AuditEntry.objects.values_list("id", flat=True)
                if pk not in audit_before
            ]
            if new_entries:
                # The audit log refuses deletes through the ORM; this test's rows go by SQL.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = ANY(%s::uuid[])",  # noqa: S608
                        [new_entries],
                    )
            Session.objects.exclude(session_key__in=sessions_before).delete()
            type(owner).objects.filter(pk__in=[owner.pk, chairman.pk]).delete()
        cache.clear()
        connections.close_all()


def sign_in(page, base_url: str, email: str, secret: str | None = None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    if secret:
        expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base_url}/")


def fits_the_phone(page) -> None:
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= PHONE["width"], f"{page.url}: horizontal scroll ({scroll_width}px)"


def open_menu(page) -> list[str]:
    """Open the collapsed menu; the section keys of its entries."""
    toggle = page.locator(".portal-menu .menu-toggle")
    entries = page.locator(".portal-menu-list a")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(entries.first).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(entries.first).to_be_visible()
    fits_the_phone(page)
    return entries.evaluate_all("links => links.map(a => a.dataset.section)")


def test_owner_opens_the_menu_and_follows_my_home(new_page, alpha_url, nav_people):
    from core.access.roles import Role

    page = new_page(**PHONE)
    sign_in(page, alpha_url, OWNER_EMAIL)
    fits_the_phone(page)

    keys = open_menu(page)
    assert keys == expected_menu({Role.OWNER})
    assert "home" in keys
    assert not {"registry", "invitations", "import", "export"} & set(keys)

    page.click(".portal-menu-list a[data-section=home]")
    expect(page).to_have_url(f"{alpha_url}/home/")
    # The menu starts collapsed again; the entry of the page is marked, the trail leads home.
    expect(page.locator(".portal-menu .menu-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".portal-menu-list a[data-section=home]")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".breadcrumbs a[href='/']")).to_have_count(1)
    fits_the_phone(page)


def test_chairman_opens_the_menu_and_every_entry_fits_the_phone(new_page, alpha_url, nav_people):
    from core.access.roles import Role

    page = new_page(**PHONE)
    sign_in(page, alpha_url, CHAIRMAN_EMAIL, nav_people["secret"])

    keys = open_menu(page)
    assert keys == expected_menu({Role.CHAIRMAN})
    assert {"registry", "invitations", "import", "export"} <= set(keys)
    assert "home" not in keys  # the chairman owns nothing here
    page.screenshot(path=MENU_SCREENSHOT, full_page=True)

    page.click(".portal-menu-list a[data-section=registry]")
    expect(page).to_have_url(f"{alpha_url}/registry/")
    expect(page.locator(".breadcrumbs [aria-current=page]")).to_have_count(1)
    fits_the_phone(page)
    page.screenshot(path="/tmp/registry-375.png")

    links = page.locator(".portal-menu-list a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    for href in links:
        response = page.goto(f"{alpha_url}{href}")
        assert response.status == 200, f"{href} answers {response.status}"
        expect(page.locator(".portal-menu")).to_have_count(1)
        fits_the_phone(page)


def test_menu_is_a_plain_row_on_a_wide_screen(new_page, alpha_url, nav_people):
    page = new_page()
    sign_in(page, alpha_url, OWNER_EMAIL)
    expect(page.locator(".portal-menu .menu-toggle")).to_be_hidden()
    expect(page.locator(".portal-menu-list a[data-section=home]")).to_be_visible()
    expect(page.locator(".portal-menu-list a[data-section=dashboard]")).to_have_attribute(
        "aria-current", "page"
    )
