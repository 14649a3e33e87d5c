"""Personal accounts and their holders.

A holding is one holder's tenure of a personal account. The holder's personal data lives on the
holding, encrypted under the holding's own provider key (``acct-<schema>-<holding id>``): when the
premises changes hands a new holding starts, with a new key, so erasing a former holder destroys
only their key and never touches the current holder's data (ARCHITECTURE.md, data protection).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import keyring
from core.crypto.fields import EncryptedJSONField, EncryptedModel, EncryptedTextField


class PersonalAccount(models.Model):
    """A personal account (лицевой счёт): its number is not personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("account number"), max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal account")
        verbose_name_plural = _("personal accounts")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Holding(EncryptedModel):
    account = models.ForeignKey(PersonalAccount, on_delete=models.PROTECT, related_name="holdings")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    full_name = EncryptedTextField(_("holder's name"), null=True)
    phones = EncryptedJSONField(_("phones"), null=True)
    emails = EncryptedJSONField(_("emails"), null=True)
    documents = EncryptedJSONField(_("documents"), null=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(ended_on__isnull=True),
                name="residents_one_current_holding_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Holding {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.pk)
