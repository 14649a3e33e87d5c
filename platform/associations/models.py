"""The tenant model: one Association per PostgreSQL schema, reached through its Domains."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class AssociationKind(models.TextChoices):
    """Legal forms of partnership (ЖК РФ ст. 110, 135; 217-ФЗ)."""

    TSZH = "tszh", _("Homeowners' association (ТСЖ)")
    SNT = "snt", _("Gardening partnership (СНТ)")
    ZHSK = "zhsk", _("Housing cooperative (ЖСК)")
    TSN = "tsn", _("Owners' partnership (ТСН)")
    OTHER = "other", _("Other")


class AssociationStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Being set up")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$",
    _("Use 3 to 40 Latin letters, digits and hyphens, starting with a letter."),
)


class Association(TenantMixin):
    """A housing partnership: its own schema, subdomain, time zone and lifecycle status.

    ``schema_name`` is derived from ``slug`` (hyphens become underscores) and never changes.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AssociationKind.choices)
    slug = models.CharField(_("subdomain"), max_length=40, unique=True, validators=[slug_validator])
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssociationStatus.choices,
        default=AssociationStatus.PROVISIONING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # ИНН (10 digits for an organisation) and ОГРН (13); optional while a partnership registers.
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, db_index=True)
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True)
    plan = models.CharField(_("plan"), max_length=40, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_reason = models.TextField(_("reason for suspension"), blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Usage figures refreshed by a periodic per-association job (tenants.portal.tasks).
    users_count = models.PositiveIntegerField(default=0)
    usage_refreshed_at = models.DateTimeField(null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def schema_name_for(slug: str) -> str:
        return slug.replace("-", "_")

    @property
    def is_ready(self) -> bool:
        """Ready for periodic jobs: set up and not suspended."""
        return self.status == AssociationStatus.ACTIVE


class Domain(DomainMixin):
    """A host name that routes to an association (``<slug>.<base>`` or a custom domain)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
