"""Key rotation for one association's schema, resumable after a crash, portal serving throughout.

Two jobs:

* ``rotate_provider_keys`` (KEK rotation): every provider key the schema uses gets a new
  version, then every wrapped data key is re-wrapped under it. Data is not touched; the data
  keys' plaintext never reaches this process (``rewrap``). A re-run skips the keys already
  rotated by this run and the rows already wrapped under the latest version.
* ``reencrypt_rows`` (data key rotation): each owner's active data key is retired, a fresh one is
  made on first write, and every row still sealed under a retired key is re-encrypted; retired key
  rows nobody references any more are then deleted. A re-run continues with the rows left.

Both write their progress to ``RotationRun`` after every batch; readers keep working because old
and new keys both decrypt until a row has moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from core.crypto.fields import EncryptedField, prefetch_keys
from core.crypto.keyring import forget_cached_rows
from core.crypto.models import KeyPurpose, RotationRun, WrappedDataKey
from core.crypto.providers.base import wrapped_version
from core.crypto.registry import get_key_cache, get_provider

BATCH = 200
Progress = Callable[[int, int], None]


def encrypted_models() -> Iterator[tuple[type[models.Model], list[EncryptedField]]]:
    """Every installed model with encrypted fields, with those fields."""
    for model in apps.get_models():
        fields = [f for f in model._meta.fields if isinstance(f, EncryptedField)]
        if fields and not model._meta.abstract:
            yield model, fields


def _open_run(kind: str) -> RotationRun:
    run = RotationRun.objects.filter(kind=kind, finished_at__isnull=True).first()
    return run or RotationRun.objects.create(kind=kind, state={})


def _finish(run: RotationRun) -> RotationRun:
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at", "done", "total", "state"])
    return run


def rotate_provider_keys(progress: Progress | None = None) -> RotationRun:
    """Rotate every provider key of the current schema and re-wrap its data keys."""
    provider = get_provider()
    run = _open_run(RotationRun.Kind.PROVIDER_KEYS)
    names = sorted(set(WrappedDataKey.objects.values_list("key_name", flat=True)))
    rotated = set(run.state.get("rotated", []))
    for name in names:
        if name not in rotated:
            provider.rotate_key(name)
            rotated.add(name)
            run.state["rotated"] = sorted(rotated)
            run.save(update_fields=["state"])
    latest = {name: provider.latest_version(name) for name in names}
    rows = list(WrappedDataKey.objects.order_by("id"))
    run.total = len(rows)
    run.done = 0
    for row in rows:
        if wrapped_version(row.wrapped) < latest[row.key_name]:
            row.wrapped = provider.rewrap(row.key_name, row.wrapped)
            row.save(update_fields=["wrapped"])
        run.done += 1
        if run.done % BATCH == 0:
            run.save(update_fields=["done", "total"])
            if progress:
                progress(run.done, run.total)
    get_key_cache().clear()  # cached entries are keyed by the old wrapped form
    forget_cached_rows()
    if progress:
        progress(run.done, run.total)
    return _finish(run)


def _sealed_under(model, field: EncryptedField, refs: list[str]) -> models.QuerySet:
    column = field.column
    where = " OR ".join([f'"{column}" LIKE %s'] * len(refs))
    return model.objects.extra(where=[where], params=[f"e1.{ref}.%" for ref in refs])  # noqa: S610


def reencrypt_rows(progress: Progress | None = None) -> RotationRun:
    """Re-encrypt every row of the current schema under fresh data keys."""
    run = _open_run(RotationRun.Kind.DATA_KEYS)
    if not run.state.get("retired"):
        with transaction.atomic():
            retired = list(
                WrappedDataKey.objects.filter(purpose=KeyPurpose.DATA, active=True).values_list(
                    "id", flat=True
                )
            )
            WrappedDataKey.objects.filter(id__in=retired).update(active=False)
            run.state["retired"] = [ref.hex for ref in retired]
            run.save(update_fields=["state"])
    refs = run.state["retired"]
    work = [(model, field) for model, fields in encrypted_models() for field in fields]
    run.total = sum(_sealed_under(m, f, refs).count() for m, f in work) if refs else 0
    run.done = 0
    for model, fields in encrypted_models():
        if not refs:
            break
        while True:
            pending = model.objects.none()
            for field in fields:
                pending = pending | _sealed_under(model, field, refs)
            batch = list(pending.order_by("pk")[:BATCH])
            if not batch:
                break
            prefetch_keys(batch)
            with transaction.atomic():
                for instance in batch:
                    _reseal(instance, fields)
            run.done += len(batch)
            run.save(update_fields=["done", "total"])
            if progress:
                progress(run.done, run.total)
    WrappedDataKey.objects.filter(id__in=[_uuid(r) for r in refs], active=False).delete()
    forget_cached_rows()
    return _finish(run)


def _reseal(instance, fields: list[EncryptedField]) -> None:
    """Open every encrypted value and save it again: pre_save seals under the active key."""
    for field in fields:
        value = getattr(instance, field.attname)  # decrypts
        instance.__dict__[field.attname] = value  # plaintext again → re-sealed on save
    instance.save(update_fields=[field.name for field in fields])


def _uuid(ref: str):
    import uuid

    return uuid.UUID(hex=ref)
