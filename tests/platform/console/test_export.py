"""Data export: a bundle of every table with decrypted data, stored encrypted, handed to the
chairman alone; the operator sees only its status."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from console import bundle
from console.models import AssociationExport, ExportChunk, ExportStatus
from core.access.roles import Role
from core.audit.models import AuditEntry
from core.crypto.errors import DecryptionError
from tests.platform.console.conftest import HOLDER_EMAIL, HOLDER_NAME, fill_registry
from tests.platform.console.helpers import make_ready_export

pytestmark = pytest.mark.django_db


def download(client, export) -> bytes:
    response = client.get(f"/export/{export.pk}/download/")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    return b"".join(response.streaming_content)


def table(archive, name) -> dict:
    return json.loads(archive.read(f"tables/{name}.json"))


@pytest.fixture
def chairman_client(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    return client_of(alpha, chairman)


def test_the_bundle_holds_every_table_with_decrypted_personal_data(alpha, chairman_client):
    made = fill_registry(alpha, premises=2)
    export = make_ready_export(alpha)
    assert export.status == ExportStatus.READY

    archive = bundle.read_bundle(download(chairman_client, export))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "tszh-export/1"
    assert manifest["association"]["subdomain"] == "alpha"
    assert manifest["tables"]["residents_premises"]["rows"] == 2
    premises = table(archive, "residents_premises")
    assert sorted(row["number"] for row in premises["rows"]) == ["1", "2"]
    holding = table(archive, "residents_holding")["rows"][0]
    assert holding["full_name"] == HOLDER_NAME
    assert holding["emails"] == [HOLDER_EMAIL]
    users = {row["email"]: row for row in table(archive, "access_user")["rows"]}
    assert made["chairman"].email in users
    assert users[made["chairman"].email]["roles"] == [Role.CHAIRMAN, Role.OWNER]


def test_secrets_that_are_not_the_boards_data_stay_out(alpha, chairman_client):
    fill_registry(alpha)
    archive = bundle.read_bundle(download(chairman_client, make_ready_export(alpha)))
    names = archive.namelist()
    for secret_table in ("access_secondfactor", "django_session", "crypto_wrappeddatakey"):
        assert f"tables/{secret_table}.json" not in names
    user_fields = table(archive, "access_user")["fields"]
    assert "password" not in user_fields and "email_index" not in user_fields
    whole = b"".join(archive.read(name) for name in names).decode()
    assert "md5$" not in whole  # no password hash
    assert '"e1.' not in whole  # no ciphertext token left undecrypted


def test_the_stored_bundle_is_ciphertext(alpha):
    fill_registry(alpha)
    export = make_ready_export(alpha)
    stored = b"".join(bytes(c.data) for c in ExportChunk.objects.filter(export=export))
    assert HOLDER_NAME.encode() not in stored
    assert b"PK\x03\x04" not in stored  # not even the zip's own signature
    assert export.key_ref


def test_a_moved_or_truncated_chunk_does_not_decrypt(alpha):
    fill_registry(alpha)
    export = make_ready_export(alpha)
    connection.set_tenant(alpha)
    from core.crypto import keyring

    key = keyring.key_for_ref(export.key_ref)
    assert b"".join(bundle.decrypted_chunks(export, key, "alpha"))
    with pytest.raises(DecryptionError):
        list(bundle.decrypted_chunks(export, key, "beta"))  # another association's place
    export.chunks_count += 1  # claims a chunk more: the real last one is no longer "last"
    with pytest.raises(DecryptionError):
        list(bundle.decrypted_chunks(export, key, "alpha"))


def test_the_chairman_is_told_by_email(alpha, chairman_client):
    make_ready_export(alpha)
    assert len(mail.outbox) == 1
    assert "/export/" in mail.outbox[0].body
    assert HOLDER_NAME not in mail.outbox[0].body


def test_only_the_chairman_may_download(alpha, beta, client_of, make_user):
    export = make_ready_export(alpha)
    for role in (Role.OWNER, Role.BOARD_MEMBER, Role.ACCOUNTANT, Role.DISPATCHER):
        client = client_of(alpha, make_user(alpha, roles=[role]))
        assert client.get(f"/export/{export.pk}/download/").status_code == 403
    anonymous = client_of(alpha).get(f"/export/{export.pk}/download/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_chairman_needs_the_second_factor(alpha, client_of, make_user):
    export = make_ready_export(alpha)
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman, second_factor_verified=False)
    response = client.get(f"/export/{export.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")


def test_another_associations_chairman_cannot_reach_the_export(alpha, beta, client_of, make_user):
    export = make_ready_export(alpha)
    beta_chairman = client_of(beta, make_user(beta, roles=[Role.CHAIRMAN]))
    assert beta_chairman.get(f"/export/{export.pk}/download/").status_code == 404
    assert beta_chairman.get("/export/").context["exports"] == []


def test_an_expired_export_is_gone(alpha, chairman_client):
    export = make_ready_export(alpha)
    AssociationExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert chairman_client.get(f"/export/{export.pk}/download/").status_code == 404
    assert chairman_client.get("/export/").context["exports"] == []


def test_a_download_is_audited_in_the_association_and_counted_for_operators(alpha, chairman_client):
    export = make_ready_export(alpha)
    download(chairman_client, export)
    connection.set_tenant(alpha)
    assert AuditEntry.objects.filter(action="console.export_downloaded").count() == 1
    export.refresh_from_db()
    assert export.downloads_count == 1 and export.downloaded_at is not None


def test_the_operator_sees_the_status_but_never_the_bundle(console, alpha, client_of):
    fill_registry(alpha)
    export = make_ready_export(alpha)
    connection.set_schema_to_public()
    page = console.get(f"/console/associations/{alpha.pk}/").content.decode()
    status = console.get(f"/console/associations/{alpha.pk}/export/status/").content.decode()
    for html in (page, status):
        assert 'data-export-status="ready"' in html
        assert "/download/" not in html
        assert HOLDER_NAME not in html
    # The operator's session belongs to the public site: on the portal it is nobody.
    operator_on_portal = console
    operator_on_portal.defaults["HTTP_HOST"] = alpha.get_primary_domain().domain
    response = operator_on_portal.get(f"/export/{export.pk}/download/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_requesting_an_export_is_audited_and_queued_once(
    console, operator, alpha, django_capture_on_commit_callbacks
):
    from unittest import mock

    with (
        mock.patch("console.tasks.build_export.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = console.post(f"/console/associations/{alpha.pk}/export/")
        second = console.post(f"/console/associations/{alpha.pk}/export/", follow=True)
    assert first.status_code == 302
    export = AssociationExport.objects.get(association=alpha)
    assert export.status == ExportStatus.PENDING and export.requested_by_id == operator.pk
    delay.assert_called_once_with(str(export.pk))
    assert [str(m) for m in second.context["messages"]]  # "already being prepared"
    entry = AuditEntry.objects.get(action="console.export_requested")
    assert entry.actor_id == operator.pk and entry.details["export"] == str(export.pk)


def test_a_new_export_withdraws_the_previous_one(console, alpha):
    from unittest import mock

    old = make_ready_export(alpha)
    connection.set_schema_to_public()
    with mock.patch("console.tasks.build_export.delay"):
        console.post(f"/console/associations/{alpha.pk}/export/")
    old.refresh_from_db()
    assert old.status == ExportStatus.EXPIRED
    assert not ExportChunk.objects.filter(export=old).exists()


def test_an_export_is_never_built_in_another_associations_schema(alpha, beta):
    export = AssociationExport.objects.create(association=alpha)
    connection.set_tenant(beta)
    from console.services import build_export

    assert build_export(str(export.pk)).status == ExportStatus.FAILED
    assert not ExportChunk.objects.filter(export=export).exists()


def test_an_interrupted_export_does_not_block_the_next_one(console, alpha):
    from unittest import mock

    stuck = AssociationExport.objects.create(
        association=alpha,
        status=ExportStatus.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(hours=2),
    )
    with mock.patch("console.tasks.build_export.delay"):
        console.post(f"/console/associations/{alpha.pk}/export/")
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and stuck.error_code == "interrupted"
    assert AssociationExport.objects.filter(association=alpha, status="pending").count() == 1


def test_expired_bundles_are_purged_but_their_record_stays(alpha):
    from console.tasks import purge_expired_exports

    fresh = make_ready_export(alpha)
    old = make_ready_export(alpha)
    connection.set_schema_to_public()
    AssociationExport.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert purge_expired_exports() == 1
    old.refresh_from_db()
    assert old.status == ExportStatus.EXPIRED
    assert not ExportChunk.objects.filter(export=old).exists()
    assert ExportChunk.objects.filter(export=fresh).exists()
