"""The hand-over of the chair: the chairman (or the platform's operators, when the chairman is
gone) names a successor, who accepts; until then nothing changes.

Roles themselves live on the login (``core.access.User.roles``); this app only changes them
(``tenants.staff.services``). One hand-over at most is pending at a time (a partial unique
constraint): proposing a new one replaces it, so two hand-overs can never both be accepted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the successor")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the successor")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced by a newer hand-over")


class ChairHandover(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("successor"),
    )
    # The chairman who named the successor; empty when the platform's operators did.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    by_operator = models.BooleanField(_("proposed by the platform's operators"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=HandoverStatus.choices,
        default=HandoverStatus.PENDING,
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over of the chair")
        verbose_name_plural = _("hand-overs of the chair")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="pending"),
                name="staff_one_pending_handover",
            ),
        ]

    def __str__(self) -> str:
        return f"ChairHandover {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == HandoverStatus.PENDING
