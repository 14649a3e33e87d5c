"""Spreadsheets built in memory, and the board that uploads them.

``xlsx(rows)`` / ``csv_file(rows)`` make a file with the template's Russian headers unless told
otherwise; each row is a dict of column key → cell value, missing keys are empty cells.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.access.roles import Role

HEADERS = {
    "building": "Дом",
    "kind": "Вид помещения",
    "number": "Номер помещения",
    "floor": "Этаж",
    "entrance": "Подъезд",
    "area": "Площадь, м²",
    "cadastral": "Кадастровый номер",
    "residents": "Зарегистрировано",
    "account": "Лицевой счёт",
    "owner": "Собственник",
    "inn": "ИНН",
    "ogrn": "ОГРН",
    "share": "Доля",
    "doc_kind": "Документ",
    "doc_number": "Номер документа",
    "doc_date": "Дата документа",
    "egrn": "Запись ЕГРН",
    "email": "Email",
    "phone": "Телефон",
    "member": "Член товарищества",
    "member_since": "Член с",
}
KEYS = list(HEADERS)


def owner_row(n: int, **overrides) -> dict:
    """A complete row: flat ``n`` of «Дом 1» with one person owning all of it."""
    row = {
        "building": "Дом 1",
        "kind": "квартира",
        "number": str(n),
        "floor": 1 + n % 9,
        "entrance": "1",
        "area": "54,30",
        "cadastral": f"77:01:0004012:{1000 + n}",
        "residents": 2,
        "account": f"{100000 + n}",
        "owner": f"Иванова Мария Петровна {n}",
        "share": "1",
        "doc_kind": "выписка из ЕГРН",
        "doc_number": f"77-77/011/{n}",
        "doc_date": "15.03.2020",
        "egrn": f"77:01:0004012:{1000 + n}-77/011/2020-1",
        "email": f"owner{n}@example.test",
        "phone": "+7 912 345-67-89",
        "member": "да",
        "member_since": "01.06.2021",
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict], headers: dict | None = None, title_rows: int = 0) -> bytes:
    from openpyxl import Workbook

    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    for n in range(title_rows):
        sheet.append([f"Реестр собственников, лист {n + 1}"])
    sheet.append(list(headers.values()))
    for row in rows:
        sheet.append([row.get(key) for key in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(
    rows: list[dict], *, delimiter=";", encoding="utf-8-sig", headers: dict | None = None
) -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(list(headers.values()))
    for row in rows:
        writer.writerow(["" if row.get(key) is None else row.get(key) for key in headers])
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name: str = "registry.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); one test checks the Russian default."""
    with translation.override("en"):
        yield


def in_english(client):
    """A client that chose English with the language switch (pages are Russian by default)."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def board(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN])


@pytest.fixture
def preview(in_alpha, board):
    """``preview(content, name=...)``: the job the board's upload makes."""
    from tenants.imports import services

    def make(content: bytes, name: str = "registry.xlsx"):
        return services.create_preview(upload=upload(content, name), file_name=name, actor=board)

    return make


@pytest.fixture
def imported(preview, board):
    """``imported(content)``: preview, confirm and run the import (synchronously)."""
    from tenants.imports import services
    from tenants.imports.models import ImportJob

    def run(content: bytes, name: str = "registry.xlsx") -> ImportJob:
        job = preview(content, name)
        services.confirm_import(job.pk, actor=board)
        services.apply_import(job.pk)
        return ImportJob.objects.get(pk=job.pk)

    return run


TODAY = datetime.date.today()
