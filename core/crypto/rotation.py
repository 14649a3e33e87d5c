"""Key rotation for one schema, resumable after a crash, with the portal serving throughout.

Two jobs (Celery queue ``keys``, or ``manage.py rotate_keys``), each under a per-schema advisory
lock so two runs never overlap:

* ``rotate_provider_keys`` (KEK rotation): every provider key the schema uses gets a new
  version, then every wrapped data key is re-wrapped under it (the data keys' plaintext never
  reaches this process: ``rewrap``), then the older versions are retired so a leaked old version
  opens nothing. A re-run skips the keys already rotated by this run and the rows already
  wrapped under the latest version.
* ``reencrypt_rows`` (data key rotation): each owner's active data key is retired, a fresh one is
  made on the next write, and every row still sealed under a retired key is re-encrypted under
  row locks (a member's concurrent edit is never overwritten); retired keys are deleted only once
  no row uses them. A re-run continues with the rows left.

Both write their progress to ``RotationRun`` after every batch; readers keep working because old
and new keys both decrypt until a row has moved.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from core.crypto.errors import KeyNotFound
from core.crypto.fields import EncryptedField, prefetch_keys
from core.crypto.keyring import forget_cached_rows
from core.crypto.models import KeyPurpose, RotationRun, WrappedDataKey
from core.crypto.providers.base import wrapped_version
from core.crypto.registry import get_key_cache, get_provisioning_provider

BATCH = 200
Progress = Callable[[int, int], None]


def _apps_of_this_schema() -> set[str]:
    """App names whose tables exist in the current schema (public: SHARED_APPS)."""
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return set(settings.SHARED_APPS)
    return set(settings.TENANT_APPS)


def encrypted_models() -> Iterator[tuple[type[models.Model], list[EncryptedField]]]:
    """Every model of this schema with encrypted fields, with those fields."""
    present = _apps_of_this_schema()
    for model in apps.get_models():
        if model._meta.app_config.name not in present:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            yield model, fields


@contextlib.contextmanager
def _schema_lock(kind: str):
    """One run of a job per schema at a time (a session lock: batches commit on their own)."""
    name = f"tszh-rotation:{connection.schema_name}:{kind}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])


def _open_run(kind: str) -> RotationRun:
    run = RotationRun.objects.filter(kind=kind, finished_at__isnull=True).first()
    return run or RotationRun.objects.create(kind=kind, state={})


def _finish(run: RotationRun) -> RotationRun:
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at", "done", "total", "state"])
    return run


def rotate_provider_keys(progress: Progress | None = None) -> RotationRun:
    """Rotate every provider key of the current schema, re-wrap its data keys, retire old ones.

    Each step commits as it goes and is idempotent on re-run (rotation recorded per key in the
    run's state, re-wrap skipped for rows at the latest version), so a crash loses nothing.
    """
    with _schema_lock("provider_keys"):
        return _rotate_provider_keys(progress)


def _rotate_provider_keys(progress: Progress | None) -> RotationRun:
    provider = get_provisioning_provider()
    run = _open_run(RotationRun.Kind.PROVIDER_KEYS)
    names = sorted(set(WrappedDataKey.objects.values_list("key_name", flat=True)))
    rotated = set(run.state.get("rotated", []))
    latest: dict[str, int] = {}
    for name in names:
        try:
            if name not in rotated:
                provider.rotate_key(name)
                rotated.add(name)
                run.state["rotated"] = sorted(rotated)
                run.save(update_fields=["state"])
            latest[name] = provider.latest_version(name)
        except KeyNotFound:
            continue  # erased meanwhile: nothing left to protect
    rows = list(WrappedDataKey.objects.order_by("id").values_list("id", "key_name", "wrapped"))
    run.total, run.done = len(rows), 0
    for row_id, name, wrapped in rows:
        if name in latest and wrapped_version(wrapped) < latest[name]:
            try:
                new = provider.rewrap(name, wrapped)
            except KeyNotFound:
                new = None
            if new is not None:
                # Only if the row is unchanged (not deleted by an erasure in the meantime).
                WrappedDataKey.objects.filter(id=row_id, wrapped=wrapped).update(wrapped=new)
        run.done += 1
        if run.done % BATCH == 0:
            run.save(update_fields=["done", "total"])
            if progress:
                progress(run.done, run.total)
    for name, version in latest.items():
        still_old = any(
            wrapped_version(w) < version
            for w in WrappedDataKey.objects.filter(key_name=name).values_list("wrapped", flat=True)
        )
        if not still_old:
            try:
                provider.retire_versions_below(name, version)
            except KeyNotFound:
                continue
    get_key_cache().clear()  # cached entries are keyed by the old wrapped form
    forget_cached_rows()
    if progress:
        progress(run.done, run.total)
    return _finish(run)


def _sealed_under(model, field: EncryptedField, refs: list[str]) -> models.QuerySet:
    column = connection.ops.quote_name(field.column)
    where = " OR ".join([f"{column} LIKE %s"] * len(refs))
    return model._base_manager.extra(  # noqa: S610 - column names come from the model
        where=[where], params=[f"e1.{ref}.%" for ref in refs]
    )


def _pending(model, fields: list[EncryptedField], refs: list[str]) -> models.QuerySet:
    pending = model._base_manager.none()
    for field in fields:
        pending = pending | _sealed_under(model, field, refs)
    return pending


def _retire_active_data_keys(run: RotationRun) -> list[str]:
    """Retire the active data keys once; writers holding one finish first (row lock)."""
    if run.state.get("retired"):
        return run.state["retired"]
    with transaction.atomic():
        active = WrappedDataKey.objects.select_for_update().filter(
            purpose=KeyPurpose.DATA, active=True
        )
        retired = [row_id.hex for row_id in active.values_list("id", flat=True)]
        WrappedDataKey.objects.filter(id__in=[uuid.UUID(hex=r) for r in retired]).update(
            active=False
        )
        run.state["retired"] = retired
        run.save(update_fields=["state"])
    forget_cached_rows()
    return retired


def reencrypt_rows(progress: Progress | None = None) -> RotationRun:
    """Re-encrypt every row of the current schema under fresh data keys (batches commit)."""
    with _schema_lock("data_keys"):
        run = _open_run(RotationRun.Kind.DATA_KEYS)
        refs = _retire_active_data_keys(run)
        work = list(encrypted_models())
        run.total = sum(_pending(m, f, refs).count() for m, f in work) if refs else 0
        run.done = 0
        for model, fields in work:
            while refs:
                with transaction.atomic():
                    ids = list(_pending(model, fields, refs).order_by("pk")[:BATCH].values("pk"))
                    if not ids:
                        break
                    # Re-read under row locks: a member's edit in between is kept, not undone.
                    batch = list(
                        model._base_manager.select_for_update()
                        .filter(pk__in=[row["pk"] for row in ids])
                        .order_by("pk")
                    )
                    prefetch_keys(batch)
                    for instance in batch:
                        _reseal(instance, fields)
                run.done += len(batch)
                run.save(update_fields=["done", "total"])
                if progress:
                    progress(run.done, run.total)
        still_used = {ref for ref in refs for m, f in work if _pending(m, f, [ref]).exists()}
        unused = [uuid.UUID(hex=ref) for ref in refs if ref not in still_used]
        WrappedDataKey.objects.filter(id__in=unused, active=False).delete()
        forget_cached_rows()
        return _finish(run)


def _reseal(instance, fields: list[EncryptedField]) -> None:
    """Open every encrypted value and save it again: pre_save seals under the active key."""
    for field in fields:
        value = getattr(instance, field.attname)  # decrypts
        instance.__dict__[field.attname] = value  # plaintext again → re-sealed on save
    instance.save(update_fields=[field.name for field in fields])
