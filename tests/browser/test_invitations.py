"""In a real browser: the chairman invites an owner of a flat, the owner opens the link from
the letter on a phone, sets a password and sees their own dashboard.

The live server runs in this process with the locmem mail backend, so the letter is read from
``django.core.mail.outbox``. The register, the chairman and everything the flow creates are
committed in ``alpha`` and removed afterwards (see ``invitation_world``).
"""

from __future__ import annotations

import datetime
import re
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHAIRMAN_EMAIL = "browser-chairman@example.test"
INVITEE_EMAIL = "browser-invitee@example.test"
OWNER_NAME = "Ирина Викторовна Соколова"
NEW_PASSWORD = "Lilac-harbour-2041"


@dataclass
class World:
    chairman: object
    totp_secret: str
    premises: object
    owner: object


@pytest.fixture
def invitation_world(db_unblocked, alpha):
    """A chairman with a confirmed authenticator and a flat with one owner, committed in alpha.

    Afterwards every row the test made is deleted (audit entries too, by raw SQL: the model
    refuses deletes), and the holding's key is destroyed, so later tests see clean schemas.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from core.crypto import keyring
    from tenants.invitations.models import Invitation
    from tenants.residents.models import (
        Building,
        Holding,
        Owner,
        Ownership,
        PersonalAccount,
        Premises,
    )
    from tests.factories import UserFactory

    cache.clear()
    tag = uuid.uuid4().hex[:6]
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN])
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
        building = Building.objects.create(name=f"Браузерный дом {tag}")
        premises = Premises.objects.create(building=building, number="7", area=Decimal("61.20"))
        account = PersonalAccount.objects.create(number=f"B{tag}", premises=premises)
        holding = Holding(
            account=account, started_on=datetime.date(2021, 5, 1), full_name=OWNER_NAME
        )
        holding.save()
        owner = Owner(holding=holding, full_name=OWNER_NAME)
        owner.save()
        Ownership.objects.create(
            premises=premises, owner=owner, started_on=datetime.date(2021, 5, 1)
        )
    try:
        yield World(chairman=chairman, totp_secret=secret, premises=premises, owner=owner)
    finally:
        with schema_context(alpha.schema_name):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            Invitation.objects.filter(premises=premises).delete()
            Owner.objects.filter(pk=owner.pk).update(user=None)
            Ownership.objects.filter(premises=premises).delete()
            Owner.objects.filter(pk=owner.pk).delete()
            Holding.objects.filter(pk=holding.pk).delete()
            keyring.destroy_owner_key(holding.encryption_key_name())
            PersonalAccount.objects.filter(pk=account.pk).delete()
            Premises.objects.filter(pk=premises.pk).delete()
            Building.objects.filter(pk=building.pk).delete()
            users = get_user_model().objects.filter(
                pk=chairman.pk
            ) | get_user_model().objects.with_email(INVITEE_EMAIL)
            for user in users:
                user.delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
        cache.clear()
        connections.close_all()


def sign_in_as_chairman(page, base_url: str, world: World) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", CHAIRMAN_EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.fill("input[name=code]", pyotp.TOTP(world.totp_secret).at(time.time()))
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base_url}/")


def assert_no_horizontal_scroll(page, width: int = 375) -> None:
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= width, f"horizontal scroll at {width} px: scrollWidth is {scroll_width}"


def letter_link(timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if INVITEE_EMAIL in message.to:
                match = re.search(r"https?://\S+/invitations/accept/\S+/", message.body)
                assert match, "the letter carries no link"
                return match.group(0)
        time.sleep(0.1)
    raise AssertionError("no invitation letter was sent")


def test_the_board_invites_an_owner_who_sets_a_password_and_sees_their_dashboard(
    new_page, alpha_url, invitation_world
):
    world = invitation_world
    board = new_page()
    sign_in_as_chairman(board, alpha_url, world)

    board.goto(f"{alpha_url}/invitations/new/")
    expect(board.locator("h1")).to_be_visible()
    board.select_option("select[name=premises]", str(world.premises.pk))
    # htmx reloads the owner picker for the chosen premises.
    owner_option = board.locator(f"select[name=owner] option[value='{world.owner.pk}']")
    expect(owner_option).to_have_text(OWNER_NAME)
    board.select_option("select[name=owner]", str(world.owner.pk))
    expect(board.locator("input[name=kind][value=owner]")).to_be_checked()
    board.fill("input[name=email]", INVITEE_EMAIL)
    board.click("form.invite-form button[type=submit]")

    expect(board).to_have_url(f"{alpha_url}/invitations/")
    card = board.locator(".invitation", has_text=INVITEE_EMAIL)
    expect(card).to_have_attribute("data-status", "pending")
    expect(card).to_contain_text(OWNER_NAME)
    board.set_viewport_size({"width": 375, "height": 812})
    assert_no_horizontal_scroll(board)

    link = letter_link()
    assert urlsplit(link).hostname == urlsplit(alpha_url).hostname
    path = urlsplit(link).path

    phone = new_page(width=375, height=812)
    phone.goto(f"{alpha_url}{path}")
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    expect(phone.locator("input[name=full_name]")).to_have_value("")
    assert_no_horizontal_scroll(phone)
    phone.fill("input[name=full_name]", OWNER_NAME)
    phone.fill("input[name=password1]", NEW_PASSWORD)
    phone.fill("input[name=password2]", NEW_PASSWORD)
    phone.click("form.stack button[type=submit]")

    expect(phone).to_have_url(f"{alpha_url}/")
    expect(phone.locator("h1")).to_contain_text("Ирина")
    expect(phone.locator(".card[data-section=home]")).to_be_visible()
    expect(phone.locator(".card[data-section=registry]")).to_have_count(0)
    assert_no_horizontal_scroll(phone)

    # The link is single use: opened again, it says so.
    again = new_page(width=375, height=812)
    again.goto(f"{alpha_url}{path}")
    expect(again.locator(".invitation-problem")).to_have_attribute("data-problem", "used")

    # The board's list now shows the invitation as accepted.
    board.reload()
    expect(board.locator(".invitation", has_text=INVITEE_EMAIL)).to_have_attribute(
        "data-status", "accepted"
    )
