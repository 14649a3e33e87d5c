"""Tenant routing without the database: host → association, cached in two layers.

django-tenants' ``TenantMainMiddleware`` reads the ``Domain`` row and its ``Association`` on every
request (the search path set to ``public``, one query, the search path set back: three
statements). ``CachedTenantMiddleware`` answers from

1. the process's memory, for ``LOCAL_TTL`` seconds (5 by default, ``TSZH_ROUTING_LOCAL_TTL``):
   a dictionary lookup;
2. Redis (the ``routing`` cache, keyed by host, not by schema), for ``SHARED_TTL`` seconds
   (300): one round trip, shared by every web process;
3. the database, as before, on a miss of both; the answer then fills both layers.

Invalidation: saving or deleting an ``Association`` or a ``Domain`` (signals, below) deletes the
Redis entries of every host of that association, and of a renamed domain's old host, at once and
again when the transaction commits (so a request that read the old row meanwhile cannot leave it
in Redis), and drops them from this process's memory. Other processes keep their copy until it
is ``LOCAL_TTL`` old. So a suspension, a reactivation, a new, removed or renamed domain takes
effect on every web process within ``LOCAL_TTL`` seconds (5 s), and at once in the process that
made it. ``SHARED_TTL`` only bounds a change made behind the ORM's back (raw SQL, ``update()``
of routing fields: none in this code base) or while Redis could not be reached. Redis down:
requests are routed from the database, as before.

An unknown host is remembered as unknown in process memory only (``LOCAL_TTL``): a new domain
never waits for a Redis entry to expire.

The search path: when the connection is already in the association's schema with its search path
set (the previous request on this connection was for the same association), it is left as it is
instead of being reset and issued again (one ``SET`` per request saved); the backend forgets a
search path on rollback and on close, so a kept one is always the live one.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django_tenants.middleware.main import TenantMainMiddleware

#: Seconds a web process trusts its own copy of a host's association (the bound on how late a
#: suspension or a domain change reaches the other processes).
LOCAL_TTL = float(os.environ.get("TSZH_ROUTING_LOCAL_TTL", "5"))
#: Seconds an entry lives in Redis (changes delete it; this only bounds a change behind the ORM).
SHARED_TTL = 300
CACHE_ALIAS = "routing"
logger = logging.getLogger(__name__)
_UNKNOWN = object()

_local: dict[str, tuple[float, object]] = {}
#: The clock of ``LOCAL_TTL`` (a test moves it).
_clock = time.monotonic
_lock = threading.Lock()


def _shared():
    return caches[CACHE_ALIAS]


def _key(hostname: str) -> str:
    return f"host:{hostname}"


def _shared_get(hostname: str):
    try:
        return _shared().get(_key(hostname))
    except Exception as error:  # Redis down: route from the database, as before
        logger.warning("routing cache unavailable (%s)", type(error).__name__)
        return None


def _shared_set(hostname: str, tenant) -> None:
    try:
        _shared().set(_key(hostname), tenant, SHARED_TTL)
    except Exception as error:
        logger.warning("routing cache unavailable (%s)", type(error).__name__)


def _from_database(hostname: str):
    from associations.models import Domain

    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain is not None else None


def lookup(hostname: str):
    """The association ``hostname`` routes to, or None. A copy: the caller may annotate it."""
    now = _clock()
    found = _local.get(hostname)
    if found is not None and found[0] > now:
        tenant = found[1]
    else:
        tenant = _shared_get(hostname)
        if tenant is None:
            if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
                connection.set_schema_to_public()
            tenant = _from_database(hostname)
            if tenant is not None:
                _shared_set(hostname, tenant)
        with _lock:
            _local[hostname] = (now + LOCAL_TTL, _UNKNOWN if tenant is None else tenant)
    if tenant is None or tenant is _UNKNOWN:
        return None
    return copy.copy(tenant)


def forget(*hostnames: str) -> None:
    """Drop ``hostnames`` from Redis and from this process's memory."""
    names = [name for name in hostnames if name]
    if not names:
        return
    with _lock:
        for name in names:
            _local.pop(name, None)
    try:
        _shared().delete_many([_key(name) for name in names])
    except Exception as error:  # Redis down: its entries expire after SHARED_TTL at the latest
        logger.warning("routing cache not invalidated (%s)", type(error).__name__)


def forget_local() -> None:
    """Empty this process's memory (tests, between two of them)."""
    with _lock:
        _local.clear()


def _forget_now_and_on_commit(hostnames: list[str]) -> None:
    forget(*hostnames)
    transaction.on_commit(lambda: forget(*hostnames))


class CachedTenantMiddleware(TenantMainMiddleware):
    """``TenantMainMiddleware`` with the lookup above; an unknown host still answers 404."""

    def process_request(self, request):
        from django.core.exceptions import DisallowedHost
        from django.http import HttpResponseNotFound

        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        tenant = lookup(hostname)
        if tenant is None:
            connection.set_schema_to_public()
            return self.no_tenant_found(request, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant
        if (
            connection.schema_name == tenant.schema_name
            and connection.include_public_schema
            and connection.search_path_set_schemas
        ):
            connection.tenant = tenant  # the search path in place is this schema's already
        else:
            connection.set_tenant(tenant)
        self.setup_url_routing(request)


# -- invalidation ----------------------------------------------------------------------------------


def _association_changed(sender, instance, **kwargs):
    from associations.models import Domain

    hosts = list(Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True))
    hosts += list(getattr(instance, "_routing_hosts", ()))
    _forget_now_and_on_commit(hosts)


def _association_deleting(sender, instance, **kwargs):
    from associations.models import Domain

    # Read before the rows go: the post_delete handler can no longer find them.
    instance._routing_hosts = list(
        Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True)
    )


def _domain_saving(sender, instance, **kwargs):
    if instance.pk is None:
        instance._routing_old_domain = ""
        return
    instance._routing_old_domain = (
        sender.objects.filter(pk=instance.pk).values_list("domain", flat=True).first() or ""
    )


def _domain_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit([instance.domain, getattr(instance, "_routing_old_domain", "") or ""])


def connect_signals() -> None:
    """Called from ``AssociationsConfig.ready``."""
    from django.db.models.signals import pre_delete

    from associations.models import Association, Domain

    post_save.connect(_association_changed, sender=Association, dispatch_uid="routing-a-save")
    pre_delete.connect(_association_deleting, sender=Association, dispatch_uid="routing-a-pre")
    post_delete.connect(_association_changed, sender=Association, dispatch_uid="routing-a-del")
    pre_save.connect(_domain_saving, sender=Domain, dispatch_uid="routing-d-pre")
    post_save.connect(_domain_changed, sender=Domain, dispatch_uid="routing-d-save")
    post_delete.connect(_domain_changed, sender=Domain, dispatch_uid="routing-d-del")
