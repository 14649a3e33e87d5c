"""What ``core`` and the tenant apps need to know about the associations, without importing the
public schema's apps: the platform registers a provider (``associations`` does, in its
``AppConfig.ready``), and everyone else asks through the functions below.

* ``association_schemas()``: the schemas periodic jobs fan out to (``core.tasks.fan_out``) and
  the key jobs walk (``manage.py rotate_keys``);
* ``association_suspended()``: whether this association is suspended, read afresh (a task's
  tenant object may be older than a suspension);
* ``record_usage()``: store this association's usage figures for the operators.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


class Tenancy(Protocol):
    def schemas(self, *, ready_only: bool, include_suspended: bool) -> list[str]: ...

    def is_suspended(self, schema_name: str) -> bool: ...

    def record_usage(self, schema_name: str, *, users: int) -> None: ...


_provider: Tenancy | None = None


def register(provider: Tenancy) -> None:
    """Install the platform's provider (once, from its ``AppConfig.ready``)."""
    global _provider
    _provider = provider


def provider() -> Tenancy:
    if _provider is None:
        raise ImproperlyConfigured("no tenancy provider registered (is 'associations' installed?)")
    return _provider


def association_schemas(*, ready_only: bool = True, include_suspended: bool = False) -> list[str]:
    """Schemas of the associations: with ``ready_only`` (the default) only those periodic jobs
    run for (active, and suspended ones on request; never one being provisioned, never public);
    without it every association's schema, as the key jobs need."""
    return provider().schemas(ready_only=ready_only, include_suspended=include_suspended)


def association_suspended(schema_name: str | None = None) -> bool:
    """Whether the operators have suspended the association (this connection's by default)."""
    return provider().is_suspended(schema_name or connection.schema_name)


def record_usage(*, users: int, schema_name: str | None = None) -> None:
    """Store the association's usage figures shown to operators (counts only)."""
    provider().record_usage(schema_name or connection.schema_name, users=users)
