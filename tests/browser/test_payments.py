"""In a real browser on a 375 px phone: a member pays their receipt online with the test
provider (amount due prefilled, confirmation page, the provider's page) and sees the balance
change; a declined attempt shows as failed."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.browser.test_money import MONTHS, _clean_ledger
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/payments-375.png"


@pytest.fixture
def owing_home(db_unblocked, alpha, browser_owner):
    """The browser owner's flat charged 1,000 ₽ a month in January–March 2025 (3,000 owed),
    the association paying online through the test provider; committed, removed afterwards."""
    from django.db import connection, connections, transaction
    from django_tenants.utils import schema_context

    from billing.payments import services as online
    from tenants.ledger import services
    from tenants.ledger.models import Method
    from tests.tenants.ledger.accruals.support import add_service
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        with transaction.atomic():
            premises = make_premises(area="50")
            make_owner(premises, user=browser_owner)
            add_service(Method.AREA, "20", name="Содержание и ремонт")
            online.save_settings(actor=None, provider="test")
        account = premises.accounts.get()
        for month in MONTHS:
            services.accrue(month, actor=None, booked_on=month.replace(day=28))
    try:
        yield account
    finally:
        with schema_context(alpha.schema_name):
            with connection.cursor() as cursor:
                for table in (
                    "payments_difference",
                    "payments_reconciliation",
                    "payments_webhookevent",
                    "payments_refund",
                    "payments_onlinepayment",
                    "payments_providersettings",
                ):
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                _clean_ledger(cursor)
            remove_committed(premises, audit_before=audit_before)
        connections.close_all()


def _no_horizontal_scroll(page):
    width = settled_scroll_width(page)
    assert width <= 375, f"horizontal scroll at 375 px: scrollWidth is {width}"


def test_a_member_pays_a_receipt_online_and_sees_the_balance_change(
    new_page, alpha_url, browser_owner, owing_home
):
    page = new_page(width=375, height=812)
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/money/accounts/{owing_home.pk}/")
    expect(page.locator(".ledger-balance").first).to_contain_text("3\u00a0000,00 ₽")

    # A first attempt the bank declines: shown as failed, nothing on the account.
    page.get_by_role("link", name="Оплатить онлайн").click()
    expect(page.locator("input[name=amount]")).to_have_value("3000.00")  # the amount due
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Продолжить").click()
    page.get_by_role("button", name="Оплатить 3\u00a0000,00 ₽").click()
    expect(page.locator("h1")).to_have_text("Тестовая страница оплаты")
    page.get_by_role("button", name="Отклонить").click()
    expect(page.locator("[data-status]")).to_have_text("Не прошёл")
    expect(page.locator("main")).to_contain_text("деньги не списаны")

    # The second pays 1,000 ₽ for February (named), on the confirmation page first.
    page.goto(f"{alpha_url}/money/accounts/{owing_home.pk}/pay/")
    page.fill("input[name=amount]", "0")
    page.get_by_role("button", name="Продолжить").click()
    expect(page.locator(".errorlist")).to_contain_text("больше нуля")
    page.fill("input[name=amount]", "1000")
    page.select_option("select[name=period]", datetime.date(2025, 2, 1).isoformat())
    page.get_by_role("button", name="Продолжить").click()
    expect(page.locator("h1")).to_have_text("Проверьте и подтвердите")
    expect(page.locator(".payment-summary")).to_contain_text("Февраль 2025")
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Оплатить 1\u00a0000,00 ₽").click()
    page.get_by_role("button", name="Оплатить", exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("Оплачен")
    expect(page.locator("main")).to_contain_text("зачислен на ваш лицевой счёт")
    _no_horizontal_scroll(page)

    page.get_by_role("link", name="Назад к счёту").click()
    expect(page.locator(".ledger-balance").first).to_contain_text("2\u00a0000,00 ₽")
    page.get_by_role("link", name="Оплатить онлайн").click()
    expect(page.locator("table")).to_contain_text("Не прошёл")
    expect(page.locator("table")).to_contain_text("Оплачен")
    page.screenshot(path=SCREENSHOT, full_page=True)
