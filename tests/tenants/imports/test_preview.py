"""The preview: every row checked and compared with the registry, nothing written to it.

The board sees, before anything happens, how many rows are new, changed, unchanged or wrong, and
for each wrong row a sentence naming the row and the problem.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.db import connection

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.imports import services
from tenants.imports.columns import error_text
from tenants.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)
from tenants.residents.services import add_owner, open_account
from tests.tenants.imports.conftest import (
    HEADERS,
    csv_file,
    in_english,
    owner_row,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def registry_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Building, Premises, PersonalAccount, Holding, Owner, Ownership)
    }


def messages(job: ImportJob) -> list[str]:
    """The errors as the page shows them: the premises and account named from the row's
    encrypted values."""
    return [
        error_text(error, row.line, row.data["values"])
        for row in ImportRow.objects.filter(job=job).order_by("line")
        for error in row.errors
    ]


def statuses(job: ImportJob) -> dict[int, str]:
    return dict(ImportRow.objects.filter(job=job).values_list("line", "status"))


def test_a_preview_counts_the_rows_and_writes_nothing_to_the_registry(preview):
    before = registry_counts()
    job = preview(xlsx([owner_row(1), owner_row(2), owner_row(3)]))

    assert job.status == JobStatus.PREVIEW
    assert (job.total_rows, job.new_rows, job.changed_rows, job.unchanged_rows) == (3, 3, 0, 0)
    assert job.error_rows == 0
    assert job.can_confirm
    assert registry_counts() == before
    assert AuditEntry.objects.filter(action="imports.preview_created").count() == 1


def test_the_preview_keeps_personal_data_only_encrypted(preview):
    job = preview(xlsx([owner_row(1, owner="Смирнова Анна", email="anna@example.test")]))

    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM imports_importrow WHERE job_id = %s", [job.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT file_name FROM imports_importjob WHERE id = %s", [job.pk])
        (file_name,) = cursor.fetchone()
    assert stored.startswith("e1.")
    assert "Смирнова" not in stored and "anna@" not in stored
    assert file_name.startswith("e1.") and "registry" not in file_name
    row = ImportRow.objects.get(job=job)
    assert row.data["values"]["owner"] == "Смирнова Анна"


def test_each_wrong_cell_is_named_with_its_row_in_plain_words(preview):
    rows = [
        owner_row(1),
        owner_row(2, area="много"),
        owner_row(3, area="-5"),
        owner_row(4, area="12,345"),
        owner_row(5, cadastral="77-01-12"),
        owner_row(6, share="полдоли"),
        owner_row(7, email="not-an-email"),
        owner_row(8, phone="12-34"),
        owner_row(9, floor="третий"),
        owner_row(10, kind="дворец"),
        owner_row(11, doc_date="32.13.2020"),
        owner_row(12, member="может быть"),
        owner_row(13, inn="1234567890"),
        owner_row(14, number=""),
    ]
    job = preview(xlsx(rows))

    assert job.error_rows == 13
    assert job.new_rows == 1
    assert not job.can_confirm
    assert messages(job) == [
        "Row 3: the area must be a number greater than zero",
        "Row 4: the area must be a number greater than zero",
        "Row 5: the area may have at most two decimal places",
        "Row 6: a cadastral number looks like 77:01:0004012:1234",
        "Row 7: the share must be written as 1/2, 0.5 or 50%, more than 0 and at most 1",
        "Row 8: the email address is not valid",
        "Row 9: the phone number must have 10 to 15 digits",
        "Row 10: the floor must be a whole number",
        "Row 11: the premises kind must be a flat, non-residential premises, garden plot or "
        "parking place",
        "Row 12: the column «Document date» must hold a date such as 31.12.2020",
        "Row 13: the column «Member» must say yes or no",
        "Row 14: the ИНН must have 10 or 12 digits with a correct check digit",
        "Row 15: the column «Premises number» is empty",
    ]
    wrong = ImportRow.objects.get(job=job, line=3)
    assert wrong.data["bad"] == {"area": "много"}


def test_cells_are_read_the_way_people_type_them(preview):
    rows = [
        owner_row(1, area="54,3", share="1/2", email="a1@example.test"),
        owner_row(1, area=54.3, share="50 %", owner="Второй Совладелец", email="a2@example.test"),
        owner_row(2, area="60.00 м²", share=1, member="нет", member_since=None),
        owner_row(3, area=33, share=0.5, owner="Доля Первая", email="b1@example.test"),
        owner_row(3, area=33, share="0,5", owner="Доля Вторая", email="b2@example.test"),
        owner_row(4, kind="Машиноместо", number=7, floor=-1, doc_date=datetime.date(2019, 5, 6)),
    ]
    job = preview(xlsx(rows))

    assert job.error_rows == 0, messages(job)
    values = {row.line: row.data["values"] for row in ImportRow.objects.filter(job=job)}
    assert values[2]["area"] == "54.30" and values[2]["share"] == "1/2"
    assert values[3]["share"] == "1/2"
    assert values[4]["area"] == "60.00" and values[4]["member"] is False
    assert values[5]["share"] == "1/2" and values[6]["share"] == "1/2"
    assert values[7]["kind"] == "parking" and values[7]["number"] == "7"
    assert values[7]["floor"] == -1 and values[7]["doc_date"] == "2019-05-06"


def test_an_organisation_is_told_by_its_inn(preview):
    job = preview(xlsx([owner_row(1, owner="ООО «Ромашка»", inn="7707083893", share="1")]))

    row = ImportRow.objects.get(job=job)
    assert job.error_rows == 0, messages(job)
    assert row.data["values"]["is_org"] is True


def test_duplicate_account_numbers_in_the_file_are_errors(preview):
    job = preview(xlsx([owner_row(1), owner_row(2, account="100001")]))

    assert messages(job) == [
        "Row 3: account number 100001 is already used for another premises on row 2"
    ]


def test_a_premises_listed_in_two_buildings_is_an_error(preview):
    rows = [
        owner_row(1, cadastral="77:01:0004012:5555"),
        owner_row(1, building="Дом 2", account="200001", cadastral="77:01:0004012:5555"),
    ]
    job = preview(xlsx(rows))

    assert messages(job) == [
        "Row 3: cadastral number 77:01:0004012:5555 is already given to another premises on row 2"
    ]


def test_shares_that_overflow_are_errors_on_every_owner_of_the_premises(preview):
    rows = [
        owner_row(1, share="1/2", email="a@example.test"),
        owner_row(1, share="2/3", owner="Петров Пётр", email="b@example.test"),
    ]
    job = preview(xlsx(rows))

    assert messages(job) == [
        "Row 2: the shares of premises Дом 1, № 1 would add up to 7/6, more than 1",
        "Row 3: the shares of premises Дом 1, № 1 would add up to 7/6, more than 1",
    ]


def test_co_owners_must_give_their_shares(preview):
    rows = [
        owner_row(1, share=None, email="a@example.test"),
        owner_row(1, share=None, owner="Петров Пётр", email="b@example.test"),
    ]
    job = preview(xlsx(rows))

    assert messages(job)[0] == (
        "Row 2: premises Дом 1, № 1 has several owners: give each owner's share"
    )


def test_a_premises_described_differently_on_two_rows_is_an_error(preview):
    rows = [
        owner_row(1, share="1/2"),
        owner_row(1, area="60", share="1/2", owner="Петров Пётр", email="b@example.test"),
    ]
    job = preview(xlsx(rows))

    assert messages(job) == ["Row 3: premises Дом 1, № 1 is described differently on row 2"]


def test_the_same_owner_twice_is_an_error(preview):
    rows = [owner_row(1, share="1/2"), owner_row(1, share="1/2", phone="+7 900 000-00-00")]
    job = preview(xlsx(rows))

    assert messages(job) == ["Row 3: this owner is already listed for this premises on row 2"]


def test_owner_details_without_an_owner_and_an_owner_without_an_account(preview):
    rows = [owner_row(1, owner=""), owner_row(2, account="")]
    job = preview(xlsx(rows))

    assert messages(job) == [
        "Row 2: the owner's details are filled in, but the owner's name is empty",
        "Row 3: an owner needs a personal account number",
    ]


def test_a_member_needs_the_date_the_membership_began(preview):
    job = preview(xlsx([owner_row(1, member_since=None), owner_row(2, member="нет")]))

    assert messages(job) == [
        "Row 2: a member needs the date the membership began",
        "Row 3: a date of membership is given, but the owner is not a member",
    ]


def test_an_account_number_taken_by_another_premises_in_the_registry_is_an_error(preview, in_alpha):
    building = Building.objects.create(name="Дом 7")
    other = Premises.objects.create(building=building, number="9", area="40.00")
    open_account(number="100001", holder={}, started_on=datetime.date(2020, 1, 1), premises=other)

    job = preview(xlsx([owner_row(1)]))

    assert messages(job) == [
        "Row 2: account number 100001 belongs to another premises in the registry (Дом 7, № 9)"
    ]


def test_a_cadastral_number_of_another_building_in_the_registry_is_an_error(preview, in_alpha):
    building = Building.objects.create(name="Дом 7")
    Premises.objects.create(
        building=building, number="9", area="40.00", cadastral_number="77:01:0004012:1001"
    )

    job = preview(xlsx([owner_row(1)]))

    assert messages(job) == [
        "Row 2: cadastral number 77:01:0004012:1001 belongs to another premises in the "
        "registry (Дом 7, № 9)"
    ]


def test_shares_overflow_together_with_the_registrys_other_owners(preview, in_alpha):
    building = Building.objects.create(name="Дом 1")
    premises = Premises.objects.create(building=building, number="1", area="54.30")
    _account, holding = open_account(
        number="100001",
        holder={"full_name": "Старый Владелец"},
        started_on=datetime.date(2020, 1, 1),
        premises=premises,
    )
    add_owner(
        holding,
        premises=premises,
        share=Fraction(2, 3),
        started_on=datetime.date(2020, 1, 1),
        person={"full_name": "Старый Владелец"},
    )

    job = preview(xlsx([owner_row(1, share="1/2")]))

    assert messages(job) == [
        "Row 2: with its other owners in the registry, the shares of premises Дом 1, № 1 would "
        "add up to 7/6, more than 1; if it changed hands, record the new holder in the registry "
        "first"
    ]


def test_csv_from_excel_in_windows_1251_with_semicolons(preview):
    headers = {**HEADERS, "area": "Площадь"}  # «²» has no place in Windows-1251
    content = csv_file([owner_row(1), owner_row(2)], encoding="cp1251", headers=headers)
    job = preview(content, "registry.csv")

    assert job.file_format == "csv"
    assert (job.total_rows, job.error_rows) == (2, 0), messages(job)
    assert ImportRow.objects.get(job=job, line=2).data["values"]["owner"].startswith("Иванова")


def test_csv_with_commas_and_utf8(preview):
    job = preview(csv_file([owner_row(1)], delimiter=",", encoding="utf-8"), "registry.csv")

    assert (job.total_rows, job.error_rows) == (1, 0), messages(job)


def test_headers_are_found_below_a_title_and_unknown_columns_are_ignored(preview):
    headers = {"number": "№ помещения", "building": "дом", "area": "ПЛОЩАДЬ", "x": "Примечание"}
    job = preview(xlsx([{"building": "Дом 1", "number": "5", "area": "30"}], headers, 2))

    assert (job.total_rows, job.new_rows, job.error_rows) == (1, 1, 0)
    assert job.ignored_columns == ["Примечание"]
    assert statuses(job) == {4: RowStatus.NEW}


def test_discarding_a_preview_deletes_its_rows(preview, board):
    job = preview(xlsx([owner_row(1)]))

    services.discard_import(job.pk, actor=board)

    job.refresh_from_db()
    assert job.status == JobStatus.DISCARDED
    assert job.file_name is None
    assert not ImportRow.objects.filter(job=job).exists()
    assert AuditEntry.objects.filter(action="imports.preview_discarded").count() == 1


def test_a_preview_with_errors_cannot_be_confirmed(preview, board):
    from django.core.exceptions import ValidationError

    job = preview(xlsx([owner_row(1, area="0")]))

    with pytest.raises(ValidationError, match="rows with errors"):
        services.confirm_import(job.pk, actor=board)
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW


def test_in_a_garden_partnership_an_empty_kind_means_a_plot(beta, in_beta, make_user):
    board = make_user(beta, roles=[Role.CHAIRMAN])
    content = xlsx([owner_row(1, kind=None, building="Участки")])

    job = services.create_preview(upload=upload(content), file_name="snt.xlsx", actor=board)

    assert ImportRow.objects.get(job=job).data["values"]["kind"] == "plot"


def test_the_job_page_names_the_ignored_columns(alpha, client_of, board, preview):
    headers = {**HEADERS, "x": "Примечание"}
    job = preview(xlsx([owner_row(1)], headers))

    html = client_of(alpha, board).get(f"/registry/import/{job.pk}/").content.decode()

    assert "Примечание" in html


def test_an_empty_member_cell_means_not_a_member(preview):
    """Many boards' lists have no membership column at all: the row is fine, not a member."""
    job = preview(xlsx([owner_row(1, member="", member_since="")]))

    assert job.error_rows == 0 and job.new_rows == 1
    assert job.can_confirm


def test_errors_keep_no_text_of_the_file_only_lines_codes_and_numbers(
    preview, alpha, client_of, board
):
    """Misaligned columns put a person's name in the building (or account) column: the stored
    errors must not copy it out of the encrypted values."""
    name = "Кузнецова Ольга Ивановна"
    rows = [
        owner_row(1, building=name, share="1/2", email="a@example.test"),
        owner_row(1, building=name, area="60", share="1/2", owner="Б", email="b@example.test"),
        owner_row(2, building=name, share="1/2", email="c@example.test"),
        owner_row(2, building=name, share="2/3", owner="Г", email="d@example.test"),
        owner_row(3, building=name, share=None, email="e@example.test"),
        owner_row(3, building=name, share=None, owner="Ж", email="f@example.test"),
        owner_row(4, account="Сидорова Анна"),
        owner_row(5, account="Сидорова Анна"),
    ]
    job = preview(xlsx(rows))

    with connection.cursor() as cursor:
        cursor.execute("SELECT errors::text FROM imports_importrow WHERE job_id = %s", [job.pk])
        stored = " ".join(errors for (errors,) in cursor.fetchall())
    assert "premises_conflict" in stored and "shares_overflow" in stored
    assert "Кузнецова" not in stored and "Сидорова" not in stored
    premises = f"{name}, № "
    assert messages(job) == [
        f"Row 3: premises {premises}1 is described differently on row 2",
        f"Row 4: the shares of premises {premises}2 would add up to 7/6, more than 1",
        f"Row 5: the shares of premises {premises}2 would add up to 7/6, more than 1",
        f"Row 6: premises {premises}3 has several owners: give each owner's share",
        f"Row 7: premises {premises}3 has several owners: give each owner's share",
        "Row 9: account number Сидорова Анна is already used for another premises on row 8",
    ]
    page = in_english(client_of(alpha, board)).get(f"/registry/import/{job.pk}/?status=error")
    assert f"Row 3: premises {premises}1 is described differently on row 2" in page.content.decode()
