"""The tenant model: one Association per PostgreSQL schema, reached through its Domains."""

from __future__ import annotations

import functools
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA zones of this system (read once: listing them walks the tzdata files)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
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
        constraints = [
            # One association per registered organisation; an empty ИНН (still registering)
            # is allowed many times. Concurrent signups with the same ИНН: one wins.
            models.UniqueConstraint(
                fields=["inn"], condition=~Q(inn=""), name="association_inn_unique"
            ),
        ]

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


# --- Provisioning: the template schema, its spares, and every attempt -------------------------


class SchemaTemplate(models.Model):
    """The template schema captured once per migration state, replayed to create a schema.

    ``ddl`` is the template's ``pg_dump`` (structure plus the rows migrations put there: migration
    records, content types, permissions) with the schema name replaced by a placeholder, so a new
    schema is one round trip. ``fingerprint`` is the SHA-256 of the template's migration records;
    spares carry the fingerprint they were made from and only current ones are used.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    migrations = models.JSONField(default=list)
    ddl = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("schema template")
        verbose_name_plural = _("schema templates")

    def __str__(self) -> str:
        return f"SchemaTemplate {self.fingerprint[:12]}"


class SpareSchema(models.Model):
    """A schema made from the template ahead of time; a signup renames it (instant)."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("spare schema")
        verbose_name_plural = _("spare schemas")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.schema_name


class ProvisioningStep(models.TextChoices):
    """The steps of provisioning, in order (``associations.services.provision_association``)."""

    TEMPLATE = "template", _("Template schema")
    ASSOCIATION = "association", _("Association record")
    SCHEMA = "schema", _("Schema")
    DOMAIN = "domain", _("Domain")
    KEY = "key", _("Association key")
    CHAIRMAN = "chairman", _("Chairman's account")
    HANDOVER = "handover", _("Hand-over")
    ACTIVATE = "activate", _("Activation")


class ProvisioningPath(models.TextChoices):
    SPARE = "spare", _("Spare schema renamed")
    REPLAY = "replay", _("Template replayed")
    MIGRATE = "migrate", _("Migrations run")


class ProvisioningStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ProvisioningAttempt(models.Model):
    """One try at provisioning an association, kept for the operators (success or failure).

    Written outside the provisioning transaction, so a failure stays visible after everything
    else was rolled back. It holds no personal data: the subdomain, the schema, which step
    failed, the exception's class name (never its message, which may quote values) and timings.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.CharField(_("subdomain"), max_length=40, db_index=True)
    schema_name = models.CharField(_("schema"), max_length=63)
    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provisioning_attempts",
    )
    #: The online signup that asked for it (``signup.PendingSignup``), if any.
    signup_id = models.UUIDField(null=True, blank=True, db_index=True)
    path = models.CharField(_("path"), max_length=10, choices=ProvisioningPath.choices, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProvisioningStatus.choices,
        default=ProvisioningStatus.RUNNING,
        db_index=True,
    )
    failed_step = models.CharField(
        _("failed step"), max_length=12, choices=ProvisioningStep.choices, blank=True
    )
    error_class = models.CharField(_("error"), max_length=200, blank=True)
    #: Milliseconds spent in each step that ran, e.g. ``{"schema": 1.4, "key": 3.0}``.
    step_ms = models.JSONField(default=dict, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("provisioning attempt")
        verbose_name_plural = _("provisioning log")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"ProvisioningAttempt {self.pk} {self.slug} {self.status}"
