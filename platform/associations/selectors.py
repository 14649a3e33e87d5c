"""Reads for associations."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from associations.models import Association, AssociationStatus, Domain, ProvisioningAttempt


def ready_associations(include_suspended: bool = False) -> QuerySet[Association]:
    """Associations that periodic jobs run for: active ones (and suspended ones on request),
    never one being provisioned, never the public schema."""
    statuses = [AssociationStatus.ACTIVE]
    if include_suspended:
        statuses.append(AssociationStatus.SUSPENDED)
    return Association.objects.filter(status__in=statuses).exclude(
        schema_name=settings.PUBLIC_SCHEMA_NAME
    )


def subdomain_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def subdomain_taken(slug: str) -> bool:
    """True if ``slug`` (already normalised) is used: by an association, its host or its schema.

    The schema is looked up too, so a schema left without its association (never by our
    provisioning, which is all or nothing) cannot be handed to a newcomer.
    """
    from associations import schemas

    schema_name = Association.schema_name_for(slug)
    return (
        Association.objects.filter(slug=slug).exists()
        or Association.objects.filter(schema_name=schema_name).exists()
        or Domain.objects.filter(domain=subdomain_host(slug)).exists()
        or schemas.schema_exists(schema_name)
    )


def inn_registered(inn: str) -> bool:
    """True if an association with this ИНН exists (whatever its status)."""
    return bool(inn) and Association.objects.filter(inn=inn).exists()


def provisioning_attempts() -> QuerySet[ProvisioningAttempt]:
    """The provisioning log, newest first (for the operators' console)."""
    return ProvisioningAttempt.objects.select_related("association").order_by("-started_at")
