"""The private file store: sealed at rest, images cleaned, limits per purpose, access-checked
download, deletion and erasure reaching the bytes."""

from __future__ import annotations

import io
import os
import stat
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.access.roles import Role
from core.audit.models import AuditEntry
from core.crypto.errors import DecryptionError
from tenants.files import sealing, selectors, services
from tenants.files.models import StoredFile
from tenants.files.purposes import IMAGES, MB, PDF, FilePurpose, register
from tenants.files.storage import private_storage
from tests.tenants.files.images import GPS_IFD, MAKE, jpeg_with_location, png

PHOTO = register(
    FilePurpose("tests.photo", kinds=IMAGES, max_bytes=1 * MB, readers=frozenset({Role.CHAIRMAN}))
)
SCAN = register(
    FilePurpose(
        "tests.scan",
        kinds=frozenset({"pdf"}),
        max_bytes=64 * 1024,
        readers=frozenset({Role.CHAIRMAN}),
        can_read=lambda user, stored: Role.OWNER in (user.roles or ()),
    )
)
PDF_BYTES = b"%PDF-1.4\n" + "Иванов Иван Иванович, паспорт 4510 123456\n".encode() * 40


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def disk_path(stored: StoredFile) -> Path:
    return Path(private_storage().path(stored.storage_name))


def test_bytes_on_disk_are_sealed_and_private(in_alpha, make_user, alpha):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    stored = services.store(upload(PDF_BYTES, "Паспорт Иванова.pdf"), purpose=SCAN, actor=actor)
    raw = disk_path(stored).read_bytes()
    assert raw.startswith(sealing.MAGIC)
    assert b"%PDF" not in raw and "Иванов".encode() not in raw
    assert stat.S_IMODE(os.stat(disk_path(stored)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(disk_path(stored).parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(Path(private_storage().location)).st_mode) == 0o700
    # The name is sealed too, and nothing personal is in the storage name.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM files_storedfile WHERE id = %s", [stored.pk])
        assert "Иванов" not in cursor.fetchone()[0]
    assert "Иванов" not in stored.storage_name
    assert selectors.read_bytes(StoredFile.objects.get(pk=stored.pk)) == PDF_BYTES
    entry = AuditEntry.objects.get(action="files.stored")
    assert entry.details == {"purpose": "tests.scan", "size": len(PDF_BYTES), "type": "pdf"}


def test_sealed_bytes_fail_elsewhere(in_alpha, make_user, alpha):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    first = services.store(upload(PDF_BYTES, "a.pdf"), purpose=SCAN, actor=actor)
    second = services.store(upload(PDF_BYTES, "b.pdf"), purpose=SCAN, actor=actor)
    # The first file's bytes copied over the second's: they do not open as the second.
    disk_path(second).write_bytes(disk_path(first).read_bytes())
    with pytest.raises(DecryptionError):
        selectors.read_bytes(StoredFile.objects.get(pk=second.pk))


def test_chunked_sealing_round_trip_and_truncation():
    place = StoredFile(id=uuid.uuid4()).place()
    key = sealing.new_content_key()
    for size in (0, 1, sealing.CHUNK_BYTES, sealing.CHUNK_BYTES + 1, 3 * sealing.CHUNK_BYTES):
        data = os.urandom(size)
        out = io.BytesIO()
        assert sealing.seal([data[:1000], data[1000:]], key, place, out) == size
        assert b"".join(sealing.open_sealed(io.BytesIO(out.getvalue()), key, place)) == data
        if size > sealing.CHUNK_BYTES:
            # Cut after a whole chunk: the last chunk's flag is missing, so it fails.
            cut = len(sealing.MAGIC) + sealing.NONCE_BYTES + sealing.CHUNK_BYTES + 16
            with pytest.raises(DecryptionError):
                b"".join(sealing.open_sealed(io.BytesIO(out.getvalue()[:cut]), key, place))


def test_images_are_re_encoded_without_exif(in_alpha, make_user, alpha):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    original = jpeg_with_location()
    assert b"SecretCam" in original
    stored = services.store(upload(original), purpose=PHOTO, actor=actor)
    kept = selectors.read_bytes(StoredFile.objects.get(pk=stored.pk))
    assert b"SecretCam" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        exif = image.getexif()
        assert MAKE not in exif and not exif.get_ifd(GPS_IFD)


def test_large_images_are_scaled_down(in_alpha, make_user, alpha):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    small = register(
        FilePurpose("tests.small", kinds=IMAGES, max_bytes=MB, members_read=True, max_side=16)
    )
    stored = services.store(upload(png((64, 32)), "big.png"), purpose=small, actor=actor)
    with Image.open(io.BytesIO(selectors.read_bytes(stored))) as image:
        assert image.size == (16, 8)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"x" * (MB + 1), "big.jpg", "too_large"),
        (PDF_BYTES, "scan.jpg", "wrong_type"),  # a PDF named .jpg: the bytes decide
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "wrong_type"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "fake.png", "image_invalid"),
        (b"", "empty.png", "empty"),
    ],
)
def test_refused_uploads_store_nothing(in_alpha, make_user, alpha, data, name, code):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    before = (
        set(os.listdir(private_storage().location))
        if os.path.isdir(private_storage().location)
        else set()
    )
    with pytest.raises(ValidationError) as refused:
        services.store(upload(data, name), purpose=PHOTO, actor=actor)
    assert refused.value.code == code
    assert not StoredFile.objects.exists()
    after = (
        set(os.listdir(private_storage().location))
        if os.path.isdir(private_storage().location)
        else set()
    )
    assert after == before


def test_download_is_access_checked(in_alpha, make_user, alpha, beta, client_of):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])
    owner = make_user(alpha, roles=[Role.OWNER])
    stored = services.store(upload(PDF_BYTES, "Акт № 5.pdf"), purpose=SCAN, actor=chairman)
    url = reverse("files:download", kwargs={"pk": stored.pk})

    response = client_of(alpha, chairman).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%D0%90%D0%BA%D1%82" in response["Content-Disposition"]  # "Акт", RFC 5987
    assert response["X-Content-Type-Options"] == "nosniff"

    assert client_of(alpha, owner).get(url).status_code == 200  # can_read
    assert client_of(alpha, accountant).get(url).status_code == 404
    assert client_of(alpha).get(url).status_code == 302  # anonymous: to the login page
    connection.set_tenant(beta)
    stranger = make_user(beta, roles=[Role.CHAIRMAN])
    assert client_of(beta, stranger).get(url).status_code == 404


def test_inline_purpose_is_served_inline(in_alpha, make_user, alpha, client_of):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    stored = services.store(upload(png()), purpose=PHOTO, actor=chairman)
    inline = register(
        FilePurpose("tests.inline", kinds=IMAGES, max_bytes=MB, members_read=True, inline=True)
    )
    StoredFile.objects.filter(pk=stored.pk).update(purpose=inline.name)
    response = client_of(alpha, chairman).get(reverse("files:download", kwargs={"pk": stored.pk}))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "image/png"


def test_delete_removes_the_bytes_after_commit(
    in_alpha, make_user, alpha, django_capture_on_commit_callbacks
):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    stored = services.store(upload(PDF_BYTES, "a.pdf"), purpose=SCAN, actor=actor)
    path = disk_path(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(stored, actor=actor)
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert not path.exists()
    assert AuditEntry.objects.filter(action="files.deleted").count() == 1


def test_erasure_deletes_the_holders_files(
    in_alpha, make_user, alpha, django_capture_on_commit_callbacks
):
    from core.extensions import HolderErasure, run_erasure_hooks

    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    holding, other = uuid.uuid4(), uuid.uuid4()
    theirs = services.store(
        upload(PDF_BYTES, "a.pdf"), purpose=SCAN, actor=actor, holding_id=holding
    )
    kept = services.store(upload(PDF_BYTES, "b.pdf"), purpose=SCAN, actor=actor, holding_id=other)
    association_file = services.store(upload(PDF_BYTES, "c.pdf"), purpose=SCAN, actor=actor)
    assert theirs.encryption_key_name().endswith(str(holding))
    assert association_file.encryption_key_name().startswith("assoc-")
    path = disk_path(theirs)
    with django_capture_on_commit_callbacks(execute=True):
        counts = run_erasure_hooks(HolderErasure(holding_id=holding, premises_id=None))
    assert counts["files_deleted"] == 1
    assert not path.exists()
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {kept.pk, association_file.pk}
    assert disk_path(kept).exists()


def test_opening_a_file_decrypts_its_key_in_one_query(in_alpha, make_user, alpha):
    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    stored = services.store(upload(PDF_BYTES, "a.pdf"), purpose=SCAN, actor=actor)
    with CaptureQueriesContext(connection) as queries:
        found, purpose = selectors.file_for_reader(actor, stored.pk)
        assert selectors.read_bytes(found) == PDF_BYTES
    assert purpose is SCAN
    assert len(queries) <= 2
    assert PDF.content_type == found.content_type


def test_sweep_removes_only_old_unnamed_bytes(in_alpha, make_user, alpha):
    import datetime

    actor = make_user(alpha, roles=[Role.CHAIRMAN])
    kept = services.store(upload(PDF_BYTES, "a.pdf"), purpose=SCAN, actor=actor)
    orphan = services.store(upload(PDF_BYTES, "b.pdf"), purpose=SCAN, actor=actor)
    fresh_orphan = services.store(upload(PDF_BYTES, "c.pdf"), purpose=SCAN, actor=actor)
    paths = [disk_path(f) for f in (kept, orphan, fresh_orphan)]
    # Two rows vanish as if their transaction had rolled back; one of them long ago.
    StoredFile.objects.filter(pk__in=[orphan.pk, fresh_orphan.pk]).delete()
    old = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(paths[1], (old, old))
    assert services.sweep_orphans() == 1
    assert [p.exists() for p in paths] == [True, False, True]


def test_the_sweep_is_declared():
    from core.extensions import beat_schedule

    entry = beat_schedule()["sweep-orphan-files"]
    assert entry["args"] == ("tenants.files.tasks.sweep_orphans",)
    assert entry["kwargs"] == {"include_suspended": True}
