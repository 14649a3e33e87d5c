"""An operator in a real browser: signs in with the second factor, suspends an association and
reactivates it; a member of that association sees the banner come and go.

The data is committed (the live server has its own connection): a throwaway association with an
owner, and an operator in public. Both are removed afterwards; the association through the
console's own deletion service.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from core.access.models import SecondFactor
from core.access.roles import Role
from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

SLUG = "console-demo"
OPERATOR_EMAIL = "browser-operator@console.test"
OWNER_EMAIL = "owner@console-demo.test"
REASON = "Договор с платформой расторгнут"


@pytest.fixture
def demo(db_unblocked):
    """A demo-like association with an owner, and an operator of the platform; committed."""
    from associations.services import create_association
    from console import services

    cache.clear()
    connection.set_schema_to_public()
    association = create_association(name="ТСЖ «Демо-консоль»", slug=SLUG)
    with schema_context(association.schema_name):
        UserFactory(email=OWNER_EMAIL, roles=[Role.OWNER])
    operator = UserFactory(email=OPERATOR_EMAIL, roles=[], is_staff=True)
    sessions_before = set(Session.objects.values_list("session_key", flat=True))
    try:
        yield association
    finally:
        connection.set_schema_to_public()
        association.refresh_from_db()
        if association.status != "suspended":
            services.suspend_association(association, reason="cleanup", actor=operator)
        services.delete_association(association, confirmation=SLUG, actor=operator)
        from core.crypto import keyring

        keyring.destroy_requested_keys()  # the key job; the next test reuses the subdomain
        from core.crypto.models import KeyDestruction

        KeyDestruction.objects.filter(key_name__contains=association.schema_name).delete()
        Session.objects.exclude(session_key__in=sessions_before).delete()
        SecondFactor.objects.filter(user_id=operator.pk).delete()
        with connection.cursor() as cursor:
            # Not the ORM: its cascade would look for tenant-only tables from public.
            cursor.execute("DELETE FROM access_user WHERE id = %s", [operator.pk])
        cache.clear()
        connections.close_all()


def sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")


def confirm_second_factor(page) -> None:
    """Enrol the authenticator: the test plays the app, computing the code from the seed."""
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    expect(page.locator(".qr svg")).to_be_visible()
    connection.set_schema_to_public()
    operator = get_user_model().objects.with_email(OPERATOR_EMAIL).get()
    secret = SecondFactor.objects.get(user=operator).secret
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form.stack button[type=submit]")


def test_an_operator_suspends_and_reactivates_and_members_see_the_banner(
    new_page, live_server, demo
):
    port = live_server.thread.port
    console_url = f"http://localhost:{port}/console/"
    portal_url = f"http://{SLUG}.localhost:{port}/"

    operator = new_page()
    sign_in(operator, console_url, OPERATOR_EMAIL)
    confirm_second_factor(operator)
    expect(operator).to_have_url(console_url)

    operator.fill("input[name=q]", SLUG)
    operator.click("form.filters button[type=submit]")
    operator.click(f"tr[data-slug={SLUG}] a")
    expect(operator.locator("h1")).to_contain_text("Демо-консоль")

    member = new_page(width=375, height=812)
    sign_in(member, portal_url, OWNER_EMAIL)
    expect(member).to_have_url(portal_url)
    expect(member.locator(".suspension-banner")).to_have_count(0)

    # Suspending without a reason is refused beside the field.
    operator.click("button[name=suspend]")
    expect(operator.locator("#suspension .errorlist")).to_be_visible()
    operator.fill("textarea[name=reason]", REASON)
    operator.click("button[name=suspend]")
    expect(operator.locator("h1 .status-suspended")).to_be_visible()
    expect(operator.locator("#suspension .suspension-reason")).to_contain_text(REASON)
    operator.screenshot(path="/tmp/console-detail-suspended.png", full_page=True)

    member.reload()
    banner = member.locator(".suspension-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(REASON)
    member.screenshot(path="/tmp/portal-suspended-375.png", full_page=True)
    scroll_width = settled_scroll_width(member)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    # A change is refused with the reason (the language switch stays open, sign-out too).
    member.goto(f"{portal_url}accounts/password-reset/")
    member.fill("input[name=email]", OWNER_EMAIL)
    member.click("form.stack button[type=submit]")
    expect(member.locator("main")).to_contain_text(REASON)

    operator.click("button[name=reactivate]")
    expect(operator.locator("h1 .status-active")).to_be_visible()

    member.goto(portal_url)
    expect(member.locator("h1")).to_be_visible()
    expect(member.locator(".suspension-banner")).to_have_count(0)


def test_the_console_fits_a_375px_phone(new_page, live_server, demo):
    port = live_server.thread.port
    page = new_page(width=375, height=812)
    sign_in(page, f"http://localhost:{port}/console/", OPERATOR_EMAIL)
    confirm_second_factor(page)
    for path in ("/console/", f"/console/associations/{demo.pk}/", "/console/audit/"):
        page.goto(f"http://localhost:{port}{path}")
        expect(page.locator("h1")).to_be_visible()
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('body *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= 375, f"{path}: an element reaches {widest}px at 375 px"
        page.screenshot(
            path=f"/tmp/console-375-{path.strip('/').replace('/', '-')}.png", full_page=True
        )
