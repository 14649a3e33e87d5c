"""Applications (заявления): the shipped templates, filing on a template with its checks, the
journal's numbers (consecutive per year, also under 20 concurrent filings), the board's answer,
the PDF with the association's details, the member's history, the templates the board edits."""

from __future__ import annotations

import datetime
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from pypdf import PdfReader

from core.audit.models import AuditEntry
from tenants.letters import selectors, services
from tenants.letters.models import (
    Application,
    ApplicationCounter,
    ApplicationStatus,
    ApplicationTemplate,
)
from tenants.notifications.models import InboxItem, Message
from tests.tenants.letters.support import (
    board_user,
    file_application,
    free_form,
    member_with_home,
)


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.django_db
def test_the_shipped_templates(in_alpha):
    codes = list(selectors.templates_for_members().values_list("code", flat=True))
    assert codes == ["membership", "pd-consent", "meter-replacement", "access", "free-form"]
    for template in ApplicationTemplate.objects.all():
        names = [field["name"] for field in template.fields]
        assert names == [f"f{n}" for n in range(1, len(names) + 1)]


@pytest.mark.django_db
def test_filing_registers_a_number_and_date_encrypted_under_the_holding(in_alpha, monkeypatch):
    monkeypatch.setattr(selectors, "association_today", lambda: datetime.date(2026, 3, 2))
    member, _premises, account = member_with_home()
    chairman = board_user()
    first = file_application(member, account=account)
    second = file_application(member, account=account)

    assert (first.year, first.number, first.registered_on) == (2026, 1, datetime.date(2026, 3, 2))
    assert (second.number, second.journal_number) == (2, "2/2026")
    assert first.holding_id == selectors.current_holding_id(account.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM letters_application WHERE id = %s", [first.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("e1.") and "подвала" not in stored
    assert Application.objects.get(pk=first.pk).content == [
        {"name": "f1", "label": "О чём заявление", "kind": "text", "value": "Ключи от подвала"},
        {
            "name": "f2",
            "label": "Текст заявления",
            "kind": "long_text",
            "value": "Прошу выдать ключ от подвала.",
        },
    ]
    told = Message.objects.filter(kind="letters.application_filed").order_by("created_at").first()
    assert "1/2026" in told.subject and "подвала" not in told.subject
    assert InboxItem.objects.filter(message=told, user=chairman).exists()
    assert AuditEntry.objects.filter(action="letters.application_filed").count() == 2


@pytest.mark.django_db
def test_numbers_start_again_each_year(in_alpha, monkeypatch):
    member, _premises, account = member_with_home()
    monkeypatch.setattr(selectors, "association_today", lambda: datetime.date(2025, 12, 31))
    assert file_application(member, account=account).journal_number == "1/2025"
    assert file_application(member, account=account).journal_number == "2/2025"
    monkeypatch.setattr(selectors, "association_today", lambda: datetime.date(2026, 1, 12))
    assert file_application(member, account=account).journal_number == "1/2026"


@pytest.mark.django_db
def test_a_refused_filing_gives_its_number_back(in_alpha, monkeypatch):
    monkeypatch.setattr(selectors, "association_today", lambda: datetime.date(2026, 3, 2))
    member, _premises, account = member_with_home()
    file_application(member, account=account)
    with pytest.raises(ValidationError):
        file_application(member, account=account, values={"f1": "", "f2": "текст"})
    assert file_application(member, account=account).number == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"f1": "", "f2": "Текст"}, "f1"),
        ({"f1": "Тема", "f2": "   "}, "f2"),
        ({"f1": "Тема", "f2": "ы" * 5001}, "f2"),
        ({"f1": "т" * 301, "f2": "Текст"}, "f1"),
        ({"f1": "Тема", "f2": "Текст", "f9": "лишнее"}, "template"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(in_alpha, values, field):
    member, _premises, account = member_with_home()
    with pytest.raises(ValidationError) as refused:
        services.file_application(
            actor=member, account=account, template=free_form(), values=values
        )
    assert field in refused.value.message_dict
    assert Application.objects.count() == 0
    assert not ApplicationCounter.objects.exists()


@pytest.mark.django_db
def test_dates_checkboxes_and_unknown_or_withdrawn_templates(in_alpha):
    member, _premises, account = member_with_home()
    meter = ApplicationTemplate.objects.get(code="meter-replacement")
    values = {"f1": "ХВС", "f4": "123", "f5": "0,001", "f6": "31.02.2026"}
    with pytest.raises(ValidationError) as refused:
        services.file_application(actor=member, account=account, template=meter, values=values)
    assert "f6" in refused.value.message_dict
    values["f6"] = "15.03.2026"
    application = services.file_application(
        actor=member, account=account, template=meter, values=values
    )
    assert application.content[5]["value"] == "2026-03-15"

    consent = ApplicationTemplate.objects.get(code="pd-consent")
    with pytest.raises(ValidationError) as refused:
        services.file_application(
            actor=member, account=account, template=consent, values={"f1": "И", "f2": "П"}
        )
    assert "f4" in refused.value.message_dict  # the consent box must be ticked

    with pytest.raises(ValidationError) as refused:
        services.file_application(actor=member, account=account, template=None, values={})
    assert "template" in refused.value.message_dict
    free = free_form()
    free.is_active = False
    free.save()
    with pytest.raises(ValidationError):
        file_application(member, account=account, template=free)


@pytest.mark.django_db
def test_filing_and_answering_through_the_pages(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    assert client.get("/letters/applications/new/").status_code == 200
    assert client.get("/letters/applications/new/no-such-kind/").status_code == 404
    response = client.post(
        "/letters/applications/new/free-form/",
        {"account": account.pk, "f1": "Шлагбаум", "f2": "Прошу выдать пульт."},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/letters/applications/{application.pk}/"
    history = client.get("/letters/").content.decode()
    assert f"№ {application.journal_number}" in history

    empty = client.post(
        "/letters/applications/new/free-form/", {"account": account.pk, "f1": "", "f2": ""}
    )
    assert empty.status_code == 400 and Application.objects.count() == 1
    assert empty.context["form"].errors["f1"] == ["Fill in this field."]

    board = client_of(alpha, board_user())
    journal = board.get("/letters/board/journal/")
    assert [a.pk for a in journal.context["page"].object_list] == [application.pk]
    answered = board.post(
        f"/letters/applications/{application.pk}/", {"text": "Пульт выдан в офисе."}
    )
    assert answered.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ANSWERED
    assert application.answer == "Пульт выдан в офисе."
    told = Message.objects.get(kind="letters.application_answered")
    assert InboxItem.objects.filter(message=told, user=member).exists()
    # A member cannot answer their own application.
    client.post(f"/letters/applications/{application.pk}/", {"text": "сам себе"})
    application.refresh_from_db()
    assert application.answer == "Пульт выдан в офисе."


@pytest.mark.django_db
def test_someone_elses_application_is_a_404(alpha, client_of, in_alpha):
    application = file_application()
    stranger, _premises, _account = member_with_home()
    client = client_of(alpha, stranger)
    for path in (
        f"/letters/applications/{application.pk}/",
        f"/letters/applications/{application.pk}/pdf/",
        f"/api/v1/letters/applications/{application.pk}/",
    ):
        assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_the_pdf_carries_the_associations_details_and_the_application(alpha, client_of, in_alpha):
    from tenants.profile import selectors as profile

    member, premises, account = member_with_home()
    application = file_application(member, account=account)
    response = client_of(alpha, member).get(f"/letters/applications/{application.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        f"application-{application.year}-{application.number}.pdf"
        in response["Content-Disposition"]
    )
    text = pdf_text(response.content)
    details = profile.legal()
    assert details.name in text and details.inn in text
    assert f"№ {application.journal_number}" in text
    assert "Прошу выдать ключ от подвала." in text
    assert account.number in text and premises.number in text


@pytest.mark.django_db
def test_the_board_edits_a_template(alpha, client_of, in_alpha):
    client = client_of(alpha, board_user())
    page = client.get("/letters/board/templates/new/")
    assert page.status_code == 200
    data = {
        "title": "Заявление на парковку",
        "description": "",
        "preamble": "Прошу выделить место.",
        "is_active": "on",
        "position": "50",
        "fields-TOTAL_FORMS": "3",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "20",
        "fields-0-label": "Номер автомобиля",
        "fields-0-kind": "text",
        "fields-0-required": "on",
        "fields-1-label": "",
        "fields-1-kind": "text",
        "fields-2-label": "С какого числа",
        "fields-2-kind": "date",
    }
    response = client.post("/letters/board/templates/new/", data)
    assert response.status_code == 302
    template = ApplicationTemplate.objects.get(title="Заявление на парковку")
    assert template.fields == [
        {"name": "f1", "label": "Номер автомобиля", "kind": "text", "required": True, "help": ""},
        {"name": "f2", "label": "С какого числа", "kind": "date", "required": False, "help": ""},
    ]
    no_fields = client.post(
        "/letters/board/templates/new/",
        {**data, "title": "Пустой", "fields-0-label": "", "fields-2-label": ""},
    )
    assert no_fields.status_code == 400
    assert not ApplicationTemplate.objects.filter(title="Пустой").exists()


# -- concurrency: real threads that commit ----------------------------------------------------

FILINGS = 20


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha, monkeypatch):
    """A member with a flat, committed; everything made is removed afterwards."""
    from tests.tenants.meters.support import audit_ids, remove_committed

    monkeypatch.setattr(selectors, "association_today", lambda: datetime.date(2031, 5, 20))
    with django_db_blocker.unblock():
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            member, premises, account = member_with_home()
        try:
            yield member, account
        finally:
            connection.set_tenant(alpha)
            Application.objects.filter(account=account).delete()
            ApplicationCounter.objects.filter(year=2031).delete()
            from tenants.notifications.models import Message as Note

            Note.objects.filter(holding_id=account.holdings.get().pk).delete()
            remove_committed(premises, users=[member], audit_before=audit_before)
            connection.set_schema_to_public()


def test_20_concurrent_filings_get_distinct_consecutive_numbers(committed, alpha):
    member, account = committed
    template = None

    def work(index):
        try:
            connection.set_tenant(alpha)
            with transaction.atomic():
                return file_application(
                    member,
                    account=account,
                    template=template or ApplicationTemplate.objects.get(code="free-form"),
                    values={"f1": f"Заявление {index}", "f2": "Текст"},
                ).number
        except Exception as error:  # noqa: BLE001 - the result under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=FILINGS) as pool:
        numbers = list(pool.map(work, range(FILINGS)))

    assert not [n for n in numbers if isinstance(n, Exception)], numbers
    assert sorted(numbers) == list(range(1, FILINGS + 1))
    connection.set_tenant(alpha)
    stored = Application.objects.filter(account=account, year=2031)
    assert sorted(stored.values_list("number", flat=True)) == list(range(1, FILINGS + 1))
    assert ApplicationCounter.objects.get(year=2031).last == FILINGS


@pytest.mark.django_db
def test_dates_and_ticks_read_as_people_write_them(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    consent = ApplicationTemplate.objects.get(code="pd-consent")
    application = services.file_application(
        actor=member,
        account=account,
        template=consent,
        values={"f1": "Иванов И. И.", "f2": "4510 123456", "f4": "on"},
    )
    meter = services.file_application(
        actor=member,
        account=account,
        template=ApplicationTemplate.objects.get(code="meter-replacement"),
        values={"f1": "ХВС", "f4": "77", "f5": "0", "f6": "2026-03-15"},
    )
    client = client_of(alpha, member)
    assert "15.03.2026" in client.get(f"/letters/applications/{meter.pk}/").content.decode()
    page = client.get(f"/letters/applications/{application.pk}/").content.decode()
    assert "<dd>yes</dd>" in page
    pdf = pdf_text(client.get(f"/letters/applications/{application.pk}/pdf/").content)
    assert "да" in pdf and "Согласие на обработку персональных данных" in pdf
