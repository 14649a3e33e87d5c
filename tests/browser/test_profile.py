"""In a real browser: the chairman enters bank details with a wrong control key, reads the
message beside the account, corrects it, then uploads a logo and sees it in the header."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD
from tests.tenants.files.images import jpeg_with_location
from tests.tenants.profile.test_validators import with_key

pytestmark = pytest.mark.browser

CHAIRMAN_EMAIL = "browser-profile-chairman@example.test"
BIC = "044525225"
CORR = "30101810400000000225"
ACCOUNT = with_key(BIC, "40703810000000054321")
WRONG_ACCOUNT = ACCOUNT[:8] + str((int(ACCOUNT[8]) + 1) % 10) + ACCOUNT[9:]


@pytest.fixture
def profile_chairman(db_unblocked, alpha):
    """A chairman with a confirmed authenticator, committed in alpha; afterwards the profile,
    recipients, files (and their bytes), audit entries and sessions the test made are gone."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.files.models import StoredFile
    from tenants.files.storage import private_storage
    from tenants.profile.models import OperationalSettings, PaymentRecipient, Profile
    from tests.factories import UserFactory

    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
        secret = pyotp.random_base32()
        SecondFactor(
            user=chairman, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)
        ).save()
    try:
        yield chairman, secret
    finally:
        with schema_context(alpha.schema_name):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            Profile.objects.all().delete()
            PaymentRecipient.objects.all().delete()
            OperationalSettings.objects.all().delete()
            for stored in StoredFile.objects.all():
                private_storage().delete(stored.storage_name)
                stored.delete()
            type(chairman).objects.filter(pk=chairman.pk).delete()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM audit_auditentry")
                made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
                if made:
                    cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
        cache.clear()
        connections.close_all()


def sign_in(page, base_url: str, secret: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", CHAIRMAN_EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time()))
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base_url}/")


def test_chairman_fixes_a_wrong_control_key_and_sets_a_logo(
    new_page, alpha_url, profile_chairman, tmp_path: Path
):
    _chairman, secret = profile_chairman
    page = new_page()
    sign_in(page, alpha_url, secret)

    # The dashboard leads to the profile.
    page.click("a[href='/settings/profile/']")
    expect(page.locator("h1")).to_have_text("Профиль товарищества")
    page.click("a[href='/settings/profile/recipients/new/']")

    page.fill("input[name=title]", "Расчётный счёт")
    page.fill("input[name=recipient_name]", "ТСЖ «Альфа»")
    page.fill("input[name=account]", WRONG_ACCOUNT)
    page.fill("input[name=bank_name]", "ПАО Сбербанк")
    page.fill("input[name=bic]", BIC)
    page.fill("input[name=corr_account]", CORR)
    page.click("form.recipient-form button[type=submit]")

    error = page.locator("[data-field=account]")
    expect(error).to_contain_text("контрольный ключ")
    expect(page.locator("[data-field=bic]")).to_have_count(0)
    # What was typed is kept, so only the account needs correcting.
    expect(page.locator("input[name=bic]")).to_have_value(BIC)
    page.fill("input[name=account]", ACCOUNT)
    page.click("form.recipient-form button[type=submit]")

    expect(page).to_have_url(f"{alpha_url}/settings/profile/")
    expect(page.locator(".profile-recipient")).to_contain_text(ACCOUNT)
    expect(page.locator("img.brand-logo")).to_have_count(0)

    logo = tmp_path / "логотип.jpg"
    logo.write_bytes(jpeg_with_location(size=(120, 60)))
    page.goto(f"{alpha_url}/settings/profile/logo/")
    page.set_input_files("input[name=logo]", str(logo))
    page.click("form[enctype] button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/settings/profile/")
    header_logo = page.locator("header img.brand-logo")
    expect(header_logo).to_be_visible()
    # The image really loaded through the access-checked view.
    page.wait_for_function("document.querySelector('header img.brand-logo').naturalWidth > 0")
    assert page.evaluate("document.querySelector('header img.brand-logo').naturalWidth") == 120

    # At 375 px the page does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 812})
    assert settled_scroll_width(page) <= 375
