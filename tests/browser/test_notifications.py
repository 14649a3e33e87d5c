"""In a real browser: a member switches off a kind of notification from the link in an email,
without signing in; an altered link says so and changes nothing.

The letter is delivered in this process through the outbox to the locmem backend (the live
server runs in this process too) and read from ``django.core.mail.outbox``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def notified_owner(browser_owner, alpha):
    """``browser_owner`` with an announcement delivered to them; what it made is removed."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.notifications import services
    from tenants.notifications.declaration import ANNOUNCEMENT
    from tenants.notifications.models import Message

    started = timezone.now()
    mail.outbox = []
    with schema_context(alpha.schema_name):
        connection.set_tenant(alpha)
        with transaction.atomic():
            services.notify(
                actor=None,
                kind=ANNOUNCEMENT,
                recipients=[browser_owner],
                subject="Собрание собственников 12 июня",
                body="Приходите во двор в 19:00.",
            )
        assert services.deliver_pending().sent == 1
    try:
        yield browser_owner
    finally:
        with schema_context(alpha.schema_name):
            Message.objects.filter(created_at__gte=started).delete()
            with connection.cursor() as cursor:  # the audit log refuses deletes through the ORM
                cursor.execute(
                    "DELETE FROM audit_auditentry WHERE at >= %s AND action LIKE %s",
                    [started, "notifications.%"],
                )


def test_member_switches_off_a_kind_from_the_email(notified_owner, alpha, alpha_url, new_page):
    from django_tenants.utils import schema_context

    from tenants.notifications.declaration import ANNOUNCEMENT
    from tenants.notifications.models import Preference

    letter = mail.outbox[-1]
    assert letter.to == [notified_owner.email]
    header = letter.extra_headers["List-Unsubscribe"]
    link = re.search(r"https?://\S+/notifications/unsubscribe/\S+/", letter.body).group(0)
    assert header == f"<{link}>"
    path = urlsplit(link).path

    page = new_page(375, 740)  # a phone
    page.goto(alpha_url + path[:-4] + "AAA/")  # altered
    expect(page.locator(".unsubscribe-refused")).to_contain_text("Ничего не изменено")

    page.goto(alpha_url + path)
    expect(page.locator("h1")).to_have_text("Отписаться")
    expect(page.locator(".unsubscribe")).to_contain_text("Объявления правления")
    with schema_context(alpha.schema_name):
        assert not Preference.objects.filter(user=notified_owner).exists()
    page.get_by_role("button", name="Отписаться").click()
    expect(page.locator("h1")).to_have_text("Вы отписались")
    expect(page.locator(".unsubscribe-done")).to_contain_text("Объявления правления")
    with schema_context(alpha.schema_name):
        preference = Preference.objects.get(user=notified_owner, kind=ANNOUNCEMENT)
        assert preference.enabled is False
