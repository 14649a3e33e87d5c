"""The accountant's pages: who has and has not sent (filter by building and status, export to
Excel), flagged readings marked reviewed, verifications ending or ended, norms and coefficients
saved as dated rows, and the import of readings from a spreadsheet with a preview (the member
page's checks, per-row refusals, confirm applies the valid rows once). Query counts pinned."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit.models import AuditEntry
from tenants.meters import accounting, accounting_services, reading_import, services
from tenants.meters.models import (
    IncreasingCoefficient,
    MeterKind,
    Norm,
    Reading,
    ReadingImport,
    ReadingSource,
)
from tests.factories import UserFactory
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.meters.support import add_meter, history
from tests.tenants.residents.factories import BuildingFactory, make_premises

pytestmark = pytest.mark.django_db
MAY = datetime.date(2026, 5, 1)
MAY_20 = datetime.date(2026, 5, 20)


@pytest.fixture
def accountant(in_alpha):
    return UserFactory(roles=["accountant"])


def send(meter, text, **kwargs):
    return services.submit_readings(
        actor=None, entries=[services.Entry(meter.registers.get(), text)], **kwargs
    )


def test_who_has_and_has_not_sent(accountant, client_of, alpha, today):
    today(MAY_20)
    north, south = BuildingFactory(name="Северный"), BuildingFactory(name="Южный")
    sent_meter = add_meter(make_premises(north))
    add_meter(make_premises(north))
    add_meter(make_premises(south))
    send(sent_meter, "5")
    rows = list(accounting.submission_table(MAY))
    assert len(rows) == 3
    missing = accounting.submission_table(MAY, status=accounting.Status.MISSING)
    assert missing.count() == 2
    done = accounting.submission_table(MAY, building=north, status=accounting.Status.SENT)
    assert [p.pk for p in done] == [sent_meter.premises_id]
    client = client_of(alpha, accountant)
    page = client.get(f"/meters/accounting/?building={north.pk}&status=missing")
    assert page.status_code == 200
    assert page.content.decode().count("data-premises=") == 1


def test_export_to_excel(accountant, client_of, alpha, today):
    from openpyxl import load_workbook

    today(MAY_20)
    meter = add_meter(make_premises(number="17"))
    add_meter(make_premises(number="18"))
    send(meter, "5")
    response = client_of(alpha, accountant).get("/meters/accounting/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="readings-2026-05.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "building"
    assert {(row[1].split()[-1], row[5]) for row in rows[1:]} == {
        ("17", "sent"),
        ("18", "not sent"),
    }


def _flagged(meter):
    history(meter, ["3", "6", "9", "12", "15"], until=MAY)
    return send(meter, "95", confirm=True).readings[0]


def test_flagged_readings_are_marked_reviewed(accountant, client_of, alpha, today):
    today(MAY_20)
    reading = _flagged(add_meter(make_premises()))
    assert reading.flagged
    client = client_of(alpha, accountant)
    assert f'data-reading="{reading.pk}"' in client.get("/meters/accounting/anomalies/").text
    response = client.post("/meters/accounting/anomalies/", {"reading": [str(reading.pk)]})
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.reviewed_at is not None and reading.reviewed_by == accountant
    assert AuditEntry.objects.filter(action="meters.reading_reviewed").count() == 1
    assert f'data-reading="{reading.pk}"' not in client.get("/meters/accounting/anomalies/").text
    # Reviewing twice changes nothing.
    assert accounting_services.mark_reviewed(actor=accountant, reading_ids=[reading.pk]) == 0


def test_verifications_ending_within_30_days_or_ended(accountant, client_of, alpha, today):
    today(datetime.date(2026, 5, 27))
    soon = add_meter(
        make_premises(), verified_on=datetime.date(2020, 6, 10), verification_interval_years=6
    )
    ended = add_meter(
        make_premises(), verified_on=datetime.date(2019, 1, 10), verification_interval_years=6
    )
    later = add_meter(
        make_premises(), verified_on=datetime.date(2021, 1, 10), verification_interval_years=6
    )
    found = [meter.pk for meter, _due in accounting.verifications(datetime.date(2026, 5, 27))]
    assert found == [ended.pk, soon.pk]
    text = client_of(alpha, accountant).get("/meters/accounting/verifications/").text
    assert f'data-meter="{soon.pk}"' in text and f'data-meter="{later.pk}"' not in text


def test_norms_and_coefficients_are_dated_rows(accountant, client_of, alpha):
    client = client_of(alpha, accountant)
    response = client.post(
        "/meters/accounting/norms/",
        {
            "which": "norm",
            "norm-kind": "cold_water",
            "norm-valid_from": "2026-01-01",
            "norm-value": "6.935",
            "norm-basis": "per_person",
        },
    )
    assert response.status_code == 302
    assert Norm.objects.get(kind="cold_water").value == Decimal("6.935")
    refused = client.post(
        "/meters/accounting/norms/",
        {
            "which": "coefficient",
            "coefficient-kind": "cold_water",
            "coefficient-valid_from": "2027-01-01",
            "coefficient-value": "0.5",
        },
    )
    assert refused.status_code == 400
    assert "The coefficient is at least 1." in refused.text
    # The migration put the law's coefficients in: 1.5, and 3 for cold water from 6.12.2025.
    assert IncreasingCoefficient.objects.get(
        kind="cold_water", valid_from=datetime.date(2025, 12, 6)
    ).value == Decimal(3)
    assert "6.935" in client.get("/meters/accounting/norms/").text


# -- the import -----------------------------------------------------------------------------------


def _csv(*lines) -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    return SimpleUploadedFile("readings.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_preview_then_apply(accountant, client_of, alpha, today):
    today(MAY_20)
    good = add_meter(make_premises(account="LS-100"), serial_number="CW-1")
    history(good, ["10", "20"], until=MAY)
    lower = add_meter(make_premises(), serial_number="CW-2")
    history(lower, ["50"], until=MAY)
    upload = _csv(
        "Лицевой счёт;Заводской номер;Показание;Дата",
        "LS-100;CW-1;27,5;20.05.2026",
        ";CW-2;40;20.05.2026",
        ";NOPE;1;",
        ";CW-1;1a;",
    )
    client = client_of(alpha, accountant)
    response = client.post("/meters/accounting/import/", {"file": upload})
    assert response.status_code == 302
    job = ReadingImport.objects.get()
    assert response["Location"] == f"/meters/accounting/import/{job.pk}/"
    assert Reading.objects.filter(period=MAY).count() == 0  # a preview stores no reading
    assert reading_import.counts(job) == {"rows": 4, "valid": 1, "refused": 3, "flagged": 0}
    by_line = {row["line"]: row for row in job.rows}
    assert by_line[3]["errors"] == [
        "The reading is lower than the previous one (50). If the "
        "meter was replaced, the board records the new meter first."
    ]
    assert by_line[4]["errors"] == ["No working meter with this serial number at these premises."]
    assert "LS-100" not in str(job.rows)  # ids and figures only
    page = client.get(f"/meters/accounting/import/{job.pk}/")
    assert page.status_code == 200 and 'data-line="3" class="refused"' in page.text

    assert client.post(f"/meters/accounting/import/{job.pk}/").status_code == 302
    stored = Reading.objects.get(period=MAY)
    assert (stored.meter_id, stored.value, stored.source) == (
        good.pk,
        Decimal("27.5"),
        ReadingSource.IMPORT,
    )
    assert stored.taken_on == MAY_20 and stored.entered_by == accountant
    assert AuditEntry.objects.filter(action="meters.readings_imported").count() == 1
    job.refresh_from_db()
    assert (job.status, job.applied_rows) == ("applied", 1)
    # Applying again stores nothing more.
    client.post(f"/meters/accounting/import/{job.pk}/")
    assert Reading.objects.filter(period=MAY).count() == 1


def test_import_of_an_xlsx_with_zones_and_premises_numbers(accountant, today):
    from openpyxl import Workbook

    today(MAY_20)
    premises = make_premises(number="42")
    meter = add_meter(premises, kind=MeterKind.ELECTRICITY, tariff="two_zone", serial_number="E1")
    book = Workbook()
    sheet = book.active
    sheet.append(["Помещение", "Заводской номер", "Зона", "Показание"])
    sheet.append(["42", "E1", "Т1", 120])
    sheet.append(["42", "E1", "Т2", 80.5])
    sheet.append(["42", "E1", "", 1])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("r.xlsx", data.getvalue())
    job = reading_import.preview_import(actor=accountant, upload=upload, name="r.xlsx")
    assert [bool(row["errors"]) for row in job.rows] == [False, False, True]
    assert reading_import.apply_import(job, actor=accountant) == 2
    values = dict(Reading.objects.filter(meter=meter).values_list("register__code", "value"))
    assert values == {"day": Decimal(120), "night": Decimal("80.5")}


def test_a_file_without_the_header_is_refused_in_words(accountant, client_of, alpha):
    response = client_of(alpha, accountant).post(
        "/meters/accounting/import/", {"file": _csv("a;b", "1;2")}
    )
    assert response.status_code == 400
    assert "No header found" in response.text
    assert not ReadingImport.objects.exists()


# -- query counts ---------------------------------------------------------------------------------


def test_query_counts_do_not_grow(accountant, client_of, alpha, today):
    today(MAY_20)
    client = client_of(alpha, accountant)
    building = BuildingFactory()

    def grow_to(size):
        from tenants.meters.models import Meter

        for index in range(Meter.objects.count(), size):
            meter = add_meter(
                make_premises(building),
                verified_on=datetime.date(2020, 6, 1),
                verification_interval_years=6,
            )
            _flagged(meter) if index % 2 == 0 else None

    pages = (
        "/meters/accounting/",
        "/meters/accounting/anomalies/",
        "/meters/accounting/verifications/",
    )
    found = counts_at((1, 12), grow_to, lambda: tuple(query_count(client, path) for path in pages))
    assert found[1] == found[12], [queries_text(client, path) for path in pages]
    assert found[1] == (7, 4, 3), found
