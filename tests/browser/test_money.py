"""In a real browser on a 375 px phone: a member opens their money, sees what they owe and when,
opens a charge's explanation, and takes the reconciliation statement as a PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/money-375.png"
MONTHS = [datetime.date(2025, m, 1) for m in (1, 2, 3)]


def _clean_ledger(cursor) -> None:
    # The journal refuses deletes (its trigger) unless the session declares maintenance.
    cursor.execute("SELECT set_config('tszh.journal_maintenance', 'on', false)")
    for table in (
        "ledger_allocation",
        "ledger_payment",
        "ledger_entry",
        "ledger_balance",
        "ledger_accrualrun",
        "ledger_tariff",
        "ledger_service",
        "ledger_period",
    ):
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    cursor.execute("SELECT set_config('tszh.journal_maintenance', '', false)")


@pytest.fixture
def charged_home(db_unblocked, alpha, browser_owner):
    """The browser owner's flat of 50 m², charged 1,000 ₽ in January–March 2025, 1,000 paid;
    committed, and removed afterwards."""
    from django.db import connection, connections, transaction
    from django_tenants.utils import schema_context

    from tenants.ledger import services
    from tenants.ledger.models import Method
    from tenants.ledger.payments import services as payments
    from tests.tenants.ledger.accruals.support import add_service
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        with transaction.atomic():
            premises = make_premises(area="50")
            make_owner(premises, user=browser_owner)
            add_service(Method.AREA, "20", name="Содержание и ремонт")
        account = premises.accounts.get()
        for month in MONTHS:
            services.accrue(month, actor=None, booked_on=month.replace(day=28))
        payments.record_payment(
            actor=None,
            account=account,
            amount=Decimal("1000"),
            paid_on=datetime.date(2025, 2, 12),
            source="cash",
            source_id="browser-ПКО-1",
        )
    try:
        yield account
    finally:
        with schema_context(alpha.schema_name):
            with connection.cursor() as cursor:
                _clean_ledger(cursor)
            remove_committed(premises, audit_before=audit_before)
        connections.close_all()


def test_a_member_reads_their_bill_and_takes_the_statement(
    new_page, alpha_url, browser_owner, charged_home
):
    page = new_page(width=375, height=812)
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/money/")
    expect(page.locator("h1")).to_have_text("Платежи и задолженность")
    expect(page.locator(".ledger-balance").first).to_contain_text("К оплате: 2\u00a0000,00 ₽")
    page.get_by_role("link", name=f"Лицевой счёт {charged_home.number}").click()

    expect(page.locator("svg").first).to_be_visible()  # the chart, drawn by the server
    march = page.locator("details.ledger-month").first
    expect(march).to_contain_text("Март 2025")
    expect(march).to_contain_text("1\u00a0000,00 ₽")
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    page.screenshot(path=SCREENSHOT, full_page=True)

    march.get_by_role("link", name="Содержание и ремонт").click()
    expect(page.locator("main")).to_contain_text("50")  # the base: the premises' area, m²
    expect(page.locator("main")).to_contain_text("20")  # the tariff
    page.go_back()

    page.fill("input[name=from]", "2025-02")
    page.fill("input[name=to]", "2025-03")
    with page.expect_response(lambda r: "/reconciliation/" in r.url) as answer:
        page.get_by_role("button", name="PDF").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # the browser's PDF viewer takes the body: fetch the same URL from the page (its session)
    head = page.evaluate(
        "url => fetch(url).then(r => r.arrayBuffer())"
        ".then(b => String.fromCharCode(...new Uint8Array(b.slice(0, 4))))",
        response.url,
    )
    assert head == "%PDF"
