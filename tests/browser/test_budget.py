"""In a real browser: the chairman drafts the estimate, publishes it, revises a line saying why,
puts it to the meeting and enters the adopted decision (a ТСЖ: a mixed meeting, its protocol);
the accountant sets the tariffs in one confirmed step and posts an expenditure, and the
plan-vs-fact chart moves; a member reads the estimate on a 375 px phone without horizontal
scroll. (The members' comments on a line come with the forum app.)"""

from __future__ import annotations

import datetime
import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
CHAIRMAN_EMAIL = "browser-budget-chairman@example.test"
ACCOUNTANT_EMAIL = "browser-budget-accountant@example.test"
SCREENSHOT = "/tmp/budget-375.png"
YEAR = 2026


@pytest.fixture
def world(db_unblocked, alpha, browser_owner):
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tests.browser.test_money import _clean_ledger
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    cache.clear()
    secrets = {}
    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        premises = make_premises(area="100.00")
        make_owner(premises, user=browser_owner)
        users = []
        for email, role in ((CHAIRMAN_EMAIL, Role.CHAIRMAN), (ACCOUNTANT_EMAIL, Role.ACCOUNTANT)):
            user = UserFactory(email=email, roles=[role])
            secrets[email] = pyotp.random_base32()
            SecondFactor(
                user=user, secret=secrets[email], confirmed_at=datetime.datetime.now(datetime.UTC)
            ).save()
            users.append(user)
    try:
        yield secrets
    finally:
        with schema_context(alpha.schema_name):
            with connection.cursor() as cursor:
                for table in (
                    "budget_expenditure",
                    "budget_decision",
                    "budget_version",
                    "budget_line",
                    "budget_estimate",
                ):
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                _clean_ledger(cursor)
                cursor.execute("DELETE FROM files_storedfile WHERE purpose = 'budget.protocol'")
            remove_committed(premises, users=users, audit_before=audit_before)
        cache.clear()
        connections.close_all()


def sign_in(page, base_url, email, secret=None):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    if secret:
        expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
        page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time()))
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base_url}/")


def test_from_a_draft_to_the_tariffs_and_the_chart(new_page, alpha_url, browser_owner, world):
    board = new_page()
    sign_in(board, alpha_url, CHAIRMAN_EMAIL, world[CHAIRMAN_EMAIL])
    board.goto(f"{alpha_url}/budget/")
    board.fill("input[name=year]", str(YEAR))
    board.get_by_role("button", name="Создать").click()
    expect(board.locator("h1")).to_have_text(f"Смета на {YEAR} год")
    estimate_url = board.url
    board.get_by_role("link", name="Добавить строку").click()
    board.select_option("select[name=article]", "maintenance")
    board.fill("input[name=name]", "Уборка подъездов")
    board.fill("input[name=planned]", "120000")
    board.get_by_role("button", name="Сохранить").click()
    # 120 000 ₽ / 100 m² / 12 = 100 ₽ per m² a month
    expect(board.locator("main")).to_contain_text("100,0000 ₽")
    board.get_by_role("button", name="Опубликовать для обсуждения").click()
    expect(board.locator(".badge").first).to_have_text("Опубликована для обсуждения")
    board.get_by_role("link", name="Изменить").click()
    board.fill("input[name=planned]", "132000")
    board.get_by_role("button", name="Сохранить").click()
    board.fill("input[name=reason]", "Новый договор с клининговой компанией")
    board.get_by_role("button", name="Опубликовать пересмотренную версию").click()
    board.get_by_role("link", name="Что изменилось — построчно").click()
    expect(board.locator("main")).to_contain_text("120000.00 → 132000.00")
    board.goto(estimate_url)
    board.get_by_role("button", name="Вынести на общее собрание").click()
    board.check("input[name=adopted][value=yes]")
    board.fill("input[name=decided_on]", "2025-12-10")
    board.select_option("select[name=form]", "mixed")
    board.fill("input[name=protocol_number]", "3/2025")
    board.fill("input[name=rates_from]", "2026-01-01")
    board.get_by_role("button", name="Внести решение").click()
    expect(board.locator(".badge").first).to_have_text("Утверждена")
    expect(board.locator("main")).to_contain_text("Строки совпадают с утверждённым содержанием.")

    keeper = new_page()
    sign_in(keeper, alpha_url, ACCOUNTANT_EMAIL, world[ACCOUNTANT_EMAIL])
    keeper.goto(estimate_url)
    keeper.get_by_role("link", name="Установить утверждённые ставки как тарифы").click()
    expect(keeper.locator("main")).to_contain_text("110,0000")
    keeper.get_by_role("button", name="Подтвердить: установить тарифы").click()
    expect(keeper.locator(".badge").first).to_have_text("Утверждена, тарифы установлены")
    keeper.get_by_role("link", name="Исполнение: план и факт").click()
    fact_bar = keeper.locator("svg.budget-chart rect").nth(3)  # February's fact
    assert fact_bar.get_attribute("height") == "0"
    keeper.fill("input[name=supplier]", "ООО «Чистый дом»")
    keeper.fill("input[name=spent_on]", "2026-02-10")
    keeper.fill("input[name=amount]", "11000")
    keeper.get_by_role("button", name="Провести").click()
    expect(keeper.locator("main")).to_contain_text("Расход проведён.")
    assert int(keeper.locator("svg.budget-chart rect").nth(3).get_attribute("height")) > 0

    phone = new_page(width=375, height=812)
    sign_in(phone, alpha_url, browser_owner.email)
    phone.goto(estimate_url)
    expect(phone.locator("main")).to_contain_text("132000,00 ₽")
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    phone.screenshot(path=SCREENSHOT, full_page=True)
    phone.goto(f"{estimate_url}execution/")
    phone.screenshot(path="/tmp/budget-execution-375.png", full_page=True)
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
