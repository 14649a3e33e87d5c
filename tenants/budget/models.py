"""The estimate of income and expenditure (смета доходов и расходов) of a year, its versions,
the meeting's decision on it and its execution.

Legal basis: ЖК РФ ст. 145 ч. 2 п. 8.1 (a ТСЖ's general meeting approves the estimate), ст. 148
п. 1 (the board drafts it), ст. 143.1 ч. 3 (members may read the estimate and the report on its
execution), ст. 158 ч. 3 (capital repair contributions kept apart); 217-ФЗ ст. 14 ч. 8 (an СНТ's
contributions follow from the estimate and its financial-economic justification), ст. 17 ч. 1
п. 17–18 (the meeting approves both), ст. 17.1 (absentee voting, online where the charter allows).

Money is ``Decimal`` roubles with kopecks. The lines are the working copy; a ``Version`` is an
immutable snapshot made when the estimate is published and on each revision, and one more when
it is approved (the frozen content, whose SHA-256 the estimate keeps).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """A version snapshot was about to be rewritten."""


class Article(models.TextChoices):
    """Articles of expenditure, in the order the estimate shows them."""

    MAINTENANCE = "maintenance", _("Maintenance of common property")
    CURRENT_REPAIR = "current_repair", _("Current repair")
    SALARIES = "salaries", _("Salaries and taxes")
    UTILITIES = "utilities", _("Utilities of common property")
    MANAGEMENT = "management", _("Management")
    RESERVE = "reserve", _("Reserve fund")
    CAPITAL_REPAIR = "capital_repair", _("Capital repair")


ARTICLE_ORDER = {value: index for index, value in enumerate(Article.values)}


class Basis(models.TextChoices):
    """How a line's amount is shared among members."""

    AREA = "area", _("per m² of premises")
    PREMISES = "premises", _("per premises")
    SOTKA = "sotka", _("per сотка")
    MEMBER = "member", _("per member")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISCUSSION = "discussion", _("Published for discussion")
    MEETING = "meeting", _("Put to a meeting")
    APPROVED = "approved", _("Approved")
    APPLIED = "applied", _("Approved, tariffs set")


#: Statuses members read (a draft is the board's).
PUBLISHED_STATUSES = (Status.DISCUSSION, Status.MEETING, Status.APPROVED, Status.APPLIED)
#: Statuses whose content is frozen.
FROZEN_STATUSES = (Status.APPROVED, Status.APPLIED)
#: Statuses whose lines the board edits.
EDITABLE_STATUSES = (Status.DRAFT, Status.DISCUSSION)


class Estimate(models.Model):
    """One year's estimate. The registry's totals the rates are shared over are kept on it
    (refreshed while it is edited), so an approved estimate's rates never move."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    total_area = models.DecimalField(
        _("total area of premises, m²"), max_digits=14, decimal_places=2, default=0
    )
    premises_count = models.PositiveIntegerField(_("premises"), default=0)
    sotki = models.DecimalField(_("сотки of plots"), max_digits=14, decimal_places=2, default=0)
    members_count = models.PositiveIntegerField(_("members"), default=0)
    approved_hash = models.CharField(
        _("SHA-256 of the approved content"), max_length=64, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rates_from = models.DateField(_("rates from"), null=True, blank=True)
    applied_at = models.DateTimeField(_("tariffs set at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The execution report as published to members through the documents app (ЖК РФ
    #: ст. 143.1 ч. 3); each later publication is a new version of that document.
    report_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Estimate {self.year}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


class Line(models.Model):
    """One line of the estimate: an article, what it is for, the planned amount a year and how
    it is shared among members."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")
    article = models.CharField(_("article"), max_length=20, choices=Article.choices)
    name = models.CharField(_("line"), max_length=200)
    planned = models.DecimalField(_("planned a year, ₽"), max_digits=14, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    basis = models.CharField(_("shared"), max_length=10, choices=Basis.choices, default=Basis.AREA)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_line_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class VersionKind(models.TextChoices):
    PUBLISHED = "published", _("Published for discussion")
    REVISED = "revised", _("Revised")
    PUT_TO_MEETING = "meeting", _("Put to a meeting")
    APPROVED = "approved", _("Approved")


class Version(models.Model):
    """An immutable snapshot of an estimate's content (``content``: the canonical dictionary of
    ``hashing.content``), with who made it and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    estimate = models.ForeignKey(
        Estimate, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("what"), max_length=12, choices=VersionKind.choices)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("estimate version")
        verbose_name_plural = _("estimate versions")
        ordering = ["estimate", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "number"], name="budget_unique_version")
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("A version is never rewritten.")
        super().save(*args, **kwargs)


class DecisionForm(models.TextChoices):
    """How the general meeting was held (ЖК РФ ст. 44.1; 217-ФЗ ст. 17 ч. 21–24, ст. 17.1)."""

    IN_PERSON = "in_person", _("in person")
    ABSENTEE = "absentee", _("absentee")
    MIXED = "mixed", _("in person and absentee")
    ONLINE = "online", _("online (СНТ, 217-ФЗ ст. 17.1)")


class DecisionSource(models.TextChoices):
    PROTOCOL = "protocol", _("entered from the protocol")
    VOTING = "voting", _("the portal's voting")


class Decision(models.Model):
    """The general meeting's decision on an estimate: adopted or not, with its protocol."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    estimate = models.ForeignKey(Estimate, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted = models.BooleanField(_("adopted"))
    decided_on = models.DateField(_("decided on"))
    protocol_number = models.CharField(_("protocol number"), max_length=40, blank=True)
    form = models.CharField(_("form of the meeting"), max_length=12, choices=DecisionForm.choices)
    source = models.CharField(_("source"), max_length=12, choices=DecisionSource.choices)
    #: The voting app's own reference (its question's id), when it recorded the decision.
    reference = models.CharField(max_length=100, blank=True)
    protocol_file = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["-decided_on", "-created_at"]

    def __str__(self) -> str:
        return f"Decision {self.decided_on}"


class Expenditure(models.Model):
    """Money actually spent against a line (posted by the accountant)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="expenditures")
    supplier = models.CharField(_("supplier"), max_length=200)
    document = models.CharField(_("document"), max_length=200, blank=True)
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount, ₽"), max_digits=14, decimal_places=2)
    #: The closed dispatch work order (a request with a supplier and a cost) this posts; a work
    #: order is posted once (one-to-one: a unique constraint in the database).
    work_order = models.OneToOneField(
        "dispatch.Request",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_expenditure_positive")
        ]

    def __str__(self) -> str:
        return f"Expenditure {self.spent_on}"
