"""Notifications: what was said (``Message``), to whom on the portal (``InboxItem``), and the
email outbox (``OutboxMessage``).

* A ``Message`` is written once per notification, whatever the number of recipients: its subject
  and body are encrypted under the association's key, or under the key of the personal account
  holding it concerns (``holding_id``), so erasing that holder shreds it.
* ``InboxItem`` is the person's copy on the portal (the bell): ids and dates only.
* ``OutboxMessage`` is one email to deliver: ids, a state and counters, nothing readable. The
  address is the login's own (encrypted under the association's key, read at delivery), and the
  links (the portal, the one-click unsubscribe) are made at delivery, never stored; so is a
  document attached (a receipt's PDF): the message keeps a reference of ids (``attachment``),
  the kind's hook makes the document from it for each reader when the email is composed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import keyring
from core.crypto.fields import EncryptedModel, EncryptedQuerySet, EncryptedTextField


class Message(EncryptedModel):
    """One notification as written by a feature: kind, subject, body and the page it is about."""

    kind = models.CharField(_("kind"), max_length=100)
    subject = EncryptedTextField(_("subject"))
    body = EncryptedTextField(_("text"), blank=True, default="")
    #: A path on the association's portal (``/requests/…/``), never an absolute link or token.
    path = models.CharField(_("page"), max_length=300, blank=True)
    #: The personal account holding the message is about: its key protects the text.
    holding_id = models.UUIDField(null=True, blank=True, db_index=True)
    #: What the kind's attachment hook makes the email's document from, at delivery: ids only
    #: (``<account>/<month>``), never the document or anything personal.
    attachment = models.CharField(_("attachment"), max_length=200, blank=True, default="")
    actor_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"Message {self.pk}"

    def encryption_key_name(self) -> str:
        if self.holding_id:
            return keyring.holding_key(self.holding_id)
        return keyring.association_key()


class InboxItem(models.Model):
    """A notification on the person's portal page (the bell counts the unread ones)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="inbox_items")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread_idx",
            ),
            models.Index(fields=["user", "-created_at"], name="notifications_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"InboxItem {self.pk}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One email to one person. The state machine makes delivery happen at most once:

    ``pending`` → (claimed under a row lock) ``sending`` → ``sent``; a temporary failure goes
    back to ``pending`` with a later ``next_attempt_at`` until the last attempt, then ``failed``;
    a permanent refusal (an SMTP 5xx) is ``failed`` at once. ``handed_at`` is written just before
    the email is given to the SMTP server: a row left ``sending`` by a worker that died is sent
    by the next run if it was never handed over, and never sent again (``failed``,
    ``interrupted``) if it was, since it may have gone out.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="outbox")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: When this attempt's email was given to the SMTP server (cleared when it goes back to
    #: ``pending``).
    handed_at = models.DateTimeField(null=True, blank=True)
    #: Why the last attempt failed, as a code (``smtp-550``, ``connection``): never a server's
    #: words, which may quote the address.
    error_code = models.CharField(_("error"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="notifications_due_idx",
            ),
            models.Index(fields=["status", "finished_at"], name="notifications_status_idx"),
        ]

    def __str__(self) -> str:
        return f"OutboxMessage {self.pk}"


class Preference(models.Model):
    """A person's choice for one kind of notification (absent: the kind's default)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=100)
    enabled = models.BooleanField(_("send"))
    #: For a kind whose email may carry a document: attach it (True) or send the link only
    #: (False; None: not chosen, the link).
    attach = models.BooleanField(_("attach the document"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notifications_one_preference_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"Preference {self.pk}"
