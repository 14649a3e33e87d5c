"""Helpers for the provisioning and signup tests: unique subdomains, valid ИНН/ОГРН, and a
look at everything a provisioning may leave behind."""

from __future__ import annotations

import itertools
import uuid

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from associations import schemas
from associations.models import Association, Domain, ProvisioningAttempt
from associations.services import subdomain_host
from core.crypto.naming import association_key_name
from core.crypto.registry import get_provider

# Real organisations' numbers (ПАО Сбербанк, ООО «Яндекс»): the check digits are genuine.
SBERBANK_INN, SBERBANK_OGRN = "7707083893", "1027700132195"
YANDEX_INN, YANDEX_OGRN = "7736207543", "1027700229193"

_counter = itertools.count(1)


class InjectedFailure(Exception):
    """Raised by a test in the middle of provisioning."""


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def valid_inn() -> str:
    """A fresh 10-digit ИНН with a correct check digit (not a real organisation's)."""
    body = f"99{next(_counter) + uuid.uuid4().int % 10**6:07d}"[:9]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


def valid_ogrn() -> str:
    body = f"10299{uuid.uuid4().int % 10**7:07d}"
    return body + str(int(body) % 11 % 10)


def leftovers(slug: str) -> dict[str, object]:
    """Everything of a provisioning for ``slug`` that exists; ``{}`` means nothing is left."""
    schema_name = Association.schema_name_for(slug)
    found: dict[str, object] = {}
    if Association.objects.filter(slug=slug).exists():
        found["association"] = True
    if Domain.objects.filter(domain=subdomain_host(slug)).exists():
        found["domain"] = True
    if schemas.schema_exists(schema_name):
        found["schema"] = True
        with schema_context(schema_name):
            users = get_user_model().objects.count()
        if users:
            found["users"] = users
    if get_provider().key_exists(association_key_name(schema_name)):
        found["key"] = True
    return found


def last_attempt(slug: str) -> ProvisioningAttempt:
    return ProvisioningAttempt.objects.filter(slug=slug).order_by("-started_at").first()


def remove_committed(slugs) -> None:
    """Undo committed provisionings of a test (schemas, rows, keys, logs); public audit entries
    are append-only for the app, so they go by SQL."""
    from signup.models import HandoverToken, PendingSignup

    connection.set_schema_to_public()
    for slug in slugs:
        schema_name = Association.schema_name_for(slug)
        association = Association.objects.filter(slug=slug).first()
        ProvisioningAttempt.objects.filter(slug=slug).delete()
        HandoverToken.objects.filter(schema_name=schema_name).delete()
        if association is not None:
            PendingSignup.objects.filter(association=association).delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM audit_auditentry WHERE target_type = %s AND target_id = %s",
                    ["associations.association", str(association.pk)],
                )
            association.delete(force_drop=True)
        if schemas.schema_exists(schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {schemas.quote(schema_name)} CASCADE")
        get_provider().destroy_association_keys(schema_name)
