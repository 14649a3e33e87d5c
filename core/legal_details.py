"""The association's legal details kept in the public schema (name, kind, ИНН, ОГРН, time zone),
for the tenant apps that show and change them without importing a public-schema app.

The platform registers a provider (``associations`` does, in its ``AppConfig.ready``, as for
``core.tenancy``); the association's profile asks through the functions below. The provider
validates and writes through the platform's own service (the ИНН unique across the platform)
and refuses with ``ValidationError``s naming the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

FIELDS = ("name", "kind", "inn", "ogrn", "time_zone")


@dataclass(frozen=True)
class LegalDetails:
    name: str
    kind: str
    inn: str
    ogrn: str
    time_zone: str


class LegalDetailsProvider(Protocol):
    def read(self, schema_name: str) -> LegalDetails: ...

    def change(self, schema_name: str, details: LegalDetails) -> list[str]:
        """Write the details; return the names of the fields that changed."""
        ...

    def kind_choices(self) -> list[tuple[str, str]]: ...


_provider: LegalDetailsProvider | None = None


def register(provider: LegalDetailsProvider) -> None:
    global _provider
    _provider = provider


def provider() -> LegalDetailsProvider:
    if _provider is None:
        raise ImproperlyConfigured("no legal details provider (is 'associations' installed?)")
    return _provider


def legal_details(schema_name: str | None = None) -> LegalDetails:
    """This association's legal details, read afresh."""
    return provider().read(schema_name or connection.schema_name)


def routed_kind(schema_name: str | None = None) -> str:
    """This association's legal form as the request's routing found it (``connection.tenant``:
    the association row the routing cache keeps, at most its ``LOCAL_TTL``, 5 s, old), else
    read afresh. For pages that show what follows from it (the due-date rule), not for
    changes."""
    schema_name = schema_name or connection.schema_name
    tenant = getattr(connection, "tenant", None)
    kind = getattr(tenant, "kind", None)
    if kind and getattr(tenant, "schema_name", None) == schema_name:
        return kind
    return legal_details(schema_name).kind


def change_legal_details(details: LegalDetails, schema_name: str | None = None) -> list[str]:
    """Change this association's legal details (in the caller's transaction); the names of the
    fields changed. Refusals are ``ValidationError``s by field."""
    return provider().change(schema_name or connection.schema_name, details)


def kind_choices() -> list[tuple[str, str]]:
    """The legal forms an association can have (value, label)."""
    return provider().kind_choices()
