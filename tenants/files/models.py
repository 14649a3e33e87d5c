"""Private files: one row per stored file, its bytes sealed in the private storage."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import keyring
from core.crypto.envelope import AssociatedData
from core.crypto.fields import EncryptedModel, EncryptedTextField


class StoredFile(EncryptedModel):
    """A file of some app (its ``purpose``).

    The original name and the content key are sealed under the key of whom the file concerns:
    the personal account holding's key when ``holding_id`` is set, else the association's.
    The bytes live in the private storage under ``storage_name`` (no personal data in it).
    """

    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    #: The personal account holding the file concerns (its holder's data), if any.
    holding_id = models.UUIDField(null=True, blank=True, db_index=True)
    name = EncryptedTextField(_("file name"))
    content_key = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return f"StoredFile {self.pk}"

    def encryption_key_name(self) -> str:
        if self.holding_id:
            return keyring.holding_key(self.holding_id)
        return keyring.association_key()

    def place(self) -> AssociatedData:
        """Where the file's sealed bytes belong: its association, table and row."""
        return AssociatedData(
            association=connection.schema_name,
            table=self._meta.db_table,
            row=self.pk,
            field="content",
        )
