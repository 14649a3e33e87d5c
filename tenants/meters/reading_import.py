"""Readings from a spreadsheet (a utility's export, the board's own table): preview, then apply.

The file is read by the registry import's safe readers (``tenants.imports.reading``: size,
archive bombs, encodings, delimiter). The header names the columns (Russian or English, any
order): the meter's serial number and the reading are required; the personal account or the
premises number, the date and the zone (day/night…) of a multi-tariff meter are optional.

``preview_import`` checks every row through the very service the member page uses
(``services.submit_readings``, in a savepoint rolled back: digits, lower than the previous one,
rollover, the meter's usual consumption, dates), and keeps only ids and figures per line (no
names, no account numbers) in a ``ReadingImport``. ``apply_import`` submits the rows that are
still valid, each in a savepoint of one transaction, as ``source=import`` (flagged ones confirmed
by the person who applies the file and marked for review), with one audit entry for the file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.imports import reading as spreadsheet
from tenants.meters import periods, services
from tenants.meters.models import (
    ImportStatus,
    Meter,
    ReadingImport,
    ReadingSource,
    RegisterCode,
)
from tenants.residents.models import PersonalAccount

MAX_ROWS = 5000

HEADERS = {
    "account": ("лицевой счет", "лицевой счёт", "л/с", "лс", "account", "account number"),
    "premises": (
        "помещение",
        "квартира",
        "кв",
        "кв.",
        "№ помещения",
        "номер помещения",
        "premises",
    ),
    "serial": (
        "заводской номер",
        "номер счетчика",
        "номер счётчика",
        "счетчик",
        "счётчик",
        "serial",
        "serial number",
        "meter",
    ),
    "value": ("показание", "показания", "значение", "reading", "value"),
    "date": ("дата", "дата показания", "date"),
    "zone": ("зона", "тариф", "zone", "register"),
}
ZONES = {
    "т1": RegisterCode.DAY,
    "день": RegisterCode.DAY,
    "day": RegisterCode.DAY,
    "т2": RegisterCode.NIGHT,
    "ночь": RegisterCode.NIGHT,
    "night": RegisterCode.NIGHT,
    "пик": RegisterCode.PEAK,
    "peak": RegisterCode.PEAK,
    "полупик": RegisterCode.SEMI_PEAK,
    "semi-peak": RegisterCode.SEMI_PEAK,
}


class ImportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(row) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(row):
        name = _text(cell).lower().replace("ё", "е")
        for key, names in HEADERS.items():
            if name in {n.replace("ё", "е") for n in names} and key not in found:
                found[key] = index
    return found


def _raw_rows(upload, name: str):
    try:
        size = getattr(upload, "size", None)
        if size is not None and size > spreadsheet.MAX_FILE_BYTES:
            raise spreadsheet.FileRefused("too_large")
        _kind, rows = spreadsheet.read_rows(upload, name)
        return list(rows)
    except spreadsheet.FileRefused as refused:
        raise ImportRefused(refused.message) from None


def _date(cell, errors: list) -> datetime.date | None:
    if cell in (None, ""):
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors.append(_("The date is not a date (write it as 20.05.2026)."))
    return None


@dataclass
class _Line:
    line: int
    values: dict


def _lines(upload, name: str) -> list[_Line]:
    rows = _raw_rows(upload, name)
    header_at = None
    for index, row in enumerate(rows[:10]):
        columns = _header(row)
        if "serial" in columns and "value" in columns:
            header_at = index
            break
    if header_at is None:
        raise ImportRefused(
            _("No header found: the table needs the columns «Заводской номер» and «Показание».")
        )
    columns = _header(rows[header_at])
    lines = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if all(_text(cell) == "" for cell in row):
            continue
        values = {key: (row[index] if index < len(row) else None) for key, index in columns.items()}
        lines.append(_Line(offset, values))
    if not lines:
        raise ImportRefused(_("The table has no rows of readings."))
    if len(lines) > MAX_ROWS:
        raise ImportRefused(_("At most %(rows)d rows in one file.") % {"rows": MAX_ROWS})
    return lines


def _resolve(lines: list[_Line]) -> list[dict]:
    """Find each line's register: a working meter by serial, checked against the account or
    the premises number when given. Three queries."""
    serials = {_text(line.values.get("serial")) for line in lines}
    meters: dict = {}
    for meter in (
        Meter.objects.filter(serial_number__in=serials, closed_on__isnull=True)
        .select_related("premises")
        .prefetch_related("registers")
    ):
        meters.setdefault(meter.serial_number, []).append(meter)
    numbers = {_text(line.values.get("account")) for line in lines} - {""}
    accounts = dict(
        PersonalAccount.objects.filter(number__in=numbers).values_list("number", "premises_id")
    )
    found = []
    for line in lines:
        errors: list[str] = []
        serial = _text(line.values.get("serial"))
        account = _text(line.values.get("account"))
        number = _text(line.values.get("premises"))
        candidates = meters.get(serial, [])
        if account:
            if account not in accounts:
                errors.append(_("No personal account with this number."))
            candidates = [m for m in candidates if m.premises_id == accounts.get(account)]
        if number:
            candidates = [m for m in candidates if m.premises and m.premises.number == number]
        register = None
        if not serial:
            errors.append(_("The meter's serial number is empty."))
        elif not candidates and not errors:
            errors.append(_("No working meter with this serial number at these premises."))
        elif len(candidates) > 1:
            errors.append(_("Several meters have this serial number: add the personal account."))
        elif candidates:
            registers = list(candidates[0].registers.all())
            zone = ZONES.get(_text(line.values.get("zone")).lower())
            if len(registers) == 1:
                register = registers[0]
            else:
                register = next((r for r in registers if r.code == zone), None)
                if register is None:
                    errors.append(_("The meter has several zones: name the zone (Т1, Т2…)."))
        taken_on = _date(line.values.get("date"), errors)
        found.append(
            {
                "line": line.line,
                "register": str(register.pk) if register else "",
                "meter": str(register.meter_id) if register else "",
                "value": _text(line.values.get("value")),
                "taken_on": taken_on.isoformat() if taken_on else "",
                "errors": errors,
                "flagged": False,
            }
        )
    return found


class _Rollback(Exception):
    pass


def _groups(rows, registers: dict) -> list[list[dict]]:
    """The checkable rows by meter: a multi-tariff meter is submitted whole (all its zones in
    one call, as on the member page)."""
    by_meter: dict = {}
    for row in rows:
        if row["errors"] or row["register"] not in registers:
            continue
        by_meter.setdefault(row["meter"], []).append(row)
    return list(by_meter.values())


def _submit(group: list[dict], registers: dict, *, actor):
    dates = [row["taken_on"] for row in group if row["taken_on"]]
    return services.submit_readings(
        actor=actor,
        entries=[services.Entry(registers[row["register"]], row["value"]) for row in group],
        source=ReadingSource.IMPORT,
        confirm=True,
        taken_on=datetime.date.fromisoformat(max(dates)) if dates else None,
    )


def _check(group: list[dict], registers: dict, *, actor) -> None:
    """Run the submission service for one meter's rows and roll it back; record the refusal
    on each of its rows, or which are flagged."""
    try:
        with transaction.atomic():
            submission = _submit(group, registers, actor=actor)
            flagged = {str(r.register_id) for r in submission.readings if r.flagged}
            for row in group:
                row["flagged"] = row["register"] in flagged
            raise _Rollback
    except _Rollback:
        pass
    except ValidationError as error:
        for row in group:
            row["errors"].extend(_messages(error))


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


def _registers(rows) -> dict:
    from tenants.meters.models import Register

    ids = [row["register"] for row in rows if row["register"] and not row["errors"]]
    return {str(r.pk): r for r in Register.objects.filter(pk__in=ids).select_related("meter")}


@transaction.atomic
def preview_import(*, actor, upload, name: str) -> ReadingImport:
    """Read and check the file; nothing is stored but the preview (``ImportRefused`` when the
    whole file cannot be read)."""
    rows = _resolve(_lines(upload, name))
    seen: set = set()
    for row in rows:
        if row["register"] and row["register"] in seen:
            row["errors"].append(_("The same meter appears twice in the file."))
        seen.add(row["register"])
    registers = _registers(rows)
    for group in _groups(rows, registers):
        _check(group, registers, actor=actor)
    return ReadingImport.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None,
        period=periods.current_window().period,
        rows=rows,
    )


@transaction.atomic
def apply_import(job: ReadingImport, *, actor) -> int:
    """Submit the rows that are valid now, in one transaction; how many were stored."""
    job = ReadingImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.PREVIEW:
        raise ValidationError(_("This file has been applied already."))
    if job.period != periods.current_window().period:
        raise ValidationError(_("The period has changed since the preview: upload the file again."))
    rows = [dict(row, errors=list(row["errors"])) for row in job.rows]
    registers = _registers(rows)
    applied = 0
    for group in _groups(rows, registers):
        try:
            with transaction.atomic():
                _submit(group, registers, actor=actor)
            applied += len(group)
        except ValidationError as error:
            for row in group:
                row["errors"].extend(_messages(error))
    job.rows = rows
    job.status = ImportStatus.APPLIED
    job.applied_at = timezone.now()
    job.applied_rows = applied
    job.save(update_fields=["rows", "status", "applied_at", "applied_rows"])
    audit.record(
        "meters.readings_imported",
        actor=actor,
        target=job,
        details={
            "rows": len(rows),
            "applied": applied,
            "period": job.period.isoformat(),
        },
    )
    return applied


def counts(job: ReadingImport) -> dict:
    valid = sum(1 for row in job.rows if not row["errors"])
    return {
        "rows": len(job.rows),
        "valid": valid,
        "refused": len(job.rows) - valid,
        "flagged": sum(1 for row in job.rows if row.get("flagged") and not row["errors"]),
    }


def preview_rows(job: ReadingImport) -> list[dict]:
    """The job's rows with their meter and premises for the page (two queries)."""
    from tenants.meters.models import Register

    ids = [row["register"] for row in job.rows if row["register"]]
    registers = {
        str(r.pk): r
        for r in Register.objects.filter(pk__in=ids).select_related("meter__premises__building")
    }
    return [dict(row, register_obj=registers.get(row["register"])) for row in job.rows]
