"""In a real browser: the chairman opens the plan from the association's settings, chooses «Дом»
paid by card (a trial starts at Stripe: localstripe on loopback), asks what moving to «Квартал»
costs (Stripe's proration preview) and upgrades; at 375 px the page does not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.billing.plans import support
from tests.browser.phone import settled_scroll_width

pytestmark = pytest.mark.browser

CHAIRMAN_EMAIL = "browser-plans-chairman@example.test"


@pytest.fixture(scope="module")
def localstripe_server():
    process, base = support.start_localstripe()
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def plans_chairman(db_unblocked, alpha, settings, localstripe_server):
    """A chairman with a confirmed authenticator in alpha and Stripe on (localstripe);
    afterwards alpha's subscription, invoices, audit entries and sessions are gone."""
    import datetime

    import pyotp
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from associations.models import Association
    from billing.plans.models import PlanInvoice, Subscription
    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tests.factories import UserFactory

    settings.STRIPE_SECRET_KEY = "sk_test_browser"
    settings.STRIPE_API_BASE = localstripe_server
    cache.clear()
    plan_before = Association.objects.get(pk=alpha.pk).plan
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN, Role.OWNER])
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
    try:
        yield secret
    finally:
        PlanInvoice.objects.filter(association_id=alpha.pk).delete()
        Subscription.objects.filter(association_id=alpha.pk).delete()
        Association.objects.filter(pk=alpha.pk).update(plan=plan_before)
        with schema_context(alpha.schema_name):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            type(chairman).objects.filter(pk=chairman.pk).delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
        cache.clear()
        connections.close_all()


def test_the_chairman_upgrades_the_plan(new_page, alpha_url, plans_chairman):
    import re
    import time

    import pyotp

    from tests.factories import TEST_PASSWORD

    page = new_page()
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", CHAIRMAN_EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.fill("input[name=code]", pyotp.TOTP(plans_chairman).at(time.time()))
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    # From the association's settings to its plan.
    page.goto(f"{alpha_url}/settings/profile/")
    page.click("a[href='/settings/plan/']")
    expect(page.locator("h1")).to_have_text("Тариф и оплата")
    expect(page.locator("[data-current-plan]")).to_contain_text("Старт")

    page.select_option("select[name=plan]", "house")
    page.select_option("select[name=method]", "stripe")
    page.click("form[action='/settings/plan/change/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Тариф изменён")
    expect(page.locator("[data-current-plan]")).to_contain_text("Дом")
    expect(page.locator("section[data-status]")).to_have_attribute("data-status", "trialing")

    # What the upgrade costs, as Stripe computes it, then the upgrade itself.
    page.click("li[data-plan-option=quarter] a")
    expect(page.locator("[data-preview]")).to_contain_text("₽")
    page.select_option("select[name=plan]", "quarter")
    page.select_option("select[name=method]", "stripe")
    page.click("form[action='/settings/plan/change/'] button[type=submit]")
    expect(page.locator("[data-current-plan]")).to_contain_text("Квартал")

    page.set_viewport_size({"width": 375, "height": 812})
    assert settled_scroll_width(page) <= 375
