"""Writing meters and readings. Every change is audited in its transaction; refusals are
``ValidationError``s naming the field (``core.ui.refusals`` shows them beside it).

Readings (Правила 354, п. 31 «е(1)», 33; ``../shared/DOMAIN.md``, meters):

* they count in the open period (``periods.current_window``): a reading sent after the
  association's window closed counts in the next period, and the submission says so; an
  earlier period is closed, a later one not open;
* each register's rows are locked (``SELECT … FOR UPDATE``, in id order) before anything is
  read or written, so concurrent submissions for one meter are serialised: every submission is
  kept, the one that commits last is current, and the partial unique constraint forbids two
  current readings of one register and period;
* a reading lower than the previous one is refused unless the meter rolled over; zero
  consumption is valid; one far above the meter's usual consumption is refused until the
  submitter confirms it, and is then flagged for the accountant with the reason (``checks``).

Who may submit for which meter is decided before: views and the API find registers through
the reader-scoped selectors (someone else's meter is a 404 there).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.files import services as files
from tenants.meters import checks, periods, selectors
from tenants.meters.models import (
    TARIFF_REGISTERS,
    CloseReason,
    Meter,
    MeterKind,
    Reading,
    ReadingSource,
    Register,
    Tariff,
)
from tenants.meters.purposes import READING_PHOTO

#: Which fields of a meter the board may change in place (the rest make a new meter).
EDITABLE = (
    "serial_number",
    "place",
    "digits",
    "decimals",
    "verified_on",
    "verification_interval_years",
)


def reading_field(register) -> str:
    """The name of a register's field on forms and in refusals."""
    return f"r-{register.pk}"


def photo_field(meter) -> str:
    return f"photo-{meter.pk}"


def month_text(period: datetime.date) -> str:
    return date_format(period, "F Y")


def bad_message(bad: checks.Bad, meter: Meter) -> str:
    """The Russian (translated) sentence for a typed reading that cannot be stored."""
    if bad.code == "required":
        return _("Enter the reading.")
    if bad.code == "not_a_number":
        return _("Enter digits only, for example 123.45.")
    if bad.code == "too_many_digits":
        return _("This meter shows at most %(digits)d digits before the decimal point.") % {
            "digits": meter.digits
        }
    if bad.code == "too_many_decimals":
        if not meter.decimals:
            return _("This meter shows whole numbers only.")
        return _("This meter shows at most %(decimals)d digits after the decimal point.") % {
            "decimals": meter.decimals
        }
    if bad.code == "lower":
        return _(
            "The reading is lower than the previous one (%(previous)s). If the meter was "
            "replaced, the board records the new meter first."
        ) % {"previous": _number(bad.params["previous"])}
    return _("The reading cannot be accepted.")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- meters -------------------------------------------------------------------------------------


def _check_dates(*, installed_on, verified_on, today) -> None:
    errors = {}
    if installed_on and installed_on > today:
        errors["installed_on"] = _("The installation cannot be dated in the future.")
    if verified_on and verified_on > today:
        errors["verified_on"] = _("The verification cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)


def _check_serial(kind: str, serial_number: str, exclude=None) -> None:
    clash = Meter.objects.filter(kind=kind, serial_number=serial_number, closed_on__isnull=True)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(
            {"serial_number": _("A working meter of this kind already has this serial number.")}
        )


def _initial_values(meter: Meter, values) -> dict[str, Decimal]:
    """The initial figure of each register (typed or given), checked against the face."""
    values = values or {}
    result, errors = {}, {}
    for code in TARIFF_REGISTERS[meter.tariff]:
        raw = values.get(code, values.get(str(code)))
        if raw in (None, ""):
            result[code] = Decimal(0)
            continue
        try:
            result[code] = checks.parse(raw, digits=meter.digits, decimals=meter.decimals)
        except checks.Bad as bad:
            errors[f"initial-{code}"] = bad_message(bad, meter)
    if errors:
        raise ValidationError(errors)
    return result


@transaction.atomic
def add_meter(
    *,
    actor,
    premises=None,
    building=None,
    kind: str,
    tariff: str = Tariff.SINGLE,
    serial_number: str,
    place: str = "",
    digits: int = 5,
    decimals: int = 3,
    installed_on: datetime.date,
    verified_on: datetime.date | None = None,
    verification_interval_years: int | None = None,
    initial_values=None,
    replaces: Meter | None = None,
) -> Meter:
    """A new meter of a premises, or a common-house meter of a building, with its registers."""
    if (premises is None) == (building is None):
        raise ValidationError(_("A meter belongs to one premises or to one building."))
    if tariff != Tariff.SINGLE and kind != MeterKind.ELECTRICITY:
        raise ValidationError({"tariff": _("Only electricity meters have several zones.")})
    serial_number = (serial_number or "").strip()
    if not serial_number:
        raise ValidationError({"serial_number": _("Enter the serial number.")})
    _check_dates(installed_on=installed_on, verified_on=verified_on, today=timezone.localdate())
    _check_serial(kind, serial_number)
    meter = Meter(
        premises=premises,
        building=building,
        kind=kind,
        tariff=tariff,
        serial_number=serial_number,
        place=place.strip(),
        digits=digits,
        decimals=decimals,
        installed_on=installed_on,
        verified_on=verified_on,
        verification_interval_years=verification_interval_years,
        replaces=replaces,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    initial = _initial_values(meter, initial_values)
    meter.save()
    Register.objects.bulk_create(
        Register(meter=meter, code=code, position=position, initial_value=initial[code])
        for position, code in enumerate(TARIFF_REGISTERS[tariff])
    )
    audit.record(
        "meters.meter_added",
        actor=actor,
        target=meter,
        details={"kind": kind, "tariff": tariff, "common": building is not None},
    )
    return meter


@transaction.atomic
def update_meter(meter: Meter, *, actor, **changes) -> Meter:
    """Change what can change in place: serial number (a typo), place, digits, verification."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if not meter.is_open:
        raise ValidationError(_("This meter is closed: it cannot be changed."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "serial_number" in changes:
        changes["serial_number"] = (changes["serial_number"] or "").strip()
        if not changes["serial_number"]:
            raise ValidationError({"serial_number": _("Enter the serial number.")})
        _check_serial(meter.kind, changes["serial_number"], exclude=meter)
    _check_dates(
        installed_on=None, verified_on=changes.get("verified_on"), today=timezone.localdate()
    )
    changed = sorted(name for name, value in changes.items() if getattr(meter, name) != value)
    for name in changed:
        setattr(meter, name, changes[name])
    if changed:
        meter.save(update_fields=changed)
        audit.record("meters.meter_changed", actor=actor, target=meter, details={"fields": changed})
    return meter


def _locked_registers(meter_ids) -> list[Register]:
    return list(
        Register.objects.select_for_update(of=("self",))
        .select_related("meter")
        .filter(meter_id__in=list(meter_ids))
        .order_by("pk")
    )


def _latest_values(registers, *, before: datetime.date | None = None) -> dict:
    """The value of each register's latest current reading (before ``before``, if given), else
    its initial value."""
    rows = Reading.objects.filter(
        register_id__in=[r.pk for r in registers], superseded_at__isnull=True
    )
    if before is not None:
        rows = rows.filter(period__lt=before)
    latest = dict(
        rows.order_by("register_id", "-period")
        .distinct("register_id")
        .values_list("register_id", "value")
    )
    return {r.pk: latest.get(r.pk, r.initial_value) for r in registers}


def _close(meter: Meter, *, actor, on, reason, final_values) -> list[Register]:
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": _("The meter cannot be closed in the future.")})
    registers = _locked_registers([meter.pk])
    meter = registers[0].meter if registers else Meter.objects.select_for_update().get(pk=meter.pk)
    if not meter.is_open:
        raise ValidationError(_("This meter is already closed."))
    if on < meter.installed_on:
        raise ValidationError({"on": _("The meter was installed later than that.")})
    final_values = final_values or {}
    window = periods.current_window(today)
    latest = _latest_values(registers)
    finals, errors = {}, {}
    for register in registers:
        raw = final_values.get(register.code, final_values.get(str(register.code)))
        if raw in (None, ""):
            if reason == CloseReason.FAILED:
                continue
            errors[f"final-{register.code}"] = _("Enter the final reading.")
            continue
        try:
            value = checks.parse(raw, digits=meter.digits, decimals=meter.decimals)
            move = checks.step(latest[register.pk], value, capacity=meter.capacity)
            finals[register.pk] = (value, move)
        except checks.Bad as bad:
            errors[f"final-{register.code}"] = bad_message(bad, meter)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    Reading.objects.filter(
        register_id__in=list(finals), period=window.period, superseded_at__isnull=True
    ).update(superseded_at=now)
    closing = []
    for register in registers:
        if register.pk not in finals:
            continue
        value, move = finals[register.pk]
        register.final_value = value
        register.save(update_fields=["final_value"])
        closing.append(
            Reading(
                register=register,
                meter=meter,
                period=window.period,
                value=value,
                consumption=move.consumption,
                rolled_over=move.rolled_over,
                taken_on=on,
                submitted_at=now,
                source=ReadingSource.CLOSING,
                entered_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    Reading.objects.bulk_create(closing)
    meter.closed_on = on
    meter.close_reason = reason
    meter.save(update_fields=["closed_on", "close_reason"])
    return registers


@transaction.atomic
def close_meter(meter: Meter, *, actor, on: datetime.date, reason: str, final_values=None):
    """Close a meter that is removed or failed, with its final reading (none for a failed one
    that cannot be read). Its readings stay."""
    if reason not in (CloseReason.REMOVED, CloseReason.FAILED):
        raise ValidationError({"reason": _("Choose why the meter is closed.")})
    _close(meter, actor=actor, on=on, reason=reason, final_values=final_values)
    meter.refresh_from_db()
    audit.record("meters.meter_closed", actor=actor, target=meter, details={"reason": reason})
    return meter


@transaction.atomic
def replace_meter(
    meter: Meter,
    *,
    actor,
    on: datetime.date,
    final_values,
    serial_number: str,
    tariff: str | None = None,
    digits: int | None = None,
    decimals: int | None = None,
    place: str | None = None,
    verified_on: datetime.date | None = None,
    verification_interval_years: int | None = None,
    initial_values=None,
) -> Meter:
    """Close ``meter`` with its final reading and open its successor with its initial reading,
    installed on the same day; the successor's readings start from its own initial figure."""
    _close(meter, actor=actor, on=on, reason=CloseReason.REPLACED, final_values=final_values)
    meter.refresh_from_db()
    new = add_meter(
        actor=actor,
        premises=meter.premises,
        building=meter.building,
        kind=meter.kind,
        tariff=tariff or meter.tariff,
        serial_number=serial_number,
        place=meter.place if place is None else place,
        digits=digits or meter.digits,
        decimals=meter.decimals if decimals is None else decimals,
        installed_on=on,
        verified_on=verified_on,
        verification_interval_years=verification_interval_years
        or meter.verification_interval_years,
        initial_values=initial_values,
        replaces=meter,
    )
    audit.record(
        "meters.meter_replaced", actor=actor, target=meter, details={"new_meter": str(new.pk)}
    )
    return new


# -- readings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A typed reading of one register (a form's field, an API item)."""

    register: Register
    text: object


@dataclass
class Submission:
    period: datetime.date
    late: bool
    readings: list[Reading] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for reading in self.readings if reading.flagged)


def _anomaly_message(meter: Meter, band: checks.Band, consumption: Decimal) -> str:
    return _(
        "This is far above this meter's usual consumption: about %(usual)s %(unit)s a month, "
        "now %(consumption)s %(unit)s. Check the figure; if it is right, confirm it and send "
        "again."
    ) % {
        "usual": _number(band.median.quantize(Decimal("0.01"))),
        "consumption": _number(consumption),
        "unit": meter.unit,
    }


def _check_period(period, window) -> None:
    if period is None or period == window.period:
        return
    if period < window.period:
        message = _("Readings for %(period)s are closed: readings are accepted for %(open)s now.")
    else:
        message = _(
            "Readings for %(period)s are not accepted yet: readings are accepted for %(open)s now."
        )
    raise ValidationError(
        {"period": message % {"period": month_text(period), "open": month_text(window.period)}}
    )


@transaction.atomic
def submit_readings(
    *,
    actor,
    entries: list[Entry],
    source: str = ReadingSource.MEMBER,
    confirm: bool = False,
    taken_on: datetime.date | None = None,
    period: datetime.date | None = None,
    photos=None,
) -> Submission:
    """Store the typed readings of one or more meters in the open period, all or nothing.

    ``entries`` with an empty text are skipped (a meter left blank); at least one is needed.
    ``photos``: meter id → upload, a photo of that meter's face (optional). ``confirm``: the
    submitter confirms figures far above the usual (they are then flagged).
    """
    today = timezone.localdate()
    window = periods.current_window(today)
    if taken_on is not None and taken_on > today:
        raise ValidationError({"taken_on": _("A reading cannot be dated in the future.")})
    _check_period(period, window)
    entries = [e for e in entries if not (isinstance(e.text, str) and not e.text.strip())]
    entries = [e for e in entries if e.text is not None]
    if not entries:
        raise ValidationError(_("Enter at least one reading."))
    by_register = {entry.register.pk: entry for entry in entries}
    locked = _locked_registers({entry.register.meter_id for entry in entries})
    registers = [r for r in locked if r.pk in by_register]
    # A multi-tariff meter is read whole: every zone of a meter that was read at all.
    errors: dict[str, list[str]] = {
        reading_field(r): [_("Enter the reading.")] for r in locked if r.pk not in by_register
    }
    previous = _latest_values(registers, before=window.period)
    history: dict = defaultdict(list)
    since = window.period.replace(year=window.period.year - 1)
    for register_id, consumption in (
        Reading.objects.filter(
            register_id__in=list(by_register),
            superseded_at__isnull=True,
            period__lt=window.period,
            period__gte=since,
            consumption__isnull=False,
        )
        .exclude(source=ReadingSource.CLOSING)
        .order_by("period")
        .values_list("register_id", "consumption")
    ):
        history[register_id].append(consumption)

    rows: list[Reading] = []
    now = timezone.now()
    for register in registers:
        meter = register.meter
        name = reading_field(register)
        if not meter.is_open:
            errors[name] = [_("This meter is closed: it takes no readings.")]
            continue
        if taken_on is not None and taken_on < meter.installed_on:
            errors["taken_on"] = [_("The reading is dated before the meter was installed.")]
            continue
        try:
            value = checks.parse(
                by_register[register.pk].text, digits=meter.digits, decimals=meter.decimals
            )
            move = checks.step(previous[register.pk], value, capacity=meter.capacity)
        except checks.Bad as bad:
            errors[name] = [bad_message(bad, meter)]
            continue
        band = checks.usual_band(history[register.pk], meter.kind)
        flagged = checks.is_anomaly(move.consumption, band)
        if flagged and not confirm:
            errors[name] = [_anomaly_message(meter, band, move.consumption)]
            continue
        rows.append(
            Reading(
                register=register,
                meter=meter,
                period=window.period,
                value=value,
                consumption=move.consumption,
                rolled_over=move.rolled_over,
                taken_on=taken_on or today,
                submitted_at=now,
                source=source,
                entered_by=actor if getattr(actor, "pk", None) else None,
                late=window.late,
                flagged=flagged,
                flag_details=band.details(move.consumption) if flagged else {},
            )
        )
    if errors:
        raise ValidationError(errors)

    meters = {row.meter_id: row.meter for row in rows}
    stored_photos = {}
    for meter_id, upload in (photos or {}).items():
        if upload is None or meter_id not in meters:
            continue
        meter = meters[meter_id]
        try:
            stored_photos[meter_id] = files.store(
                upload,
                purpose=READING_PHOTO,
                actor=actor,
                holding_id=selectors.holding_id_of(meter.premises_id),
            )
        except ValidationError as error:
            raise ValidationError({photo_field(meter): error.messages}) from None
    for row in rows:
        row.photo = stored_photos.get(row.meter_id)

    corrected = set(
        Reading.objects.filter(
            register_id__in=[row.register_id for row in rows],
            period=window.period,
            superseded_at__isnull=True,
        ).values_list("meter_id", flat=True)
    )
    Reading.objects.filter(
        register_id__in=[row.register_id for row in rows],
        period=window.period,
        superseded_at__isnull=True,
    ).update(superseded_at=now)
    Reading.objects.bulk_create(rows)
    per_meter: dict = defaultdict(list)
    for row in rows:
        per_meter[row.meter_id].append(row)
    audit.record_many(
        (
            (
                "meters.reading_submitted",
                meters[meter_id],
                {
                    "period": window.period.isoformat(),
                    "source": source,
                    "registers": len(items),
                    "late": window.late,
                    "flagged": sum(1 for r in items if r.flagged),
                    "correction": meter_id in corrected,
                    "photo": meter_id in stored_photos,
                },
            )
            for meter_id, items in per_meter.items()
        ),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return Submission(period=window.period, late=window.late, readings=rows)
