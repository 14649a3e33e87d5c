"""The registry in a real browser, on a 375 px phone: the board (with its second factor) adds a
building, premises and owners, is stopped by a share over 1, finds the premises by an owner's
email; then an owner signs in and sees only their own home.

Pages are found by their addresses and ids rather than their words (the Russian catalogue is
translated separately); the texts checked are data: numbers, names and shares.
"""

from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
CHAIRMAN_EMAIL = "browser-chairman@example.test"
OWNER_EMAIL = "browser-home-owner@example.test"
OWNER_NAME = "Васильева Наталья Андреевна"
CO_OWNER_NAME = "Васильев Дмитрий Сергеевич"
BUILDING = "Дом для браузера"
OTHER_ACCOUNT = "BR-9999"


@pytest.fixture
def registry_people(db_unblocked, alpha):
    """A chairman with a confirmed authenticator, an owner login, and premises of someone else,
    committed for the live server; everything made (registry rows, audit entries, keys' rows,
    users) is removed afterwards."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from core.audit.models import AuditEntry
    from core.crypto.models import WrappedDataKey
    from tenants.residents import services
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
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        keys_before = set(WrappedDataKey.objects.values_list("id", flat=True))
        audit_before = set(AuditEntry.objects.values_list("id", flat=True))
        buildings_before = set(Building.objects.values_list("id", flat=True))
        chairman = UserFactory(
            email=CHAIRMAN_EMAIL, full_name="Козлов Пётр Ильич", roles=[Role.CHAIRMAN]
        )
        secret = pyotp.random_base32()
        factor = SecondFactor(user=chairman, secret=secret)
        factor.confirmed_at = datetime.datetime.now(datetime.UTC)
        factor.save()
        owner = UserFactory(email=OWNER_EMAIL, full_name=OWNER_NAME, roles=[Role.OWNER])
        # Someone else's premises in another building: the owner must never see it.
        elsewhere = services.create_building(name="Чужой дом")
        other = services.create_premises(
            building=elsewhere,
            kind="flat",
            number="1",
            area="40.00",
            account_number=OTHER_ACCOUNT,
            started_on=datetime.date(2020, 1, 1),
        )
        services.add_owner(
            services.current_holding(other.accounts.get()),
            premises=other,
            share=1,
            started_on=datetime.date(2020, 1, 1),
            person={"full_name": "Посторонний Владелец"},
        )
    try:
        yield {"chairman": chairman, "secret": secret, "owner": owner}
    finally:
        with schema_context(alpha.schema_name):
            premises = Premises.objects.exclude(building_id__in=buildings_before)
            accounts = PersonalAccount.objects.filter(premises__in=premises)
            holdings = Holding.objects.filter(account__in=accounts)
            Ownership.objects.filter(premises__in=premises).delete()
            Owner.objects.filter(holding__in=holdings).delete()
            holdings.delete()
            accounts.delete()
            premises.delete()
            Building.objects.exclude(id__in=buildings_before).delete()
            # The holdings' data key rows (the association's own keys stay).
            WrappedDataKey.objects.exclude(id__in=keys_before).filter(
                key_name__startswith="acct-"
            ).delete()
            new_entries = [
                str(pk)
                for pk in AuditEntry.objects.values_list("id", flat=True)
                if pk not in audit_before
            ]
            if new_entries:
                # The audit log refuses deletes through the ORM; this test's rows go by SQL.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = ANY(%s::uuid[])",  # noqa: S608
                        [new_entries],
                    )
            Session.objects.exclude(session_key__in=sessions_before).delete()
            type(owner).objects.filter(pk__in=[owner.pk, chairman.pk]).delete()
        cache.clear()
        connections.close_all()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")


def fits_the_phone(page) -> None:
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= PHONE["width"], f"horizontal scroll: scrollWidth is {scroll_width}"
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"], f"an element reaches {widest}px"


def submit(page) -> None:
    page.click("form.registry-form button[type=submit]")


def test_board_registers_premises_and_owners_and_the_owner_sees_only_their_home(
    new_page, alpha_url, registry_people
):
    # -- the board, on a phone -------------------------------------------------------------
    board = new_page(**PHONE)
    sign_in(board, alpha_url, CHAIRMAN_EMAIL)
    expect(board).to_have_url(re.compile(r"/accounts/second-factor/"))
    board.fill("input[name=code]", pyotp.TOTP(registry_people["secret"]).now())
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/")

    board.click(".card[data-section=registry] h2 a")
    expect(board).to_have_url(f"{alpha_url}/registry/")
    fits_the_phone(board)

    board.click("a[href='/registry/buildings/new/']")
    board.fill("#id_name", BUILDING)
    board.fill("#id_address", "г. Москва, ул. Садовая, д. 20")
    submit(board)
    expect(board).to_have_url(f"{alpha_url}/registry/")

    board.click("a[href='/registry/premises/new/']")
    board.select_option("#id_building", label=BUILDING)
    board.select_option("#id_kind", value="flat")
    board.fill("#id_number", "42")
    board.fill("#id_floor", "5")
    board.fill("#id_area", "61.50")
    board.fill("#id_cadastral_number", "77:01:0004012:4242")
    board.fill("#id_account_number", "BR-0042")
    fits_the_phone(board)
    submit(board)
    expect(board).to_have_url(re.compile(r"/registry/premises/[0-9a-f-]{36}/$"))
    premises_url = board.url
    expect(board.locator("h1")).to_contain_text("42")
    expect(board.locator("[data-account] h3")).to_contain_text("BR-0042")

    # The first owner: a half, with the owner's email (the invitation will use it).
    board.click("a[href$='/owners/new/']")
    board.fill("#id_full_name", OWNER_NAME)
    board.fill("#id_primary_email", OWNER_EMAIL)
    board.fill("#id_share", "1/2")
    fits_the_phone(board)
    submit(board)
    expect(board).to_have_url(premises_url)
    owners = board.locator("ul.owners")
    expect(owners).to_contain_text(OWNER_NAME)
    expect(owners.locator(".reg-share")).to_have_text(["1/2"])
    expect(board.locator("#owners-title [data-warning=shares]")).to_be_visible()

    # A share over 1 is refused beside the share field; nothing is added.
    board.click("a[href$='/owners/new/']")
    board.fill("#id_full_name", CO_OWNER_NAME)
    board.fill("#id_share", "2/3")
    submit(board)
    error = board.locator(".reg-field:has(#id_share) .errorlist")
    expect(error).to_be_visible()
    expect(board.locator("#id_full_name")).to_have_value(CO_OWNER_NAME)
    fits_the_phone(board)

    board.fill("#id_share", "1/2")
    submit(board)
    expect(board).to_have_url(premises_url)
    expect(board.locator("ul.owners .reg-share")).to_have_text(["1/2", "1/2"])
    expect(board.locator("#owners-title [data-warning=shares]")).to_have_count(0)
    expect(board.locator("[data-action='residents.owner_added']")).to_have_count(2)
    fits_the_phone(board)

    # Search by the owner's exact email: htmx replaces the results in place.
    board.goto(f"{alpha_url}/registry/")
    board.fill("#id_q", OWNER_EMAIL.upper())
    results = board.locator("#premises-results li[data-premises]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("42")
    # The search was posted: the email is in no address (history, logs).
    assert board.url == f"{alpha_url}/registry/"

    # -- the invitation is accepted (another feature): the owner record gets its login ----------
    _link_owner_login(registry_people["owner"])

    # -- the owner, on a phone ------------------------------------------------------------------
    owner = new_page(**PHONE)
    sign_in(owner, alpha_url, OWNER_EMAIL)
    expect(owner).to_have_url(f"{alpha_url}/")
    owner.click(".card[data-section=home] h2 a")
    expect(owner).to_have_url(f"{alpha_url}/home/")
    homes = owner.locator("li.home")
    expect(homes).to_have_count(1)
    expect(homes.locator("h2")).to_contain_text("42")
    expect(homes.locator(".reg-share")).to_have_text("1/2")
    expect(homes.locator(".account-number")).to_have_text(["BR-0042"])
    expect(homes.locator(".co-owners")).to_have_text(CO_OWNER_NAME)
    page_text = owner.locator("main").inner_text()
    assert OTHER_ACCOUNT not in page_text and "Посторонний" not in page_text
    fits_the_phone(owner)
    # The board's registry stays closed to an owner.
    response = owner.goto(f"{alpha_url}/registry/")
    assert response.status == 403


def _link_owner_login(user) -> None:
    from django_tenants.utils import schema_context

    from core.crypto.fields import blind_index_for
    from tenants.residents.models import Owner

    with schema_context("alpha"):
        index = blind_index_for(Owner, "primary_email", OWNER_EMAIL)
        assert Owner.objects.filter(email_index=index).update(user=user) == 1
