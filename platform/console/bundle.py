"""The export bundle: a zip of JSON per table (plus documents) of one association's schema,
encrypted as it is written, so plaintext never touches a disk.

Layout of the zip::

    manifest.json                 format, association, when, and per table: rows and file
    README.txt                    what the files are
    tables/<db table>.json        {"table", "model", "fields": [...], "rows": [{...}, ...]}
    documents/<db table>/<row id>/<file name>   files of file fields, when there are any

Encrypted values are decrypted (the bundle is the board's own data); values whose key was
destroyed (an erased holder) are exported as null and counted in the manifest. Secrets that are
no data of the board's are left out: password hashes, sessions, second-factor seeds, wrapped data
keys (what each app declares in its ``ExportRules``) and blind indexes.

Encryption: ``EncryptingSink`` cuts the zip stream into 1 MiB chunks and seals each with
AES-256-GCM under a data key of the association's key; the associated data binds a chunk to the
export id, the schema, its index and a "last chunk" flag, so truncation or reordering is detected.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from console.models import AssociationExport, ExportChunk
from core import extensions
from core.crypto.errors import DecryptionError, KeyNotFound
from core.crypto.fields import BlindIndexField, prefetch_keys

FORMAT = "tszh-export/1"
CHUNK_BYTES = 1024 * 1024
NONCE_BYTES = 12
BATCH_ROWS = 500
_AAD_DOMAIN = b"tszh-export\x00"

# What is left out (framework and key tables, secrets that must not leave) is each app's own
# declaration (``ExportRules`` in ``core.extensions``).

README = """TSZh Portal data export ({format})

manifest.json lists every table with its number of rows and its file.
tables/<table>.json holds one table: "fields" names the columns, "rows" the records.
Values of personal data are decrypted. A null in an encrypted column whose holder was erased
(crypto-shredding) cannot be recovered by anyone; the manifest counts such values.
documents/<table>/<row id>/ holds the files attached to a row, when there are any.
"""


# -- encryption -----------------------------------------------------------------------------


def _aad(export_id, schema: str, index: int, last: bool) -> bytes:
    schema_bytes = schema.encode()
    return (
        _AAD_DOMAIN
        + export_id.bytes
        + struct.pack(">H", len(schema_bytes))
        + schema_bytes
        + struct.pack(">I?", index, last)
    )


def seal_chunk(key: bytes, export_id, schema: str, index: int, last: bool, data: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, _aad(export_id, schema, index, last))


def open_chunk(key: bytes, export_id, schema: str, index: int, last: bool, sealed: bytes) -> bytes:
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _aad(export_id, schema, index, last))
    except InvalidTag:
        raise DecryptionError(
            "export chunk does not decrypt (tampered, moved or truncated)"
        ) from None


class EncryptingSink:
    """A write-only stream for ``zipfile``: buffers, seals and stores 1 MiB chunks.

    It has no ``tell``/``seek``, so zipfile writes a streaming zip (data descriptors).
    Call ``finish()`` after closing the zip: it seals the last chunk with the "last" flag.
    """

    def __init__(self, export: AssociationExport, key: bytes, schema: str):
        self.export = export
        self.key = key
        self.schema = schema
        self.buffer = bytearray()
        self.index = 0
        self.size = 0

    def write(self, data) -> int:
        self.buffer += data
        self.size += len(data)
        # Strictly more than a chunk: whatever remains at the end becomes the "last" chunk.
        while len(self.buffer) > CHUNK_BYTES:
            self._emit(bytes(self.buffer[:CHUNK_BYTES]), last=False)
            del self.buffer[:CHUNK_BYTES]
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> int:
        """Seal the remainder as the last chunk; return how many chunks were stored."""
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()
        return self.index

    def _emit(self, data: bytes, *, last: bool) -> None:
        sealed = seal_chunk(self.key, self.export.pk, self.schema, self.index, last, data)
        ExportChunk.objects.create(export=self.export, index=self.index, data=sealed)
        self.index += 1


def decrypted_chunks(export: AssociationExport, key: bytes, schema: str) -> Iterator[bytes]:
    """The bundle's plaintext, chunk by chunk (one query per chunk, so memory stays flat)."""
    for index in range(export.chunks_count):
        sealed = (
            ExportChunk.objects.filter(export_id=export.pk, index=index)
            .values_list("data", flat=True)
            .first()
        )
        if sealed is None:
            raise DecryptionError("export chunk is missing")
        last = index == export.chunks_count - 1
        yield open_chunk(key, export.pk, schema, index, last, bytes(sealed))


# -- the zip ------------------------------------------------------------------------------------


@dataclass
class BundleStats:
    tables: dict[str, dict] = field(default_factory=dict)
    rows: int = 0
    documents: int = 0
    unreadable_values: int = 0


def exported_models() -> list[type[models.Model]]:
    """Models of the association's schema whose rows belong in the bundle, in a stable order."""
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    present = set(_tables_in_schema())
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in tenant_labels or extensions.export_skips_app(meta.app_label):
            continue
        if extensions.export_skips_model(meta.app_label, meta.model_name):
            continue
        if meta.proxy or not meta.managed:
            continue
        if meta.auto_created and any(
            extensions.export_skips_app(f.related_model._meta.app_label)
            for f in meta.fields
            if f.is_relation and f.related_model is not None
        ):
            continue  # e.g. user ↔ auth group / permission links
        if meta.db_table not in present:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.db_table)


def _tables_in_schema() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [connection.schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def _exported_fields(model) -> list[models.Field]:
    skipped = extensions.export_skipped_fields(model._meta.app_label, model._meta.model_name)
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skipped and not isinstance(f, BlindIndexField)
    ]


def _value(instance, model_field, stats: BundleStats, documents: list):
    if getattr(model_field, "encrypted", False):
        try:
            return getattr(instance, model_field.attname)
        except (KeyNotFound, DecryptionError):
            stats.unreadable_values += 1
            return None
    value = getattr(instance, model_field.attname)
    if isinstance(model_field, models.FileField):
        if not value:
            return None
        path = f"documents/{instance._meta.db_table}/{instance.pk}/{value.name.rsplit('/', 1)[-1]}"
        documents.append((path, value))
        return path
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _rows(model) -> Iterator[list]:
    """All rows of ``model`` in primary key order, a batch at a time (keys prefetched per batch)."""
    queryset = model._base_manager.order_by("pk")
    last = None
    has_encrypted = any(getattr(f, "encrypted", False) for f in model._meta.concrete_fields)
    while True:
        batch = list((queryset if last is None else queryset.filter(pk__gt=last))[:BATCH_ROWS])
        if not batch:
            return
        if has_encrypted:
            prefetch_keys(batch)
        yield batch
        last = batch[-1].pk


def _write_table(archive: zipfile.ZipFile, model, stats: BundleStats) -> None:
    meta = model._meta
    fields = _exported_fields(model)
    name = f"tables/{meta.db_table}.json"
    count = 0
    documents: list = []
    with archive.open(name, "w", force_zip64=True) as out:
        head = {"table": meta.db_table, "model": meta.label_lower}
        head["fields"] = [f.attname for f in fields]
        out.write(json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "rows": [')
        for batch in _rows(model):
            for instance in batch:
                row = {f.attname: _value(instance, f, stats, documents) for f in fields}
                prefix = b"\n" if count == 0 else b",\n"
                out.write(
                    prefix + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
                )
                count += 1
        out.write(b"\n]}\n")
    for path, file in documents:
        with file.open("rb") as source, archive.open(path, "w", force_zip64=True) as target:
            for piece in iter(lambda s=source: s.read(CHUNK_BYTES), b""):
                target.write(piece)
        stats.documents += 1
    stats.tables[meta.db_table] = {"model": meta.label_lower, "rows": count, "file": name}
    stats.rows += count


def write_bundle(sink, association) -> BundleStats:
    """Write the zip of the current schema (``association``'s) into ``sink``."""
    stats = BundleStats()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(format=FORMAT))
        for model in exported_models():
            _write_table(archive, model, stats)
        manifest = {
            "format": FORMAT,
            "generated_at": timezone.now(),
            "association": {
                "name": association.name,
                "kind": association.kind,
                "subdomain": association.slug,
                "inn": association.inn,
                "ogrn": association.ogrn,
                "time_zone": association.time_zone,
                "created_at": association.created_at,
            },
            "tables": stats.tables,
            "documents": stats.documents,
            "unreadable_values": stats.unreadable_values,
        }
        archive.writestr(
            "manifest.json",
            json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
    return stats


def read_bundle(data: bytes) -> zipfile.ZipFile:
    """Open a downloaded bundle (tests and tools)."""
    return zipfile.ZipFile(io.BytesIO(data))
