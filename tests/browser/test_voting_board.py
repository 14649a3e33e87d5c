"""In a real browser on a 375 px phone: a ТСЖ chairman sets up a mixed owners' meeting, puts a
question on the agenda, publishes the notice, prints the decision forms, starts the voting,
enters two signed decisions with their scans, closes the meeting and downloads the protocol,
which counts them. Every page fits the screen."""

from __future__ import annotations

import datetime
import io

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
CHAIRMAN_EMAIL = "browser-voting-chairman@example.test"
PDF = b"%PDF-1.4\nsigned decision\n"


@pytest.fixture
def tszh_board(db_unblocked, alpha, monkeypatch):
    """A chairman with a confirmed authenticator and a building of three owned flats (50, 30
    and 20 m²), committed; removed afterwards with what the test made."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection, connections, transaction
    from django_tenants.utils import schema_context

    from core.access.models import SecondFactor
    from core.access.roles import Role
    from tenants.files.models import StoredFile
    from tenants.notifications.models import Message
    from tenants.voting.models import Meeting
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids
    from tests.tenants.residents.factories import BuildingFactory
    from tests.tenants.voting.support import owned, remove_committed_building, use_kind

    use_kind(monkeypatch, "tszh")
    cache.clear()
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        audit_before = audit_ids()
        files_before = set(StoredFile.objects.values_list("pk", flat=True))
        with transaction.atomic():
            chairman = UserFactory(
                email=CHAIRMAN_EMAIL, full_name="Орлов Иван", roles=[Role.CHAIRMAN]
            )
            secret = pyotp.random_base32()
            factor = SecondFactor(user=chairman, secret=secret)
            factor.confirmed_at = datetime.datetime.now(datetime.UTC)
            factor.save()
            building = BuildingFactory(name="Дом на Садовой", address="ул. Садовая, д. 7")
            for number, area in (("1", "50.00"), ("2", "30.00"), ("3", "20.00")):
                owned(building, area, number=number)
    try:
        yield {"secret": secret, "building": building}
    finally:
        with schema_context(alpha.schema_name):
            meetings = list(Meeting.objects.filter(building=building))
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('tszh.voting_maintenance', 'on', false)")
                for meeting in meetings:
                    cursor.execute("DELETE FROM voting_ballot WHERE meeting_id = %s", [meeting.pk])
                    cursor.execute(
                        "DELETE FROM voting_chainentry WHERE meeting_id = %s", [meeting.pk]
                    )
                cursor.execute("SELECT set_config('tszh.voting_maintenance', '', false)")
            Meeting.objects.filter(pk__in=[m.pk for m in meetings]).delete()
            StoredFile.objects.exclude(pk__in=files_before).delete()
            Message.objects.filter(kind="voting.notice").delete()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            remove_committed_building(building, users=[chairman], audit_before=audit_before)
        cache.clear()
        connections.close_all()


def fits(page) -> None:
    width = settled_scroll_width(page)
    assert width <= 375, f"{page.url}: horizontal scroll ({width}px)"


FETCH = """async (url) => {
  const answer = await fetch(url, {credentials: "same-origin"});
  const bytes = new Uint8Array(await answer.arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return [answer.headers.get("content-type"), btoa(text)];
}"""


def fetch(page, url: str) -> tuple[str, bytes]:
    """GET ``url`` from inside the page (its cookies; the browser resolves *.localhost)."""
    import base64

    content_type, body = page.evaluate(FETCH, url)
    return content_type, base64.b64decode(body)


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_a_chairman_runs_a_mixed_owners_meeting_on_paper(new_page, alpha_url, tszh_board, alpha):
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.voting.models import Meeting, MeetingStatus

    page = new_page(width=375, height=812)
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", CHAIRMAN_EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.fill("input[name=code]", pyotp.TOTP(tszh_board["secret"]).now())
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/voting/new/")
    fits(page)
    local = timezone.localtime()
    page.select_option("select[name=kind]", "owners")
    page.select_option("select[name=form]", "mixed")
    page.fill("input[name=title]", "Годовое собрание собственников")
    start = (local + datetime.timedelta(days=12)).strftime("%Y-%m-%dT19:00")
    end = (local + datetime.timedelta(days=26)).strftime("%Y-%m-%dT19:00")
    page.fill("input[name=starts_at]", start)
    page.fill("input[name=ends_at]", end)
    page.select_option("select[name=building]", label="Дом на Садовой")
    page.fill("input[name=place]", "Двор дома 7")
    page.click("form.stack button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Годовое собрание собственников")
    expect(page.locator(".vote-notice")).to_contain_text("не имеет юридической силы")

    page.fill("textarea[name=text]", "Утвердить план текущего ремонта подъездов")
    page.select_option("select[name=threshold]", "majority_present")
    page.click("text=Добавить вопрос")
    expect(page.locator(".vote-agenda")).to_contain_text("план текущего ремонта")
    page.click("text=Опубликовать уведомление")
    expect(page.locator(".badge").first).to_have_text("Уведомление опубликовано")
    fits(page)

    link = page.locator("text=Бланки решений для печати (PDF)").get_attribute("href")
    content_type, forms = fetch(page, link)
    assert content_type == "application/pdf"
    assert "Решение по вопросам, поставленным на голосование" in pdf_text(forms)

    with schema_context(alpha.schema_name):  # eleven days later
        meeting = Meeting.objects.get(building=tszh_board["building"])
        now = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=now - datetime.timedelta(hours=1))
    page.reload()
    page.click("text=Начать голосование")
    expect(page.locator(".badge").first).to_have_text("Голосование")

    page.click("text=Внести письменное решение")
    expect(page.locator("select[name=voter]")).to_be_visible()
    fits(page)
    for number, choice in (("1", "За"), ("2", "Против")):
        page.select_option("select[name=voter]", label=f"Дом на Садовой, Квартира {number} · 1")
        page.select_option("select[name=source]", "paper")
        page.locator(".vote-question label", has_text=choice).click()
        page.set_input_files(
            "input[name=scan]",
            {"name": f"decision-{number}.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
        page.click("text=Внести решение")
        expect(page.locator(".messages")).to_contain_text("Решение внесено")

    page.goto(f"{alpha_url}/voting/{meeting.pk}/results/")
    expect(page.locator("main")).to_contain_text("Приняли участие: 80 из 100 голосов")
    expect(page.locator("main")).to_contain_text("кворум есть")
    fits(page)

    with schema_context(alpha.schema_name):  # the voting ended
        Meeting.objects.filter(pk=meeting.pk).update(
            ends_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    page.goto(f"{alpha_url}/voting/{meeting.pk}/")
    page.click("text=Закрыть голосование")
    expect(page.locator(".badge").first).to_have_text("Закрыто")
    with schema_context(alpha.schema_name):
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CLOSED

    _type, protocol = fetch(page, f"/voting/{meeting.pk}/protocol.pdf")
    text = pdf_text(protocol)
    assert "Всего голосов: 100" in text
    assert "Кворум есть" in text
    assert "решение принято" in text  # 50 for of 80 taking part
    assert "Петрова Мария Ивановна" in text  # the two who took part, attachment 1

    # Each premises' counted decision, no names, on the phone (ЖК РФ ст. 143.1).
    page.goto(f"{alpha_url}/voting/{meeting.pk}/decisions/")
    expect(page.locator(".vote-decision")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Петрова Мария Ивановна")
    fits(page)
