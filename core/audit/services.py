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


def record_many(entries, *, actor=None, batch_size: int = 1000) -> int:
    """Append many entries at once, each as ``record`` writes one (for bulk writes, an import).

    ``entries`` yields ``(action, target, details)``; all have the same ``actor``. The same rule
    as ``record``: inside the transaction of the changes they record. Returns how many.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must run in the same transaction as the changes")
    actor_id = getattr(actor, "pk", None)
    rows = [
        AuditEntry(
            action=action,
            actor_id=actor_id,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            details=details or {},
        )
        for action, target, details in entries
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
