"""In a real browser: an СНТ chairman sets up an online members' meeting (binding by the
charter, 217-ФЗ ст. 17.1) and announces it; three members vote from 375 px phones; the
chairman closes it and the protocol downloads with the three decisions counted."""

from __future__ import annotations

import datetime

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.browser.test_voting_board import fetch, pdf_text
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
CHAIRMAN_EMAIL = "browser-snt-chairman@example.test"
MEMBER_EMAILS = [f"browser-snt-member{n}@example.test" for n in range(1, 4)]


@pytest.fixture
def snt_people(db_unblocked, alpha, monkeypatch):
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections, transaction
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.notifications.models import Message
    from tenants.voting.models import Meeting
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids
    from tests.tenants.residents.factories import BuildingFactory
    from tests.tenants.voting.support import owned, remove_committed_building, use_kind

    use_kind(monkeypatch, "snt")
    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        audit_before = audit_ids()
        with transaction.atomic():
            chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN])
            secret = pyotp.random_base32()
            factor = SecondFactor(user=chairman, secret=secret)
            factor.confirmed_at = datetime.datetime.now(datetime.UTC)
            factor.save()
            building = BuildingFactory(name="Линия 3")
            members = []
            for n, email in enumerate(MEMBER_EMAILS, start=1):
                member = UserFactory(email=email, roles=[Role.OWNER])
                owned(building, "600.00", members=True, users={0: member}, number=str(n))
                members.append(member)
            owned(building, "600.00", members=True, number="4")  # a fourth member, no login
    try:
        yield {"secret": secret, "building": building}
    finally:
        with schema_context(alpha.schema_name):
            meetings = list(Meeting.objects.filter(title="Общее собрание членов СНТ"))
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
            Session.objects.exclude(session_key__in=sessions_before).delete()
            remove_committed_building(
                building, users=[chairman, *members], audit_before=audit_before
            )
        cache.clear()
        connections.close_all()


def sign_in(page, base: str, email: str, secret: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    if secret:
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def test_an_snt_votes_online_from_three_phones(new_page, alpha_url, snt_people, alpha):
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.voting.models import Meeting

    board = new_page(width=1280, height=900)
    sign_in(board, alpha_url, CHAIRMAN_EMAIL, snt_people["secret"])
    board.goto(f"{alpha_url}/voting/new/")
    local = timezone.localtime()
    board.select_option("select[name=kind]", "members")
    board.select_option("select[name=form]", "online")
    board.fill("input[name=title]", "Общее собрание членов СНТ")
    board.fill(
        "input[name=starts_at]", (local + datetime.timedelta(days=15)).strftime("%Y-%m-%dT10:00")
    )
    board.fill(
        "input[name=ends_at]", (local + datetime.timedelta(days=25)).strftime("%Y-%m-%dT10:00")
    )
    board.fill("textarea[name=online_basis]", "Устав п. 9.3; решение общего собрания от 01.06.2025")
    board.click("form.stack button[type=submit]")
    expect(board.locator(".vote-ok")).to_contain_text("голоса этого собрания")
    board.fill("textarea[name=text]", "Утвердить приходно-расходную смету на 2026 год")
    board.select_option("select[name=threshold]", "majority_present")
    board.check("input[name=gardeners_vote]")
    board.click("text=Добавить вопрос")
    board.click("text=Опубликовать уведомление")
    expect(board.locator(".badge").first).to_have_text("Уведомление опубликовано")

    with schema_context(alpha.schema_name):  # two weeks later
        meeting = Meeting.objects.get(title="Общее собрание членов СНТ")
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - datetime.timedelta(minutes=5)
        )
    board.reload()
    board.click("text=Начать голосование")
    expect(board.locator(".badge").first).to_have_text("Голосование")

    for email, choice in zip(MEMBER_EMAILS, ("За", "За", "Против"), strict=True):
        phone = new_page(width=375, height=812)
        sign_in(phone, alpha_url, email)
        phone.goto(f"{alpha_url}/voting/{meeting.pk}/ballot/")
        phone.locator(".vote-question label", has_text=choice).click()
        phone.click("button[type=submit].primary")
        expect(phone.locator("h1")).to_have_text("Подтверждение голоса")
        width = settled_scroll_width(phone)
        assert width <= 375, f"horizontal scroll on a member's phone: {width}"

    board.goto(f"{alpha_url}/voting/{meeting.pk}/results/")
    expect(board.locator("main")).to_contain_text("Приняли участие: 3 из 4 голосов")
    with schema_context(alpha.schema_name):
        Meeting.objects.filter(pk=meeting.pk).update(
            ends_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    board.goto(f"{alpha_url}/voting/{meeting.pk}/")
    board.click("text=Закрыть голосование")
    expect(board.locator(".badge").first).to_have_text("Закрыто")
    content_type, protocol = fetch(board, f"/voting/{meeting.pk}/protocol.pdf")
    assert content_type == "application/pdf"
    text = pdf_text(protocol)
    assert "Всего голосов: 4" in text
    assert "Кворум есть" in text
    assert "решение принято" in text  # 2 of 3 taking part
