"""The user model: one per schema. Members log into their association, operators into public.

The primary key is an app-generated UUID, so encrypted fields can be bound to their row and ids
never repeat across associations. The personal fields (email, name) are encrypted under the
association's key; login finds the user by the email's blind index (a keyed hash).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access.managers import UserManager
from core.access.roles import Role
from core.crypto import keyring
from core.crypto.fields import (
    BlindIndexField,
    EncryptedQuerySet,
    EncryptedTextField,
    with_index_fields,
)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = EncryptedTextField(_("email"))
    email_index = BlindIndexField(source="email", unique=True, null=True)
    full_name = EncryptedTextField(_("full name"), blank=True, default="")
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Public schema only: platform operators (the console).
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def encryption_key_name(self) -> str:
        """Login identities are protected by the association's key (ARCHITECTURE: key table)."""
        return keyring.association_key()

    def save(self, *args, update_fields=None, **kwargs):
        super().save(*args, update_fields=with_index_fields(self, update_fields), **kwargs)

    def __str__(self) -> str:
        # Never the email: str() ends up in logs and error reports.
        return f"User {self.pk}"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""


class SecondFactor(models.Model):
    """A user's TOTP authenticator; its seed is an association secret, under the association key.

    ``last_counter`` is the last time step accepted, so a code cannot be replayed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret = EncryptedTextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=0)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        verbose_name = _("second factor")

    def __str__(self) -> str:
        return f"SecondFactor {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.association_key()
