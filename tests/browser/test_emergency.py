"""In a real browser: the chairman publishes an emergency notice; a member on a phone sees it on
top of every page and gets the letter; the notice ended, it is gone. The member also opens a
document's PDF from a link: the browser's own viewer shows it (inline, never in a frame).

The live server runs in this process with the locmem mail backend: the outbox is delivered here
(``deliver_pending``, the delivery task's body) and read from ``django.core.mail.outbox``.
Everything the test makes in ``alpha`` is removed afterwards.
"""

from __future__ import annotations

import datetime
import re
import time

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHAIRMAN_EMAIL = "browser-news-chairman@example.test"
TITLE = "Отключение холодной воды в доме 1"


@pytest.fixture
def news_world(db_unblocked, alpha, browser_owner):
    """A chairman with a confirmed authenticator and a published PDF for owners; afterwards the
    news, documents, files, letters, sessions and audit entries the test made are removed."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.documents import selectors
    from tenants.documents.models import Document, News
    from tenants.files.models import StoredFile
    from tenants.notifications.models import Message
    from tests.factories import UserFactory
    from tests.tenants.documents.support import publish

    started = timezone.now()
    mail.outbox = []
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN, Role.OWNER])
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
        document = publish(actor=chairman, title="Устав ТСЖ", readers="everyone")
        selectors.forget_emergencies()
    try:
        yield {"secret": secret, "document": document}
    finally:
        with schema_context(alpha.schema_name):
            News.objects.filter(published_at__gte=started).delete()
            files = list(
                Document.objects.filter(created_at__gte=started).values_list(
                    "versions__file_id", flat=True
                )
            )
            Document.objects.filter(created_at__gte=started).delete()
            StoredFile.objects.filter(pk__in=files).delete()
            Message.objects.filter(created_at__gte=started).delete()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            type(chairman).objects.filter(pk=chairman.pk).delete()
            with connection.cursor() as cursor:  # the audit log refuses deletes through the ORM
                cursor.execute("DELETE FROM audit_auditentry WHERE at >= %s", [started])
            selectors.forget_emergencies()
        cache.clear()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")


def test_the_chairman_publishes_an_emergency_and_a_member_sees_it_on_top(
    new_page, alpha_url, alpha, browser_owner, news_world
):
    from django_tenants.utils import schema_context

    from tenants.notifications import services as notifications

    board = new_page()
    sign_in(board, alpha_url, CHAIRMAN_EMAIL)
    expect(board).to_have_url(re.compile(r"/accounts/second-factor/"))
    board.fill("input[name=code]", pyotp.TOTP(news_world["secret"]).at(time.time()))
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/")

    board.click(".card[data-section=news] a")
    expect(board).to_have_url(f"{alpha_url}/news/")
    board.get_by_role("link", name="Аварийное объявление").click()
    expect(board.locator("input[name=kind][value=emergency]")).to_be_checked()
    board.fill("input[name=title]", TITLE)
    board.fill("textarea[name=body]", "Меняем задвижку в подвале. Наберите воду заранее.")
    ends = datetime.datetime.now() + datetime.timedelta(hours=5)
    board.fill("input[name=ends_at]", ends.strftime("%Y-%m-%dT%H:%M"))
    board.click("form.stack button[type=submit]")
    expect(board.locator("h1")).to_have_text(TITLE)
    expect(board.locator(".messages .success")).to_be_visible()

    # A member on a phone: the notice is on top of every page.
    phone = new_page(width=375, height=812)
    sign_in(phone, alpha_url, browser_owner.email)
    expect(phone).to_have_url(f"{alpha_url}/")
    for path in ("/", "/documents/", "/notifications/"):
        phone.goto(f"{alpha_url}{path}")
        banner = phone.locator("main > .emergency-banner")
        expect(banner).to_contain_text(TITLE)
        expect(banner).to_contain_text("Авария")
        box = banner.bounding_box()
        heading = phone.locator("main h1").first.bounding_box()
        assert box["y"] < heading["y"], path
        width = settled_scroll_width(phone)
        assert width <= 375, f"horizontal scroll at 375 px on {path}: {width}"
    phone.locator(".emergency-banner a").click()
    expect(phone.locator("h1")).to_have_text(TITLE)
    expect(phone.locator(".news-body")).to_contain_text("Наберите воду заранее")

    # The letter, sent at once to everyone.
    with schema_context(alpha.schema_name):
        assert notifications.deliver_pending().sent >= 2
    letters = [m for m in mail.outbox if browser_owner.email in m.to]
    assert len(letters) == 1
    assert TITLE in letters[0].subject
    assert "Меняем задвижку" in letters[0].body
    assert "List-Unsubscribe" not in letters[0].extra_headers  # it cannot be switched off

    # The chairman ends it: gone from the top of the member's pages.
    board.get_by_role("button", name="Завершить объявление сейчас").click()
    expect(board.locator(".messages .success")).to_be_visible()
    phone.goto(f"{alpha_url}/")
    expect(phone.locator(".emergency-banner")).to_have_count(0)


def test_a_member_opens_a_pdf_in_the_browsers_own_viewer(
    new_page, alpha_url, browser_owner, news_world
):
    document = news_world["document"]
    phone = new_page(width=375, height=812)
    sign_in(phone, alpha_url, browser_owner.email)
    expect(phone).to_have_url(f"{alpha_url}/")
    for path in ("/documents/disclosure/", "/news/", "/documents/"):
        phone.goto(f"{alpha_url}{path}")
        width = settled_scroll_width(phone)
        assert width <= 375, f"horizontal scroll at 375 px on {path}: {width}"
    expect(phone.locator(".doc-title", has_text="Устав ТСЖ")).to_be_visible()
    assert phone.locator("iframe, embed, object").count() == 0
    with phone.expect_response(lambda r: f"/documents/{document.pk}/versions/" in r.url) as got:
        phone.locator(".doc-open").first.click()
    response = got.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(phone).to_have_url(re.compile(rf"/documents/{document.pk}/versions/"))
