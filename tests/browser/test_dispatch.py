"""In a real browser: a member files a repair request with a photo from a 375 px phone, the
dispatcher (with the second factor) assigns it to a contractor and gets it done, and the member
rates the work, all in Russian."""

from __future__ import annotations

import datetime
import io
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
DISPATCHER_EMAIL = "browser-dispatcher@example.test"
SCREENSHOT = "/tmp/dispatch-375.png"


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 90, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def desk_world(db_unblocked, alpha, browser_owner):
    """The browser owner's flat, a dispatcher with a confirmed authenticator and a supplier,
    committed for the live server; everything the test made is removed afterwards."""
    from django.contrib.sessions.models import Session
    from django.db import connections, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tests.factories import UserFactory
    from tests.tenants.dispatch.support import supplier
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    started = timezone.now()
    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        with transaction.atomic():
            premises = make_premises()
            make_owner(premises, user=browser_owner)
            dispatcher = UserFactory(
                email=DISPATCHER_EMAIL, full_name="Диспетчер Орлова", roles=[Role.DISPATCHER]
            )
            secret = pyotp.random_base32()
            factor = SecondFactor(user=dispatcher, secret=secret)
            factor.confirmed_at = datetime.datetime.now(datetime.UTC)
            factor.save()
            fixer = supplier(name="ООО «Браузерный сантехник»")
    try:
        yield {"premises": premises, "secret": secret, "supplier": fixer}
    finally:
        with schema_context(alpha.schema_name):
            _remove(premises, fixer, started)
            Session.objects.exclude(session_key__in=sessions_before).delete()
            remove_committed(premises, users=[dispatcher], audit_before=audit_before)
        connections.close_all()


def _remove(premises, fixer, started) -> None:
    from tenants.dispatch.models import Comment, Event, Photo, Request
    from tenants.files.models import StoredFile
    from tenants.notifications.models import Message
    from tenants.residents.models import Holding

    requests = Request.objects.filter(premises=premises)
    Photo.objects.filter(request__in=requests).delete()
    Comment.objects.filter(request__in=requests).delete()
    Event.objects.filter(request__in=requests).delete()
    requests.delete()
    holdings = Holding.objects.filter(account__premises=premises).values_list("pk", flat=True)
    StoredFile.objects.filter(holding_id__in=list(holdings)).delete()
    fixer.contracts.all().delete()
    type(fixer).objects.filter(pk=fixer.pk).delete()
    Message.objects.filter(created_at__gte=started).delete()


def _sign_in(page, base_url: str, email: str, secret: str | None = None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    if secret:
        expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base_url}/")


def _fits_the_phone(page) -> None:
    width = settled_scroll_width(page)
    assert width <= PHONE["width"], f"{page.url}: horizontal scroll ({width}px)"


def test_a_member_files_the_dispatcher_assigns_the_member_rates(
    new_page, alpha_url, alpha, browser_owner, desk_world
):
    from django_tenants.utils import schema_context

    from tenants.dispatch.models import Photo, Request

    # The member, on a phone.
    member = new_page(**PHONE)
    _sign_in(member, alpha_url, browser_owner.email)
    member.goto(f"{alpha_url}/dispatch/")
    expect(member.locator("h1")).to_have_text("Заявки и жалобы")
    member.click("text=Новая заявка")
    expect(member).to_have_url(f"{alpha_url}/dispatch/new/")
    member.select_option("select[name=category]", "plumbing")
    member.fill("textarea[name=description]", "Течёт кран на кухне, вода на полу")
    member.fill("input[name=access_time]", "будни после 18:00")
    member.fill("input[name=contact_phone]", "+7 900 123-45-67")
    member.check("input[name=share_phone]")
    member.set_input_files(
        "input[name=photos]",
        files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}],
    )
    _fits_the_phone(member)
    member.screenshot(path=SCREENSHOT, full_page=True)
    member.get_by_role("button", name="Отправить заявку").click()
    expect(member.locator(".messages")).to_contain_text("Заявка подана")
    expect(member.locator(".dsp-badge").first).to_have_text("Новая")
    expect(member.locator(".dsp-photos img")).to_have_count(1)
    _fits_the_phone(member)
    request_url = member.url

    with schema_context(alpha.schema_name):
        filed = Request.objects.get(author=browser_owner)
        assert Photo.objects.filter(request=filed).count() == 1
        assert filed.share_phone and filed.description.startswith("Течёт кран")

    # The dispatcher, with the second factor.
    desk = new_page()
    _sign_in(desk, alpha_url, DISPATCHER_EMAIL, desk_world["secret"])
    desk.goto(f"{alpha_url}/dispatch/desk/")
    desk.click(f"text=№ {filed.number} ·")
    expect(desk).to_have_url(request_url)
    desk.select_option("select[name=supplier]", str(desk_world["supplier"].pk))
    desk.fill("textarea[name=work_description]", "Заменить смеситель на кухне")
    desk.get_by_role("button", name="Назначить").click()
    expect(desk.locator(".messages")).to_contain_text("Назначено")
    expect(desk.locator(".dsp-badge").first).to_have_text("Назначена")
    desk.get_by_role("button", name="В работе").click()
    expect(desk.locator(".dsp-badge").first).to_have_text("В работе")
    desk.fill("input[name=cost]", "1500")
    desk.get_by_role("button", name="Выполнена").click()
    expect(desk.locator(".dsp-badge").first).to_have_text("Выполнена")
    desk.goto(f"{request_url}work-order/")
    expect(desk.locator(".dsp-order")).to_contain_text("+7 900 123-45-67")
    expect(desk.locator(".dsp-order")).to_contain_text("Заменить смеситель")
    expect(desk.locator(".dsp-order")).not_to_contain_text("вода на полу")

    # The member rates the work, on the phone.
    member.goto(request_url)
    expect(member.locator(".dsp-badge").first).to_have_text("Выполнена")
    member.check("input[name=rating][value='5']")
    member.fill("textarea[name=comment]", "Быстро и аккуратно")
    _fits_the_phone(member)
    member.get_by_role("button", name="Отправить оценку").click()
    expect(member.locator(".messages")).to_contain_text("Спасибо за оценку")
    expect(member.locator(".dsp-badge").first).to_have_text("Закрыта")
    _fits_the_phone(member)
    member.screenshot(path="/tmp/dispatch-request-375.png", full_page=True)

    with schema_context(alpha.schema_name):
        filed.refresh_from_db()
        assert (filed.status, filed.rating, str(filed.cost)) == ("closed", 5, "1500.00")
        assert filed.supplier_id == desk_world["supplier"].pk
