"""Invitations: the board asks a person by email to join the portal for given premises.

An invitation is for one premises, as an owner (it links an existing owner record of that
premises to the person's login) or as a resident (acceptance creates a residency). The email is
the person's future login identity, so it is encrypted under the association's key and found by
a keyed blind index (ARCHITECTURE.md, data protection; 152-ФЗ ст. 19: personal data protected).

The link carries a signed token bound to the association's schema (SECRET_KEY and ids are shared
across schemas); the database keeps only the token's SHA-256, so a dump of the table opens
nothing. A resend replaces the token: the old link stops working.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access.roles import Role
from core.crypto.fields import BlindIndexField, EncryptedModel, EncryptedTextField


class InvitationKind(models.TextChoices):
    OWNER = "owner", _("as an owner")
    RESIDENT = "resident", _("as a resident")
    #: Staff roles (board member, accountant, dispatcher): no premises; ``roles`` says which.
    STAFF = "staff", _("to the staff")


class InvitationStatus(models.TextChoices):
    """Stored states. "Pending" past its expiry is shown as expired (see ``effective_status``)."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(EncryptedModel):
    # Empty (NULL) only once the invited owner's personal data was erased (152-ФЗ).
    email = EncryptedTextField(_("email"), null=True)
    email_index = BlindIndexField(source="email", db_index=True, null=True)
    kind = models.CharField(_("invited"), max_length=10, choices=InvitationKind.choices)
    # Owners and residents only; a staff invitation has none.
    premises = models.ForeignKey(
        "residents.Premises",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("premises"),
    )
    # Staff invitations only: the roles acceptance grants (``tenants.staff`` chooses them).
    staff_roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    # Owner invitations only: the owner record the person's login will be linked to.
    owner = models.ForeignKey(
        "residents.Owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("owner record"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    # SHA-256 of the link's token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    send_count = models.PositiveSmallIntegerField(_("letters sent"), default=1)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One live invitation per email: two boards members inviting the same person at the
            # same moment cannot both succeed (the service turns the clash into a message).
            models.UniqueConstraint(
                fields=["email_index"],
                condition=models.Q(status="pending"),
                name="invitations_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="resident", owner__isnull=True)
                | models.Q(kind="owner")
                | models.Q(kind="staff"),
                name="invitations_resident_has_no_owner_record",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="staff", premises__isnull=True, owner__isnull=True)
                    | (~models.Q(kind="staff") & models.Q(premises__isnull=False))
                ),
                name="invitations_premises_unless_staff",
            ),
        ]

    def __str__(self) -> str:
        # Never the email: str() ends up in logs and error reports.
        return f"Invitation {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def effective_status(self) -> str:
        """What the board sees: a pending invitation past its expiry is expired."""
        if self.status == InvitationStatus.PENDING and self.is_expired:
            return InvitationStatus.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return InvitationStatus(self.effective_status).label

    @property
    def is_staff_invitation(self) -> bool:
        return self.kind == InvitationKind.STAFF

    @property
    def granted_roles(self) -> list[str]:
        """The roles acceptance grants."""
        if self.kind == InvitationKind.STAFF:
            return list(self.staff_roles)
        return [Role.OWNER if self.kind == InvitationKind.OWNER else Role.RESIDENT]

    @property
    def role(self) -> str:
        """The role acceptance grants to an owner or a resident."""
        return Role.OWNER if self.kind == InvitationKind.OWNER else Role.RESIDENT

    def get_staff_roles_display(self) -> str:
        return ", ".join(str(Role(role).label) for role in self.staff_roles)
