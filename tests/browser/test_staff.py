"""In a real browser: the chairman appoints an accountant by an email invitation; the accountant
opens the link, sets a password, enrols a second factor (the test plays the authenticator app
from the key on the page) and sees the accountant's sections; signing in again asks for a code.

The live server runs in this process with the locmem mail backend, so the letter is read from
``django.core.mail.outbox``. Everything the test makes in ``alpha`` is removed afterwards.
"""

from __future__ import annotations

import datetime
import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHAIRMAN_EMAIL = "browser-staff-chairman@example.test"
ACCOUNTANT_EMAIL = "browser-accountant@example.test"
ACCOUNTANT_NAME = "Ольга Сергеевна Счетоводова"
NEW_PASSWORD = "Lilac-harbour-2041"


@pytest.fixture
def staff_world(db_unblocked, alpha):
    """A chairman with a confirmed authenticator in alpha; afterwards everything the test made
    (logins, invitations, sessions, notifications, audit entries by raw SQL) is removed."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.invitations.models import Invitation
    from tests.factories import UserFactory

    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        invitations_before = set(Invitation.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
    try:
        yield secret
    finally:
        with schema_context(alpha.schema_name):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            Invitation.objects.exclude(pk__in=invitations_before).delete()
            User = get_user_model()
            for user in User.objects.filter(pk=chairman.pk) | User.objects.with_email(
                ACCOUNTANT_EMAIL
            ):
                user.delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
        cache.clear()
        connections.close_all()


def letter_link(timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if ACCOUNTANT_EMAIL in message.to:
                match = re.search(r"https?://\S+/invitations/accept/\S+/", message.body)
                assert match, "the letter carries no link"
                return match.group(0)
        time.sleep(0.1)
    raise AssertionError("no invitation letter was sent")


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")


def test_the_chairman_appoints_an_accountant_who_enrols_a_second_factor(
    new_page, alpha_url, staff_world
):
    board = new_page()
    sign_in(board, alpha_url, CHAIRMAN_EMAIL, TEST_PASSWORD)
    expect(board).to_have_url(re.compile(r"/accounts/second-factor/"))
    board.fill("input[name=code]", pyotp.TOTP(staff_world).at(time.time()))
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/")

    # The People section is on the chairman's dashboard.
    board.click(".card[data-section=staff] a")
    expect(board).to_have_url(f"{alpha_url}/staff/")
    board.click("a[href='/staff/appoint/']")
    board.fill("input[name=email]", ACCOUNTANT_EMAIL)
    board.check("input[name=roles][value=accountant]")
    board.click("form.appoint-form button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/staff/")
    expect(board.locator(".messages .success")).to_be_visible()

    link = letter_link()
    assert urlsplit(link).hostname == urlsplit(alpha_url).hostname
    path = urlsplit(link).path

    phone = new_page(width=375, height=812)
    phone.goto(f"{alpha_url}{path}")
    expect(phone.locator(".invitation-for")).to_contain_text("Бухгалтер")
    phone.fill("input[name=full_name]", ACCOUNTANT_NAME)
    phone.fill("input[name=password1]", NEW_PASSWORD)
    phone.fill("input[name=password2]", NEW_PASSWORD)
    phone.click("form.stack button[type=submit]")

    # A role that sees other members' data: enrolment before anything else.
    expect(phone).to_have_url(re.compile(r"/accounts/second-factor/"))
    expect(phone.locator(".qr svg")).to_be_visible()
    key = phone.locator("code.secret").inner_text().replace(" ", "")
    phone.fill("input[name=code]", pyotp.TOTP(key).at(time.time()))
    phone.click("form.stack button[type=submit]")

    expect(phone).to_have_url(f"{alpha_url}/")
    expect(phone.locator(".card[data-section=accounts]")).to_be_visible()
    expect(phone.locator(".card[data-section=staff]")).to_have_count(0)
    expect(phone.locator(".card[data-section=registry]")).to_have_count(0)

    # Signing in again asks for the code (no second enrolment).
    later = new_page()
    sign_in(later, alpha_url, ACCOUNTANT_EMAIL, NEW_PASSWORD)
    expect(later).to_have_url(re.compile(r"/accounts/second-factor/"))
    expect(later.locator(".qr svg")).to_have_count(0)

    # The chairman's People page lists the accountant with the role, and the change.
    board.reload()
    person = board.locator(".staff-person", has_text=ACCOUNTANT_EMAIL)
    expect(person.locator("[data-role=accountant]")).to_be_visible()
    expect(board.locator(".staff-history [data-action='invitations.accepted']")).to_be_visible()
