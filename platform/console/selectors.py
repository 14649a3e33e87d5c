"""Operators' reads: associations, their usage (counts only), exports and the audit log.

Nothing here decrypts a member's data: usage is counted in the association's schema with
``COUNT``/``MAX`` queries that never load an encrypted column.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from associations.models import Association, AssociationStatus
from console.models import AssociationExport, ExportStatus
from core import extensions
from core.access.roles import Role
from core.audit.models import AuditEntry

logger = logging.getLogger(__name__)

#: The plan filter's value for associations without a plan.
NO_PLAN = "__none__"


def console_associations() -> QuerySet[Association]:
    """Every association of the platform, never the public site's own row."""
    return Association.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)


def search_associations(
    *, q: str = "", kind: str = "", status: str = "", plan: str = ""
) -> QuerySet[Association]:
    """Associations matching a search (name, subdomain, ИНН/ОГРН) and filters, by name."""
    queryset = console_associations()
    q = (q or "").strip()
    if q:
        condition = Q(name__icontains=q) | Q(slug__icontains=q.lower())
        digits = q.replace(" ", "")
        if digits.isdigit():
            condition |= Q(inn__startswith=digits) | Q(ogrn__startswith=digits)
        queryset = queryset.filter(condition)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if plan == NO_PLAN:
        queryset = queryset.filter(plan="")
    elif plan:
        queryset = queryset.filter(plan=plan)
    return queryset.order_by("name", "pk")


def plans_in_use() -> list[str]:
    return list(
        console_associations().exclude(plan="").order_by("plan").values_list("plan", flat=True)
    )


def association_for_console(pk: int) -> Association | None:
    return console_associations().filter(pk=pk).first()


# -- usage ----------------------------------------------------------------------


@dataclass(frozen=True)
class AppCount:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Usage:
    """Counts read from the association's schema; None when the schema cannot be read.

    ``counts`` are the figures the tenant apps declare (``TenantCount``), in app order; each is
    also readable by its key (``usage.premises``).
    """

    available: bool
    counts: list[AppCount] = field(default_factory=list)
    members: int | None = None
    members_by_role: list[tuple[str, int]] = field(default_factory=list)
    last_sign_in: datetime.datetime | None = None
    storage_bytes: int | None = None

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        for count in self.__dict__.get("counts", ()):
            if count.key == name:
                return count.value
        if not self.__dict__.get("available", True):
            return None
        raise AttributeError(name)


def storage_bytes(schema_name: str) -> int:
    """Bytes the schema's tables take, indexes and TOAST included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            [schema_name],
        )
        return int(cursor.fetchone()[0])


def association_usage(association: Association) -> Usage:
    """The tenant apps' declared counts (premises, personal accounts...) and the members (users
    holding a role) of the association, with its storage and last sign-in. Never a name or an
    email."""
    schema = association.schema_name
    if association.status == AssociationStatus.PROVISIONING or not schema_exists(schema):
        return Usage(available=False)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    try:
        # A savepoint: a half-built schema must not break the page's transaction.
        with schema_context(schema), transaction.atomic():
            members = User.objects.filter(is_active=True).exclude(roles=[])
            by_role = _members_by_role(User._meta.db_table)
            return Usage(
                available=True,
                counts=[
                    AppCount(count.key, str(count.label), count.count())
                    for count in extensions.tenant_counts()
                ],
                members=members.count(),
                members_by_role=[(label, by_role.get(value, 0)) for value, label in Role.choices],
                last_sign_in=User.objects.aggregate(last=Max("last_login"))["last"],
                storage_bytes=storage_bytes(schema),
            )
    except DatabaseError:
        logger.warning("usage of schema %s could not be read", schema)
        return Usage(available=False)


def _members_by_role(user_table: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        # The table name comes from the model's metadata, never from input.
        cursor.execute(
            f"SELECT role, COUNT(*) FROM {connection.ops.quote_name(user_table)} "  # noqa: S608
            "CROSS JOIN LATERAL unnest(roles) AS role WHERE is_active GROUP BY role"
        )
        return dict(cursor.fetchall())


# -- provisioning log ----------------------------------------------------------------------


def _provisioning_attempts():
    """``associations.ProvisioningAttempt`` (kept by signup/provisioning), or None without it."""
    try:
        return apps.get_model("associations", "ProvisioningAttempt")
    except LookupError:
        return None


def provisioning_log(association: Association) -> list:
    """Provisioning attempts of the association, newest first: its own, and failed ones for the
    same schema that left no association behind (a failure rolls everything back)."""
    model = _provisioning_attempts()
    if model is None:
        return []
    return list(
        model._default_manager.filter(
            Q(association_id=association.pk)
            | Q(association__isnull=True, schema_name=association.schema_name)
        ).order_by("-started_at")[:50]
    )


def recent_provisioning_failures(days: int = 7) -> list:
    """Failed provisioning attempts of the last ``days`` (signups that did not get a portal)."""
    model = _provisioning_attempts()
    if model is None:
        return []
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        model._default_manager.filter(status="failed", started_at__gte=since).order_by(
            "-started_at"
        )[:20]
    )


# -- exports ----------------------------------------------------------------------


def latest_export(association: Association) -> AssociationExport | None:
    return AssociationExport.objects.filter(association_id=association.pk).first()


def exports_for_chairman(association: Association) -> list[AssociationExport]:
    """Exports the chairman can see on the portal: being prepared, or ready and not expired."""
    now = timezone.now()
    return list(
        AssociationExport.objects.filter(association_id=association.pk).filter(
            Q(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING])
            | Q(status=ExportStatus.READY, expires_at__gt=now)
        )
    )


def downloadable_export(association: Association, export_id) -> AssociationExport | None:
    return AssociationExport.objects.filter(
        pk=export_id,
        association_id=association.pk,
        status=ExportStatus.READY,
        expires_at__gt=timezone.now(),
    ).first()


# -- audit log ----------------------------------------------------------------------


def operator_audit_entries(
    *, action: str = "", date_from: datetime.date | None = None, date_to=None
) -> QuerySet[AuditEntry]:
    """The public schema's audit log (operators' actions), newest first, filtered."""
    queryset = AuditEntry.objects.all()
    if action:
        queryset = queryset.filter(action=action)
    if date_from:
        queryset = queryset.filter(at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(at__date__lte=date_to)
    return queryset.order_by("-at")


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def operator_emails(actor_ids) -> dict:
    """Emails of the operators (public schema users) among ``actor_ids``: one query, one wave."""
    from django.contrib.auth import get_user_model

    ids = {actor_id for actor_id in actor_ids if actor_id}
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids, is_staff=True)
    return {user.pk: user.email for user in users}
