"""Writes for associations: creation (schema, domain) and status changes."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from associations.models import Association, AssociationKind, AssociationStatus, Domain
from core.crypto import keyring
from core.crypto.naming import association_key_name


def subdomain_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@transaction.atomic
def create_association(
    *,
    name: str,
    slug: str,
    kind: str = AssociationKind.TSZH,
    time_zone: str = "Europe/Moscow",
    extra_domains: tuple[str, ...] = (),
) -> Association:
    """Create an association with its schema (migrated) and its subdomain.

    The online signup's fast path (a schema cloned from a template) builds on this later; this
    path migrates the schema and is used by the demo seed and tests.
    """
    association = Association(
        name=name,
        slug=slug,
        kind=kind,
        time_zone=time_zone,
        schema_name=Association.schema_name_for(slug),
        status=AssociationStatus.PROVISIONING,
    )
    association.full_clean()
    association.save(verbosity=0)
    Domain.objects.create(domain=subdomain_host(slug), tenant=association, is_primary=True)
    keyring.create_owner_key(association_key_name(association.schema_name))
    for host in extra_domains:
        Domain.objects.create(domain=host, tenant=association, is_primary=False)
    association.status = AssociationStatus.ACTIVE
    association.save(update_fields=["status"])
    return association


def ensure_public_tenant() -> Association:
    """The public schema's own tenant row and domain (the public site on the base domain)."""
    public, _created = Association.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={
            "name": "TSZh Portal",
            "slug": "public",
            "kind": AssociationKind.OTHER,
            "status": AssociationStatus.ACTIVE,
        },
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )
    return public
