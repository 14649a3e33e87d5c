"""Writing the audit log."""

from __future__ import annotations

from django.db import transaction

from core.audit.models import AuditEntry


def record(
    action: str,
    *,
    actor=None,
    target=None,
    details: dict | None = None,
) -> AuditEntry:
    """Append an audit entry inside the caller's transaction.

    Must be called inside ``transaction.atomic`` together with the change it records, so both
    commit or neither does. ``details`` must not carry personal data.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run in the same transaction as the change")
    return AuditEntry.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
    )
