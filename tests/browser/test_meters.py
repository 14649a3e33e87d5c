"""In a real browser on a 375 px phone: a member sends the readings of four meters on one page,
sees last month's figure and the consumption as they type, and gets the thanks in Russian."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/meters-375.png"


@pytest.fixture
def four_meters(db_unblocked, alpha, browser_owner):
    """The browser owner's flat with cold and hot water, electricity and gas, each with last
    month's reading; committed, and removed afterwards."""
    from django.db import connections, transaction
    from django_tenants.utils import schema_context

    from tenants.meters import periods
    from tenants.meters.models import MeterKind
    from tests.tenants.meters.support import add_meter, audit_ids, history, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        with transaction.atomic():
            premises = make_premises()
            make_owner(premises, user=browser_owner)
            meters = [
                add_meter(premises, kind=kind)
                for kind in (
                    MeterKind.COLD_WATER,
                    MeterKind.HOT_WATER,
                    MeterKind.ELECTRICITY,
                    MeterKind.GAS,
                )
            ]
            period = periods.current_window().period
            for index, meter in enumerate(meters):
                history(meter, [str(100 * (index + 1))], until=period)
    try:
        yield meters
    finally:
        with schema_context(alpha.schema_name):
            remove_committed(premises, audit_before=audit_before)
        connections.close_all()


def test_a_member_sends_four_meters_from_a_phone(
    new_page, alpha_url, browser_owner, four_meters, alpha
):
    page = new_page(width=375, height=812)
    started = time.monotonic()
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/meters/")
    expect(page.locator("h1")).to_have_text("Показания счётчиков")
    inputs = page.locator("input[inputmode=decimal]")
    expect(inputs).to_have_count(4)
    expect(page.locator(".meter-card").first).to_contain_text(re.compile(r"Последнее: \d00 "))

    for index in range(4):
        field = inputs.nth(index)
        previous = int(float(field.get_attribute("data-previous")))
        field.fill(f"{previous + 3},5")
        output = page.locator(f'output[for="{field.get_attribute("id")}"]')
        expect(output).to_have_text(re.compile(r"^3[.,]5 "))

    scroll_width = settled_scroll_width(page)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("button", name="Отправить показания").click()

    expect(page.locator(".messages")).to_contain_text("Спасибо")
    assert time.monotonic() - started < 60

    from django_tenants.utils import schema_context

    from tenants.meters.models import Reading

    with schema_context(alpha.schema_name):
        sent = Reading.objects.filter(
            meter__in=four_meters, superseded_at__isnull=True, entered_by=browser_owner
        )
        values = sorted(str(r.value.normalize()) for r in sent)
    assert values == ["103.5", "203.5", "303.5", "403.5"]
