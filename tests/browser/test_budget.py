"""In a real browser: the chairman drafts the estimate and publishes it; a member comments on a
line on the forum; the chairman revises the line saying why and puts the estimate to a ТСЖ
members' meeting through the voting engine (mixed, the version and its hash as the question's
material), publishes the notice, starts the voting, enters the member's signed decision and
closes the meeting: the outcome comes back to the budget (the task that carries it runs where
it is queued: no worker here) and the estimate is approved; the accountant sets the tariffs in
one confirmed step and posts an expenditure, and the plan-vs-fact chart moves; a member reads
the estimate on a 375 px phone without horizontal scroll."""

from __future__ import annotations

import datetime
import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
CHAIRMAN_EMAIL = "browser-budget-chairman@example.test"
ACCOUNTANT_EMAIL = "browser-budget-accountant@example.test"
SCREENSHOT = "/tmp/budget-375.png"
YEAR = 2026
PDF = b"%PDF-1.4\nsigned decision\n"


@pytest.fixture
def world(db_unblocked, alpha, browser_owner, monkeypatch):
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.files.models import StoredFile
    from tenants.forum import services as forum
    from tenants.voting import tasks as voting_tasks
    from tests.browser.test_money import _clean_ledger
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    # The outcome's task runs where it is queued, in the live server's thread (no worker).
    monkeypatch.setattr(
        voting_tasks.offer_outcomes, "delay", lambda pk: voting_tasks.offer_outcomes(pk)
    )
    cache.clear()
    secrets = {}
    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        files_before = set(StoredFile.objects.values_list("pk", flat=True))
        premises = make_premises(area="100.00")
        make_owner(
            premises,
            user=browser_owner,
            membership={"is_member": True, "member_since": datetime.date(2020, 1, 1)},
        )
        users = []
        for email, role in ((CHAIRMAN_EMAIL, Role.CHAIRMAN), (ACCOUNTANT_EMAIL, Role.ACCOUNTANT)):
            user = UserFactory(email=email, roles=[role])
            secrets[email] = pyotp.random_base32()
            SecondFactor(
                user=user, secret=secrets[email], confirmed_at=datetime.datetime.now(datetime.UTC)
            ).save()
            users.append(user)
        section = forum.save_section(actor=users[0], title="Смета и взносы")
    try:
        yield secrets
    finally:
        with schema_context(alpha.schema_name):
            from tenants.forum.models import Section, Topic
            from tenants.notifications.models import Message
            from tenants.voting.models import Meeting

            Topic.objects.filter(section=section).delete()
            Section.objects.filter(pk=section.pk).delete()
            Message.objects.filter(kind__startswith="forum.").delete()
            meetings = list(Meeting.objects.filter(title__contains=str(YEAR)))
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('tszh.voting_maintenance', 'on', false)")
                for meeting in meetings:
                    cursor.execute("DELETE FROM voting_ballot WHERE meeting_id = %s", [meeting.pk])
                    cursor.execute(
                        "DELETE FROM voting_chainentry WHERE meeting_id = %s", [meeting.pk]
                    )
                cursor.execute("SELECT set_config('tszh.voting_maintenance', '', false)")
            Meeting.objects.filter(pk__in=[m.pk for m in meetings]).delete()
            Message.objects.filter(kind="voting.notice").delete()
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
            StoredFile.objects.exclude(pk__in=files_before).delete()
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


def test_from_a_draft_to_the_tariffs_and_the_chart(
    new_page, alpha_url, browser_owner, world, alpha
):
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.voting.models import Meeting

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
    line_row = board.locator("tr[id^=line-]").first
    line_id = line_row.get_attribute("id").removeprefix("line-")

    member = new_page()
    sign_in(member, alpha_url, browser_owner.email)
    member.goto(estimate_url)
    member.locator(f"#line-{line_id}").get_by_role(
        "link", name="Начать обсуждение на форуме"
    ).click()
    member.fill("input[name=title]", "Почему уборка 120 тысяч?")
    member.fill("textarea[name=body]", "Прошу показать договор на уборку подъездов.")
    member.get_by_role("button", name="Начать тему").click()
    expect(member.locator("main")).to_contain_text("Прошу показать договор")
    member.goto(estimate_url)
    expect(member.locator(f"#line-{line_id}")).to_contain_text("Обсуждение: 1 сообщение")

    board.get_by_role("link", name="Изменить").click()
    board.fill("input[name=planned]", "132000")
    board.get_by_role("button", name="Сохранить").click()
    board.fill("input[name=reason]", "Новый договор с клининговой компанией")
    board.get_by_role("button", name="Опубликовать пересмотренную версию").click()
    board.get_by_role("link", name="Что изменилось — построчно").click()
    expect(board.locator("main")).to_contain_text("120000.00 → 132000.00")
    board.goto(estimate_url)

    # Through the voting engine: a ТСЖ members' meeting, mixed, signed decisions entered.
    board.get_by_role("link", name="Вынести на общее собрание на портале").click()
    assert board.locator("select[name=form] option[value=online]").count() == 0
    local = timezone.localtime()
    board.select_option("select[name=form]", "mixed")
    board.fill(
        "input[name=starts_at]", (local + datetime.timedelta(days=12)).strftime("%Y-%m-%dT19:00")
    )
    board.fill(
        "input[name=ends_at]", (local + datetime.timedelta(days=20)).strftime("%Y-%m-%dT19:00")
    )
    board.fill("input[name=place]", "Двор дома")
    board.fill("input[name=takes_effect_on]", "2026-01-01")
    board.get_by_role("button", name="Включить в повестку").click()
    expect(board.locator(".vote-agenda")).to_contain_text(f"Смета на {YEAR} год, версия 3")
    expect(board.locator(".vote-agenda")).to_contain_text("SHA-256")
    board.click("text=Опубликовать уведомление")
    expect(board.locator(".badge").first).to_have_text("Уведомление опубликовано")
    meeting_url = board.url
    with schema_context(alpha.schema_name):  # twelve days later
        Meeting.objects.filter(title__contains=str(YEAR)).update(
            starts_at=timezone.now() - datetime.timedelta(hours=1)
        )
    board.reload()
    board.click("text=Начать голосование")
    expect(board.locator(".badge").first).to_have_text("Голосование")
    board.click("text=Внести письменное решение")
    board.select_option("select[name=voter]", index=1)
    board.select_option("select[name=source]", "paper")
    board.locator(".vote-question label", has_text="За").click()
    board.set_input_files(
        "input[name=scan]",
        {"name": "decision.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    board.click("text=Внести решение")
    expect(board.locator(".messages")).to_contain_text("Решение внесено")
    with schema_context(alpha.schema_name):  # the voting ended
        Meeting.objects.filter(title__contains=str(YEAR)).update(
            ends_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    board.goto(meeting_url)
    board.click("text=Закрыть голосование")
    expect(board.locator(".badge").first).to_have_text("Закрыто")
    board.goto(estimate_url)
    expect(board.locator(".badge").first).to_have_text("Утверждена")
    expect(board.locator("main")).to_contain_text("голосование на портале")
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
    scroll_width = settled_scroll_width(phone)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    phone.screenshot(path=SCREENSHOT, full_page=True)
    phone.goto(f"{estimate_url}execution/")
    phone.screenshot(path="/tmp/budget-execution-375.png", full_page=True)
    scroll_width = settled_scroll_width(phone)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
