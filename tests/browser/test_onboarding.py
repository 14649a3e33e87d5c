"""An association's first day, in a real browser: the chairman (with the second factor) loads the
registry from a spreadsheet made from the portal's own template, confirms the preview, waits for
the import that runs in Celery, invites one of the imported owners; the owner opens the link
from the letter on a 375 px phone, sets a password and sees only their own home.

The import's confirmation runs in a real Celery worker (a thread of this process, consuming
from the run's Redis) with its own database connection, and the live server has its own too,
so everything is committed in ``alpha`` and removed afterwards (``onboarding_world``), audit
entries included. Pages are found by addresses, ids and classes rather than words; the texts
checked are data: numbers, names and shares.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenants.imports.models import ImportJob
from tenants.residents.models import Building, Premises
from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
CHAIRMAN_EMAIL = "browser-onboarding-chairman@example.test"
INVITEE_EMAIL = "browser-onboarding-owner@example.test"
INVITEE_NAME = "Смирнова Ольга Николаевна"
CO_OWNER_NAME = "Смирнов Андрей Петрович"
OTHER_OWNER_NAME = "Кузнецов Иван Ильич"
ORGANISATION_NAME = "ООО «Ромашка»"
NEW_PASSWORD = "Quince-meadow-2043"
BUILDING = "Дом на Импортной, 5"

#: The spreadsheet: four premises, three personal accounts; flat 501 is owned half and half,
#: the invitee's half carries their email; 504 (non-residential) has neither account nor owner.
ROWS = [
    {
        "building": BUILDING,
        "kind": "квартира",
        "number": "501",
        "floor": 5,
        "entrance": "2",
        "area": "54,30",
        "account": "77001",
        "owner": INVITEE_NAME,
        "share": "1/2",
        "doc_kind": "выписка из ЕГРН",
        "doc_date": "15.03.2020",
        "email": INVITEE_EMAIL,
        "member": "да",
        "member_since": "01.06.2021",
    },
    {
        "building": BUILDING,
        "kind": "квартира",
        "number": "501",
        "floor": 5,
        "entrance": "2",
        "area": "54,30",
        "account": "77001",
        "owner": CO_OWNER_NAME,
        "share": "1/2",
        "doc_kind": "выписка из ЕГРН",
        "doc_date": "15.03.2020",
        "member": "нет",
    },
    {
        "building": BUILDING,
        "kind": "квартира",
        "number": "502",
        "floor": 5,
        "entrance": "2",
        "area": "61,00",
        "account": "77002",
        "owner": OTHER_OWNER_NAME,
        "share": "1",
        "doc_date": "01.02.2019",
        "email": "browser-onboarding-other@example.test",
        "member": "нет",
    },
    {
        "building": BUILDING,
        "kind": "квартира",
        "number": "503",
        "floor": 6,
        "entrance": "2",
        "area": "40,10",
        "account": "77003",
        "owner": ORGANISATION_NAME,
        "inn": "7707083893",
        "share": "1",
        "doc_date": "10.10.2018",
        "member": "нет",
    },
    {"building": BUILDING, "kind": "нежилое", "number": "Н-504", "area": "120,00"},
]
MY_PREMISES = "501"
OTHER_PREMISES = ("502", "503", "504")
OTHER_ACCOUNTS = ("77002", "77003")


@dataclass
class World:
    chairman: object
    totp_secret: str


@pytest.fixture
def onboarding_world(db_unblocked, alpha):
    """A chairman with a confirmed authenticator, committed in alpha; afterwards everything the
    test made is deleted: the imported registry (buildings, premises, accounts, holdings, owners,
    shares and the holdings' key rows), the import job, the invitation, the users and their
    sessions, and the audit entries (by SQL: the model refuses deletes)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from core.crypto.models import WrappedDataKey
    from tenants.imports.models import ImportRow
    from tenants.invitations.models import Invitation
    from tenants.residents.models import Holding, Owner, Ownership, PersonalAccount
    from tests.factories import UserFactory

    # Before the worker starts: clearing the cache empties the Redis database the broker uses.
    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        keys_before = set(WrappedDataKey.objects.values_list("id", flat=True))
        buildings_before = set(Building.objects.values_list("id", flat=True))
        jobs_before = set(ImportJob.objects.values_list("id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        chairman = UserFactory(
            email=CHAIRMAN_EMAIL, full_name="Орлова Вера Павловна", roles=[Role.CHAIRMAN]
        )
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
    try:
        yield World(chairman=chairman, totp_secret=secret)
    finally:
        with schema_context(alpha.schema_name):
            premises = Premises.objects.exclude(building_id__in=buildings_before)
            accounts = PersonalAccount.objects.filter(premises__in=premises)
            holdings = Holding.objects.filter(account__in=accounts)
            Invitation.objects.filter(premises__in=premises).delete()
            Ownership.objects.filter(premises__in=premises).delete()
            Owner.objects.filter(holding__in=holdings).delete()
            holdings.delete()
            accounts.delete()
            premises.delete()
            Building.objects.exclude(id__in=buildings_before).delete()
            new_jobs = ImportJob.objects.exclude(id__in=jobs_before)
            ImportRow.objects.filter(job__in=new_jobs).delete()
            new_jobs.delete()
            # The holdings' data key rows (the association's own keys stay); the provider keys
            # live in the test run's own key store.
            WrappedDataKey.objects.exclude(id__in=keys_before).filter(
                key_name__startswith="acct-"
            ).delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
            Session.objects.exclude(session_key__in=sessions_before).delete()
            User = get_user_model()
            for user in User.objects.filter(pk=chairman.pk) | User.objects.with_email(
                INVITEE_EMAIL
            ):
                user.delete()
        cache.clear()  # rate-limit counters, the import's progress
        # See ``browser_owner``: this thread's connection lives in a slot the database teardown
        # never closes while Playwright's loop runs.
        connections.close_all()


@pytest.fixture
def import_worker(onboarding_world):
    """A real Celery worker for the confirmed import (and the preview's key preparation).

    Started after ``onboarding_world`` has cleared the cache and stopped before it clears it
    again: the cache and the broker share the run's Redis database.
    """
    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    from config.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        yield
    connection.set_schema_to_public()


def fill_the_template(template_path, target_path) -> None:
    """Fill the downloaded template's first sheet with ``ROWS``, column by its header."""
    from openpyxl import load_workbook

    from tenants.imports.columns import column_for_header

    workbook = load_workbook(template_path)
    sheet = workbook.worksheets[0]
    keys = [column_for_header(cell.value) for cell in sheet[1]]
    assert None not in keys, f"a header of the template is not recognised: {keys}"
    for row in ROWS:
        sheet.append([row.get(key) for key in keys])
    workbook.save(target_path)


def fits_the_phone(page) -> None:
    scroll_width = settled_scroll_width(page)
    assert scroll_width <= PHONE["width"], f"horizontal scroll: scrollWidth is {scroll_width}"
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"], f"an element reaches {widest}px"


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


def imported_premises(number: str) -> Premises:
    with schema_context("alpha"):
        return Premises.objects.get(building__name=BUILDING, number=number)


def test_the_board_imports_a_spreadsheet_invites_an_owner_who_sees_only_their_home(
    new_page, alpha_url, onboarding_world, import_worker, tmp_path
):
    world = onboarding_world

    # -- the chairman signs in with the second factor --------------------------------------------
    board = new_page()
    board.goto(f"{alpha_url}/accounts/login/")
    board.fill("input[name=username]", CHAIRMAN_EMAIL)
    board.fill("input[name=password]", TEST_PASSWORD)
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(re.compile(r"/accounts/second-factor/"))
    board.fill("input[name=code]", pyotp.TOTP(world.totp_secret).at(time.time()))
    board.click("form.stack button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/")

    # -- the import page, from the dashboard's card; the template, filled in ---------------------
    board.click(".card[data-section=import] h2 a")
    expect(board).to_have_url(f"{alpha_url}/registry/import/")
    with board.expect_download() as download:
        board.click("a[href='/registry/import/template.xlsx']")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    spreadsheet = tmp_path / "реестр.xlsx"
    fill_the_template(template, spreadsheet)

    board.set_input_files("input[type=file][name=file]", str(spreadsheet))
    board.click("form[enctype='multipart/form-data'] button[type=submit]")

    # -- the preview: every row new, none in error; nothing written yet --------------------------
    expect(board).to_have_url(re.compile(r"/registry/import/[0-9a-f-]{36}/$"))
    job_url = board.url
    expect(board.locator(".imp-badge.imp-preview").first).to_be_visible()
    expect(board.locator(".import-counts .count-new")).to_contain_text(str(len(ROWS)))
    expect(board.locator(".import-counts .count-error")).to_contain_text("0")
    rows = board.locator("li.import-row")
    expect(rows).to_have_count(len(ROWS))
    expect(rows.nth(0)).to_contain_text(INVITEE_NAME)
    expect(rows.nth(0)).to_contain_text("1/2")
    expect(rows.nth(3)).to_contain_text(ORGANISATION_NAME)
    board.set_viewport_size(PHONE)
    fits_the_phone(board)
    board.set_viewport_size({"width": 1280, "height": 800})
    with schema_context("alpha"):
        assert not Building.objects.filter(name=BUILDING).exists(), "written before confirming"

    # -- confirmed: the worker imports; the progress ends in the result --------------------------
    board.click("form[action$='/confirm/'] button[type=submit]")
    expect(board).to_have_url(job_url)
    expect(board.locator("#import-progress, .import-result").first).to_be_visible()
    result = board.locator(".import-result")
    expect(result).to_be_visible(timeout=60_000)
    expect(board.locator(".import-meta .imp-badge.imp-done")).to_be_visible()
    expect(board.locator("form[action$='/confirm/']")).to_have_count(0)
    mine = imported_premises(MY_PREMISES)
    with schema_context("alpha"):
        job = ImportJob.objects.get(pk=urlsplit(job_url).path.rstrip("/").rsplit("/", 1)[-1])
        assert job.result["premises_created"] == 4
        assert job.result["accounts_created"] == 3
        assert job.result["owners_created"] == 4
        assert not job.rows.exists(), "the preview's personal data is deleted once imported"

    # -- the invitation, from the invitations page -----------------------------------------------
    board.goto(f"{alpha_url}/")
    board.click(".card[data-section=invitations] h2 a")
    expect(board).to_have_url(f"{alpha_url}/invitations/")
    board.click("a[href='/invitations/new/']")
    expect(board).to_have_url(f"{alpha_url}/invitations/new/")
    board.select_option("select[name=premises]", str(mine.pk))
    # htmx reloads the owner picker: both co-owners of flat 501, neither with a login yet.
    owners = board.locator("select[name=owner] option:not([value=''])")
    expect(owners).to_have_count(2)
    assert sorted(owners.all_inner_texts()) == sorted([INVITEE_NAME, CO_OWNER_NAME])
    board.select_option("select[name=owner]", label=INVITEE_NAME)
    expect(board.locator("input[name=kind][value=owner]")).to_be_checked()
    board.fill("input[name=email]", INVITEE_EMAIL)
    board.click("form.invite-form button[type=submit]")
    expect(board).to_have_url(f"{alpha_url}/invitations/")
    card = board.locator(".invitation", has_text=INVITEE_EMAIL)
    expect(card).to_have_attribute("data-status", "pending")
    expect(card).to_contain_text(INVITEE_NAME)
    board.set_viewport_size(PHONE)
    fits_the_phone(board)

    # -- the owner opens the letter's link on a phone and sets a password ------------------------
    link = letter_link()
    assert urlsplit(link).hostname == urlsplit(alpha_url).hostname
    phone = new_page(**PHONE)
    phone.goto(f"{alpha_url}{urlsplit(link).path}")
    phone.fill("input[name=full_name]", "Ольга Смирнова")
    phone.fill("input[name=password1]", NEW_PASSWORD)
    phone.fill("input[name=password2]", NEW_PASSWORD)
    phone.click("form.stack button[type=submit]")
    expect(phone).to_have_url(f"{alpha_url}/")
    expect(phone.locator("h1")).to_contain_text("Ольга")
    expect(phone.locator(".card[data-section=import]")).to_have_count(0)

    # -- «Мой дом»: only flat 501, their half, its account and the co-owner ---------------------
    phone.click(".card[data-section=home] h2 a")
    expect(phone).to_have_url(f"{alpha_url}/home/")
    homes = phone.locator("li.home")
    expect(homes).to_have_count(1)
    expect(homes).to_have_attribute("data-premises", str(mine.pk))
    expect(homes.locator("h2")).to_contain_text(MY_PREMISES)
    expect(homes.locator(".reg-meta").first).to_contain_text(BUILDING)
    expect(homes.locator(".reg-share")).to_have_text("1/2")
    expect(homes.locator(".account-number")).to_have_text(["77001"])
    expect(homes.locator(".co-owners li")).to_have_text([CO_OWNER_NAME])
    text = phone.locator("main").inner_text()
    for number in (*OTHER_PREMISES, *OTHER_ACCOUNTS):
        assert number not in text, f"someone else's {number} is on the owner's page"
    for name in (OTHER_OWNER_NAME, ORGANISATION_NAME):
        assert name not in text, f"{name} is on the owner's page"
    fits_the_phone(phone)

    # The board's pages stay closed to the owner.
    assert phone.goto(f"{alpha_url}/registry/import/").status == 403
    board.reload()
    expect(board.locator(".invitation", has_text=INVITEE_EMAIL)).to_have_attribute(
        "data-status", "accepted"
    )
