"""Meters, their registers and readings (Правила 354: пп. 31, 33, 59, 60, 81(12)).

* A **meter** (прибор учёта) measures one resource for one premises (an individual meter), or
  for a whole building (a common-house meter, общедомовой, whose consumption the ledger shares
  out as ОДН/СОИ). It has a serial number, a place, a digit capacity (for rollover), an
  installation date and a verification (поверка) date and interval: a meter whose verification
  has expired counts as failed (п. 81(12)).
* A **register** is one figure the meter shows: one for most meters, two or three for a
  multi-tariff electricity meter (day/night, or peak/semi-peak/night), each read and billed on
  its own. Every register starts from its initial value; a closed meter's registers keep the
  final value.
* A **reading** is one figure of one register for one billing period (a month, stored as its
  first day). Submissions are kept whole: a correction supersedes the earlier reading of the
  same period (``superseded_at``) and the last one counts (one current reading per register and
  period, a partial unique constraint). Readings are not personal data (ARCHITECTURE.md: readings
  stay plain, needed for sums and law-mandated records); a photo of the meter's face is a
  private file under the holding's key.
* A **replacement** closes the old meter (its final reading) and opens the new one (its initial
  reading); ``Meter.replaces`` keeps the chain, so history is never lost and a new meter's
  first reading is compared with its own initial value, never with the old meter's figures.

What the ledger will read from here (the billing volume of a meter and period: actual, average
or norm, п. 59–60) is computed from these rows by the meters' selectors; nothing here posts
money.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeterKind(models.TextChoices):
    COLD_WATER = "cold_water", _("Cold water")
    HOT_WATER = "hot_water", _("Hot water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    HEAT = "heat", _("Heat")


#: The unit of each kind (as shown beside a figure).
UNITS = {
    MeterKind.COLD_WATER: _("m³"),
    MeterKind.HOT_WATER: _("m³"),
    MeterKind.ELECTRICITY: _("kWh"),
    MeterKind.GAS: _("m³"),
    MeterKind.HEAT: _("Gcal"),
}


class Tariff(models.TextChoices):
    """How many registers a meter has: only electricity meters have several (time zones)."""

    SINGLE = "single", _("Single-rate")
    TWO_ZONE = "two_zone", _("Two-zone (day, night)")
    THREE_ZONE = "three_zone", _("Three-zone (peak, semi-peak, night)")


class RegisterCode(models.TextChoices):
    TOTAL = "total", pgettext_lazy("register", "Total")
    DAY = "day", pgettext_lazy("register", "Day")
    NIGHT = "night", pgettext_lazy("register", "Night")
    PEAK = "peak", pgettext_lazy("register", "Peak")
    SEMI_PEAK = "semi_peak", pgettext_lazy("register", "Semi-peak")


#: The registers of each tariff, in the order the meter's display shows them (T1, T2, T3).
TARIFF_REGISTERS = {
    Tariff.SINGLE: (RegisterCode.TOTAL,),
    Tariff.TWO_ZONE: (RegisterCode.DAY, RegisterCode.NIGHT),
    Tariff.THREE_ZONE: (RegisterCode.PEAK, RegisterCode.NIGHT, RegisterCode.SEMI_PEAK),
}


class CloseReason(models.TextChoices):
    REPLACED = "replaced", _("Replaced")
    REMOVED = "removed", _("Removed")
    FAILED = "failed", pgettext_lazy("meter", "Failed")


class Meter(models.Model):
    """A meter of one premises, or a common-house meter of one building (exactly one of the
    two). Closed meters stay, with their readings, as history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    premises = models.ForeignKey(
        "residents.Premises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        verbose_name=_("premises"),
        db_index=False,
    )
    building = models.ForeignKey(
        "residents.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="common_meters",
        verbose_name=_("building (common-house meter)"),
    )
    kind = models.CharField(_("resource"), max_length=20, choices=MeterKind.choices)
    tariff = models.CharField(
        _("tariff"), max_length=20, choices=Tariff.choices, default=Tariff.SINGLE
    )
    serial_number = models.CharField(_("serial number"), max_length=40)
    place = models.CharField(_("place"), max_length=100, blank=True)
    #: Digits before the decimal point on the meter's face: the figure rolls over to zero after
    #: 10**digits - 1.
    digits = models.PositiveSmallIntegerField(_("digits before the decimal point"), default=5)
    #: Digits after the decimal point shown (read) on the face.
    decimals = models.PositiveSmallIntegerField(_("digits after the decimal point"), default=3)
    installed_on = models.DateField(_("installed on"))
    verified_on = models.DateField(_("last verification"), null=True, blank=True)
    verification_interval_years = models.PositiveSmallIntegerField(
        _("verification interval, years"), null=True, blank=True
    )
    #: The meter this one replaced (its chain of predecessors is the premises' history).
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason"), max_length=20, choices=CloseReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["kind", "installed_on", "serial_number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(premises__isnull=False) & Q(building__isnull=True))
                | (Q(premises__isnull=True) & Q(building__isnull=False)),
                name="meters_meter_of_premises_or_building",
            ),
            models.CheckConstraint(
                condition=Q(digits__gte=1) & Q(digits__lte=12) & Q(decimals__lte=4),
                name="meters_meter_digits_valid",
            ),
            models.CheckConstraint(
                condition=Q(tariff="single") | Q(kind="electricity"),
                name="meters_meter_zones_only_electricity",
            ),
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & Q(close_reason=""))
                | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                name="meters_meter_closed_with_reason",
            ),
            models.UniqueConstraint(
                fields=["kind", "serial_number"],
                condition=Q(closed_on__isnull=True),
                name="meters_unique_open_serial",
            ),
        ]
        indexes = [models.Index(fields=["premises", "closed_on"])]

    def __str__(self) -> str:
        return f"Meter {self.pk}"

    @property
    def is_common(self) -> bool:
        return self.building_id is not None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def unit(self) -> str:
        return UNITS.get(self.kind, "")

    @property
    def capacity(self) -> Decimal:
        """The figure after which the face rolls over to zero."""
        return Decimal(10) ** self.digits

    @property
    def verification_due_on(self) -> datetime.date | None:
        """The day the verification expires (the meter counts as failed from it, п. 81(12))."""
        if self.verified_on is None or not self.verification_interval_years:
            return None
        start = self.verified_on
        year = start.year + self.verification_interval_years
        try:
            return start.replace(year=year)
        except ValueError:  # 29 February
            return start.replace(year=year, day=28)


class Register(models.Model):
    """One figure of a meter (the only one, or one time zone of a multi-tariff meter)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="registers", db_index=False
    )
    code = models.CharField(_("register"), max_length=20, choices=RegisterCode.choices)
    position = models.PositiveSmallIntegerField(default=0)
    #: The figure when the meter was installed (the base of its first reading's consumption).
    initial_value = models.DecimalField(_("initial reading"), max_digits=16, decimal_places=4)
    #: The figure when the meter was closed (replaced, removed).
    final_value = models.DecimalField(
        _("final reading"), max_digits=16, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        ordering = ["meter", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "code"], name="meters_unique_register"),
            models.CheckConstraint(
                condition=Q(initial_value__gte=0), name="meters_register_initial_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Register {self.pk}"


class ReadingSource(models.TextChoices):
    MEMBER = "member", _("Member")
    BOARD = "board", _("Entered by the board")
    IMPORT = "import", _("Imported")
    CLOSING = "closing", _("Final reading")


class Reading(models.Model):
    """One submitted figure of one register for one period (the month, its first day).

    Every submission is a row. The current one of a register and period (``superseded_at`` is
    NULL) counts; a correction marks the earlier one superseded in the same transaction, under
    a lock of the register's row, so concurrent submissions are serialised: none is lost, the
    last one counts, and the constraint forbids two current ones.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="readings")
    #: Denormalised from the register (the ledger and the pages read by meter).
    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="readings", db_index=False
    )
    period = models.DateField(_("period"))
    value = models.DecimalField(_("reading"), max_digits=16, decimal_places=4)
    #: Against the previous period's reading (or the initial value), rollover included.
    consumption = models.DecimalField(
        _("consumption"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    rolled_over = models.BooleanField(_("rolled over"), default=False)
    #: The day the figure was read off the meter (never in the future).
    taken_on = models.DateField(_("taken on"))
    submitted_at = models.DateTimeField(_("submitted at"))
    source = models.CharField(_("source"), max_length=10, choices=ReadingSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    #: Sent after the window of the month it was taken in closed: counts in the next period
    #: (Правила 354 п. 31, 33).
    late = models.BooleanField(_("late"), default=False)
    photo = models.ForeignKey(
        "files.StoredFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )
    #: Far above the meter's usual consumption: the member confirmed it; the accountant reviews.
    flagged = models.BooleanField(_("flagged"), default=False)
    #: Why it was flagged: a code and the figures (no personal data), e.g.
    #: ``{"code": "above_usual", "median": "3.1", "upper": "7.4", "months": 8}``.
    flag_details = models.JSONField(default=dict, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["period", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "period"],
                condition=Q(superseded_at__isnull=True),
                name="meters_one_current_reading",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="meters_reading_not_negative"),
            models.CheckConstraint(condition=Q(period__day=1), name="meters_period_is_a_month"),
        ]
        indexes = [
            models.Index(fields=["meter", "period"]),
            models.Index(
                fields=["period"],
                condition=Q(superseded_at__isnull=True, flagged=True),
                name="meters_flagged_current",
            ),
        ]

    def __str__(self) -> str:
        return f"Reading {self.pk}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


# -- billing volumes and reminders (Правила 354 пп. 59, 60; see ``billing`` and ``reminders``) ---


class NormBasis(models.TextChoices):
    PER_PERSON = "per_person", _("per resident a month")
    PER_M2 = "per_m2", _("per m² of area a month")


class Norm(models.Model):
    """A consumption norm (норматив потребления) of a resource, in force from ``valid_from``
    until the next row of the same kind: set by the region, entered by the board or the
    accountant. Billing by the norm (Правила 354 пп. 42, 59, 60) reads the row in force on a
    period's first day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("resource"), max_length=20, choices=MeterKind.choices)
    valid_from = models.DateField(_("valid from"))
    value = models.DecimalField(_("norm"), max_digits=12, decimal_places=4)
    basis = models.CharField(
        _("basis"), max_length=20, choices=NormBasis.choices, default=NormBasis.PER_PERSON
    )

    class Meta:
        verbose_name = _("consumption norm")
        verbose_name_plural = _("consumption norms")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="meters_unique_norm"),
            models.CheckConstraint(condition=Q(value__gte=0), name="meters_norm_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Norm {self.kind} {self.valid_from}"


class IncreasingCoefficient(models.Model):
    """The increasing coefficient (повышающий коэффициент) applied to the norm where a meter is
    failed or its verification expired (Правила 354 п. 60, formula 4(1) of п. 42): 1.5, and 3
    for cold water from 6 December 2025 (ПП РФ № 1871 of 25.11.2025). In force from
    ``valid_from`` until the next row of the same kind."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("resource"), max_length=20, choices=MeterKind.choices)
    valid_from = models.DateField(_("valid from"))
    value = models.DecimalField(_("coefficient"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("increasing coefficient")
        verbose_name_plural = _("increasing coefficients")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], name="meters_unique_coefficient"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1), name="meters_coefficient_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Coefficient {self.kind} {self.valid_from}"


class SentReminder(models.Model):
    """A reminder already written for a person: the ledger that makes a retried or duplicated
    task send nothing twice (inserted with ``ON CONFLICT DO NOTHING`` before the notification is
    written, in the same transaction). ``meter`` is set for the verification reminders;
    ``period`` is the billing period (window reminders, expired verification: one a month) or
    the verification's due day (expiring in 30 days: one per due day)."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meter = models.ForeignKey(
        Meter, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user", "period"],
                condition=Q(meter__isnull=True),
                name="meters_one_reminder_per_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "user", "meter", "period"],
                condition=Q(meter__isnull=False),
                name="meters_one_reminder_per_meter",
            ),
        ]

    def __str__(self) -> str:
        return f"SentReminder {self.pk}"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    APPLIED = "applied", _("Applied")


class ReadingImport(models.Model):
    """A spreadsheet of readings checked and shown before it is applied. ``rows`` keeps what
    was found per line, ids and figures only (no names, no account numbers): ``{"line": 2,
    "register": "<uuid>", "value": "123.4", "taken_on": "2026-05-20", "errors": [...]}``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    period = models.DateField()
    rows = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ReadingImport {self.pk}"
