"""In a real browser: a member on a 375 px phone starts typing a question to the chairman, sees a
published answer suggested (htmx, after the debounce), sends the question anyway; the chairman
signs in with the second factor and answers in writing; the member reads the answer."""

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
SCREENSHOT = "/tmp/letters-375.png"
CHAIRMAN_EMAIL = "browser-letters-chairman@example.test"
ANSWER = "Кровельщики придут в четверг, течь устранят за один день."


@pytest.fixture
def letters_world(db_unblocked, alpha, browser_owner):
    """The browser owner's flat, a published answer about a leak, a chairman with a confirmed
    authenticator; committed, and everything made removed afterwards."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connections, transaction
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.letters import services
    from tenants.letters.models import PublicEntry, Question
    from tenants.notifications.models import Message
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    cache.clear()
    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        messages_before = set(Message.objects.values_list("pk", flat=True))
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        secret = pyotp.random_base32()
        with transaction.atomic():
            premises = make_premises()
            make_owner(premises, user=browser_owner)
            chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
            SecondFactor(
                user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
            ).save()
            entry = services.publish(
                actor=chairman,
                question=None,
                title="Протечка с крыши после дождя",
                question_text="После дождя протекает потолок на верхнем этаже. Что делать?",
                answer_text="Сообщите в правление: кровлю осматривают в течение суток.",
            )
    try:
        yield secret
    finally:
        with schema_context(alpha.schema_name):
            Question.objects.filter(author=browser_owner).delete()
            PublicEntry.objects.filter(pk=entry.pk).delete()
            Message.objects.exclude(pk__in=messages_before).delete()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            remove_committed(premises, users=[chairman], audit_before=audit_before)
        cache.clear()
        connections.close_all()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")


def test_a_member_asks_from_a_phone_and_the_chairman_answers(
    new_page, alpha_url, browser_owner, letters_world
):
    phone = new_page(width=375, height=812)
    sign_in(phone, alpha_url, browser_owner.email)
    expect(phone).to_have_url(f"{alpha_url}/")

    phone.goto(f"{alpha_url}/letters/ask/")
    expect(phone.locator("h1")).to_have_text("Задать вопрос председателю")
    phone.fill("input[name=subject]", "Течёт потолок")
    # Typed as a person types: the suggestion comes after the debounce, before sending.
    phone.locator("textarea[name=text]").press_sequentially(
        "У меня протекает потолок в ванной", delay=20
    )
    suggestions = phone.locator("#letters-suggestions")
    expect(suggestions).to_contain_text("Возможно, на это уже ответили")
    expect(suggestions).to_contain_text("Протечка с крыши после дождя")

    scroll_width = settled_scroll_width(phone)
    assert scroll_width <= 375, f"horizontal scroll at 375 px: scrollWidth is {scroll_width}"
    phone.screenshot(path=SCREENSHOT, full_page=True)

    phone.get_by_role("button", name="Отправить вопрос").click()
    expect(phone).to_have_url(re.compile(r"/letters/questions/[0-9a-f-]+/$"))
    expect(phone.locator(".messages")).to_contain_text("Ваш вопрос отправлен председателю")
    question_url = phone.url
    assert settled_scroll_width(phone) <= 375

    board = new_page()
    sign_in(board, alpha_url, CHAIRMAN_EMAIL)
    expect(board).to_have_url(re.compile(r"/accounts/second-factor/"))
    board.fill("input[name=code]", pyotp.TOTP(letters_world).at(time.time()))
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/")
    board.goto(f"{alpha_url}/letters/board/")
    board.locator(".letters-row a").first.click()
    expect(board).to_have_url(question_url)
    expect(board.locator(".letters-thread")).to_contain_text("протекает потолок в ванной")
    board.fill("textarea[name=text]", ANSWER)
    board.get_by_role("button", name="Отправить ответ").click()
    expect(board.locator(".messages")).to_contain_text("Ответ отправлен жителю")

    phone.reload()
    expect(phone.locator(".letters-from-board")).to_contain_text(ANSWER)
    expect(phone.locator(".status-badge")).to_have_text("Отвечен")
