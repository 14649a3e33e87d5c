"""Signups waiting for their email confirmation, and the one-time hand-over to a new portal.

Both live in the public schema. Neither holds personal data in a readable form:

* ``PendingSignup.sealed`` is the form's content (the association's details, the chairman's name,
  email and password hash) encrypted with a key derived from the secret in the confirmation
  link. The secret is sent only by email and stored only as a hash, so the database (and every
  backup of it) cannot open a pending signup: only the person holding the link can.
* ``HandoverToken`` stores a SHA-256 of the token, the schema and the user id it opens.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the email confirmation")
    PROVISIONED = "provisioned", _("Portal created")


class PendingSignup(models.Model):
    """A signup form sent and waiting for the link in its email to be followed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    #: SHA-256 of the link's secret (hex): finds nothing without the link.
    secret_hash = models.CharField(max_length=64)
    #: base64(nonce + AES-256-GCM ciphertext) of the form's JSON, under a key from the secret.
    #: Emptied once the portal is created.
    sealed = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SignupStatus.choices, default=SignupStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    provisioned_at = models.DateTimeField(_("portal created"), null=True, blank=True)
    association = models.ForeignKey(
        "associations.Association",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pending signup")
        verbose_name_plural = _("pending signups")

    def __str__(self) -> str:
        return f"PendingSignup {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class HandoverToken(models.Model):
    """A one-time, short-lived sign-in to a new portal, bound to its schema and user.

    Cookies are host-only, so the session made on the public site cannot follow the chairman to
    the new subdomain: this token carries them over once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    schema_name = models.CharField(max_length=63)
    user_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over token")
        verbose_name_plural = _("hand-over tokens")

    def __str__(self) -> str:
        return f"HandoverToken {self.pk}"
