"""No personal data in logs, Celery task messages, Sentry events or error pages.

One representative scenario in a real browser (Playwright, the system's Chromium, a live server
in this process): a member whose name, phone, email, address and passport number are known to
the portal signs in, opens "My home" and the money page, files a repair request and asks the
chairman a question, both written with that personal data in the text, as people do; then a page
fails (a forced error whose message carries the data, as a careless exception would). Meanwhile:

* every log line is captured from the configured handlers (root at DEBUG, the live server's and
  Celery's loggers included: they run in this process);
* every Celery task message is captured as it is published (``before_task_publish``): its
  arguments must be ids;
* Sentry runs with the portal's own options (core/observability.py) and a transport that keeps
  the envelopes instead of sending them;
* the error page's HTML is kept; Chromium's console is watched for CSP violations.

Then all of it is searched for the scenario's personal data, in the forms it was entered.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OWNER_NAME
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = "+7 916 555-12-34"
ADDRESS = "ул. Садовая, д. 5, кв. 12"
PASSPORT = "4509 123456"
OWNER_EMAIL_WRITTEN = "maria.petrova.home@example.test"
#: What must not appear anywhere, each in the forms a leak would take.
NEEDLES = {
    "name": ["Петрова", "Мария", "Ивановна", "Петровой"],
    "phone": ["555-12-34", "9165551234", "916 555"],
    "email": ["browser-owner@example.test", OWNER_EMAIL_WRITTEN, "maria.petrova"],
    "address": ["Садовая"],
    "passport": ["4509 123456", "4509123456", "123456"],
}
TEXT = (
    f"Пишет {OWNER_NAME}, {ADDRESS}. Звоните {PHONE} или пишите {OWNER_EMAIL_WRITTEN}. "
    f"Паспорт {PASSPORT}."
)


def leaks(haystack: str) -> list[str]:
    return [
        f"{kind}: {needle!r}"
        for kind, needles in NEEDLES.items()
        for needle in needles
        if needle.lower() in haystack.lower()
    ]


def test_the_search_finds_what_it_looks_for():
    assert leaks(f"user {OWNER_NAME} phone {PHONE}") == [
        "name: 'Петрова'",
        "name: 'Мария'",
        "name: 'Ивановна'",
        "phone: '555-12-34'",
        "phone: '916 555'",
    ]
    assert leaks("GET /dispatch/ 200 id=42 2025-01-01") == []


class _KeepEnvelopes:
    """A Sentry transport that keeps each envelope's bytes."""

    def __init__(self):
        import sentry_sdk.transport

        outer = self

        class Transport(sentry_sdk.transport.Transport):
            def capture_envelope(self, envelope):
                buffer = io.BytesIO()
                envelope.serialize_into(buffer)
                outer.envelopes.append(buffer.getvalue().decode("utf-8", "replace"))

        self.envelopes: list[str] = []
        self.transport = Transport


@pytest.fixture
def sentry_events():
    import sentry_sdk

    from core.observability import sentry_options

    keep = _KeepEnvelopes()
    options = sentry_options("https://public@sentry.invalid/1", environment="test")
    sentry_sdk.init(**options, transport=keep.transport)
    try:
        yield keep.envelopes
    finally:
        sentry_sdk.flush()
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: off again


@pytest.fixture
def captured_logs():
    """Everything the configured handlers write, with the root logger at DEBUG."""
    root = logging.getLogger()
    buffer = io.StringIO()
    streams = []
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:
            streams.append((handler, handler.setStream(buffer)))
    assert streams, "the configured console handler was not found"
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream)


@pytest.fixture
def task_messages():
    from celery.signals import before_task_publish

    published = []

    def keep(sender=None, body=None, headers=None, **kwargs):
        published.append({"task": sender, "body": body, "headers": headers})

    before_task_publish.connect(keep, weak=False)
    try:
        yield published
    finally:
        before_task_publish.disconnect(keep)


@pytest.fixture
def member_home(db_unblocked, alpha, browser_owner):
    """The browser owner's flat, with their phone and an email on the owner record, and a
    chairman to ask; committed for the live server and removed afterwards."""
    from django.contrib.sessions.models import Session
    from django.db import connections, transaction
    from django_tenants.utils import schema_context

    from core.access.roles import Role
    from tenants.dispatch.models import Comment, Event, Photo, Request
    from tenants.letters.models import Question
    from tenants.notifications.models import Message
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        messages_before = set(Message.objects.values_list("pk", flat=True))
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        with transaction.atomic():
            premises = make_premises()
            make_owner(
                premises,
                user=browser_owner,
                name=OWNER_NAME,
                phone=PHONE,
                email=OWNER_EMAIL_WRITTEN,
            )
            chairman = UserFactory(
                email="hygiene-chair@example.test", roles=[Role.CHAIRMAN, Role.BOARD_MEMBER]
            )
    try:
        yield premises
    finally:
        with schema_context(alpha.schema_name):
            requests = Request.objects.filter(premises=premises)
            Photo.objects.filter(request__in=requests).delete()
            Comment.objects.filter(request__in=requests).delete()
            Event.objects.filter(request__in=requests).delete()
            requests.delete()
            Question.objects.filter(author=browser_owner).delete()
            Message.objects.exclude(pk__in=messages_before).delete()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            remove_committed(premises, users=[chairman], audit_before=audit_before)
        connections.close_all()


def test_a_members_personal_data_stays_out_of_logs_tasks_reports_and_error_pages(
    new_page,
    alpha_url,
    alpha,
    browser_owner,
    member_home,
    captured_logs,
    task_messages,
    sentry_events,
    monkeypatch,
):
    page = new_page(width=375, height=812)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/home/")
    expect(page.locator("h1")).to_have_text("Мой дом")
    page.goto(f"{alpha_url}/money/")
    expect(page.locator("h1")).to_be_visible()

    page.goto(f"{alpha_url}/dispatch/new/")
    page.select_option("select[name=category]", "plumbing")
    page.fill("textarea[name=description]", f"Течёт кран на кухне. {TEXT}")
    page.fill("input[name=access_time]", "будни после 18:00")
    page.fill("input[name=contact_phone]", PHONE)
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.locator(".messages")).to_contain_text("Заявка подана")

    page.goto(f"{alpha_url}/letters/ask/")
    page.fill("input[name=subject]", "Вопрос о перерасчёте")
    page.fill("textarea[name=text]", f"Прошу пересчитать плату. {TEXT}")
    page.get_by_role("button", name="Отправить вопрос").click()
    expect(page).to_have_url(re.compile(r"/letters/questions/[0-9a-f-]+/$"))

    # A forced failure whose message carries the data, as a careless exception would.
    def fail(*args, **kwargs):
        raise RuntimeError(f"could not load the account of {OWNER_NAME}, {PHONE}, {TEXT}")

    monkeypatch.setattr("tenants.ledger.selectors.reads_all", fail)
    response = page.goto(f"{alpha_url}/money/")
    assert response.status == 500
    error_page = page.content()
    monkeypatch.undo()

    import sentry_sdk

    sentry_sdk.flush()
    logs = captured_logs.getvalue()
    tasks = json.dumps(task_messages, ensure_ascii=False, default=str)
    reports = "\n".join(sentry_events)

    # The capture worked: each channel saw the scenario.
    assert "Internal Server Error" in logs and "RuntimeError" in logs
    assert task_messages, "no Celery task was published by the scenario"
    assert any('"exception"' in envelope for envelope in sentry_events), "no Sentry event"

    assert leaks(logs) == [], logs[-3000:]
    assert leaks(tasks) == [], tasks[:3000]
    assert leaks(reports) == [], reports[:3000]
    assert leaks(error_page) == []
    assert violations == []
