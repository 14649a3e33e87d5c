"""The association's profile, kept in its own schema.

The legal details the platform keeps in the public schema (name, kind, ИНН, ОГРН, time zone)
are not here: they are read and changed through ``core.legal_details``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto.fields import EncryptedJSONField, EncryptedModel, EncryptedTextField


class Profile(EncryptedModel):
    """One row: КПП, legal address, contacts and the board as shown to members, the logo.

    Contacts and the board's names are under the association's key (text every member reads,
    and the board's names and phones are personal data).
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    legal_address = EncryptedTextField(_("legal address"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    email = EncryptedTextField(_("email"), null=True, blank=True)
    office_hours = EncryptedTextField(_("office hours"), null=True, blank=True)
    #: The board as members see it: a list of lines ("Председатель правления — Иванов И. И.").
    board = EncryptedJSONField(_("board"), null=True, blank=True)
    logo = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("association profile")

    def __str__(self) -> str:
        return "Profile"


class PaymentRecipient(EncryptedModel):
    """A recipient of members' payments with its bank details (under the association's key).

    Several may exist (the association's current account, a special account for capital
    repairs...); each service will name its recipient. One is the main one.
    """

    title = models.CharField(_("title"), max_length=100)
    recipient_name = EncryptedTextField(_("recipient"))
    account = EncryptedTextField(_("settlement account"))
    bank_name = EncryptedTextField(_("bank"))
    bic = EncryptedTextField(_("БИК"))
    corr_account = EncryptedTextField(_("correspondent account"), null=True, blank=True)
    is_main = models.BooleanField(_("main recipient"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment recipient")
        verbose_name_plural = _("payment recipients")
        ordering = ["-is_main", "title", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=Q(is_main=True), name="profile_one_main_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"PaymentRecipient {self.pk}"


class OperationalSettings(models.Model):
    """The readings window and the payment due day, valid from a date (history is kept: the
    settings in force on a day are the row with the latest ``valid_from`` not after it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    valid_from = models.DateField(_("valid from"), unique=True)
    readings_from_day = models.PositiveSmallIntegerField(_("readings accepted from day"))
    readings_until_day = models.PositiveSmallIntegerField(_("readings accepted until day"))
    #: The day of the following month payments are due, where the association may choose it;
    #: None: the law's day.
    due_day = models.PositiveSmallIntegerField(_("payment due day"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("operational settings")
        verbose_name_plural = _("operational settings")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(readings_from_day__gte=1)
                & Q(readings_from_day__lte=models.F("readings_until_day"))
                & Q(readings_until_day__lte=31),
                name="profile_readings_window_valid",
            ),
            models.CheckConstraint(
                condition=Q(due_day__isnull=True) | (Q(due_day__gte=1) & Q(due_day__lte=31)),
                name="profile_due_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"OperationalSettings {self.valid_from}"
