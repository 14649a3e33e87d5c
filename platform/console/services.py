"""Operators' writes: suspend, reactivate, export and delete an association.

Every operator action is audited in the public schema, in the same transaction as the change
(``core.audit.services.record``). Audit details carry ids, the subdomain (not personal data) and
codes; never a name of a person, and not the free-text reason of a suspension either (it stays
on the association while it is suspended).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from associations.models import Association, AssociationStatus, Domain
from console import tasks
from console.models import EXPORT_IN_PROGRESS, AssociationExport, ExportChunk, ExportStatus
from core import extensions, relay
from core.audit.services import record
from core.crypto import keyring
from core.crypto.models import WrappedDataKey
from core.crypto.naming import account_key_prefix, association_key_name
from core.crypto.registry import get_key_cache

logger = logging.getLogger(__name__)

#: How long a finished export stays available to the chairman.
EXPORT_AVAILABLE_FOR = datetime.timedelta(days=7)
#: An export still queued or running after this long was interrupted (a worker died, say).
EXPORT_STALE_AFTER = datetime.timedelta(hours=1)
REASON_MAX_LENGTH = 500


def _locked(association: Association) -> Association:
    """The association's row, locked for the rest of the transaction; never the public one."""
    locked = Association.objects.select_for_update().get(pk=association.pk)
    if locked.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValidationError(_("The platform's own site cannot be changed here."))
    return locked


def suspend_association(association: Association, *, reason: str, actor) -> Association:
    """Suspend an active association: its members can sign in and read, and change nothing.

    ``reason`` is required; members see it on every page of their portal.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: members will see it on every page.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(limit)s characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        locked = _locked(association)
        if locked.status != AssociationStatus.ACTIVE:
            raise ValidationError(_("Only an active association can be suspended."))
        locked.status = AssociationStatus.SUSPENDED
        locked.suspended_at = timezone.now()
        locked.suspended_reason = reason
        locked.save(update_fields=["status", "suspended_at", "suspended_reason"])
        record(
            "console.association_suspended",
            actor=actor,
            target=locked,
            details={"slug": locked.slug, "reason_length": len(reason)},
        )
    return locked


def reactivate_association(association: Association, *, actor) -> Association:
    """Lift a suspension: the portal works fully again and the banner disappears."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        locked = _locked(association)
        if locked.status != AssociationStatus.SUSPENDED:
            raise ValidationError(_("Only a suspended association can be reactivated."))
        suspended_for = timezone.now() - locked.suspended_at if locked.suspended_at else None
        locked.status = AssociationStatus.ACTIVE
        locked.suspended_at = None
        locked.suspended_reason = ""
        locked.save(update_fields=["status", "suspended_at", "suspended_reason"])
        details = {"slug": locked.slug}
        if suspended_for is not None:
            details["suspended_seconds"] = int(suspended_for.total_seconds())
        record("console.association_reactivated", actor=actor, target=locked, details=details)
    return locked


# -- the chair of an association whose chairman is gone -------------------------------------------

#: The hook ``tenants.staff`` declares (``core.extensions.operator_hook``).
PROPOSE_CHAIR_SUCCESSOR = "staff.propose_chair_successor"


def name_chair_successor(association: Association, *, email: str, actor) -> str:
    """Name the successor of a chairman who is gone, by the login email the association gave
    the operators (matched in its schema through the blind index; no member is listed or
    shown). The successor accepts on the portal; until then nothing changes. Returns the
    hand-over's id.

    The association's change commits in its schema (so the successor's notice is queued
    there); the public audit entry follows in its own transaction. A refusal changes nothing.
    """
    email = (email or "").strip()
    if not email:
        raise ValidationError(
            {"email": _("Type the successor's login email as the association gave it to you.")}
        )
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        current = Association.objects.get(pk=association.pk)
    if current.schema_name == settings.PUBLIC_SCHEMA_NAME or current.status not in (
        AssociationStatus.ACTIVE,
        AssociationStatus.SUSPENDED,
    ):
        raise ValidationError(
            _("Only an active or suspended association has a chair to hand over.")
        )
    propose = extensions.operator_hook(PROPOSE_CHAIR_SUCCESSOR)
    with schema_context(current.schema_name), transaction.atomic():
        handover_id = propose(email=email)
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        record(
            "console.chair_successor_named",
            actor=actor,
            target=current,
            details={"slug": current.slug, "handover": handover_id},
        )
    return handover_id


# -- export ---------------------------------------------------------------------------------------


def request_export(association: Association, *, actor) -> AssociationExport:
    """Queue a data export of ``association`` (built by a Celery task in its schema).

    Earlier finished exports of the association are withdrawn (their chunks deleted), so at most
    one copy of the board's data waits on the platform.
    """
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        locked = Association.objects.select_for_update().get(pk=association.pk)
        if locked.schema_name == settings.PUBLIC_SCHEMA_NAME or locked.status not in (
            AssociationStatus.ACTIVE,
            AssociationStatus.SUSPENDED,
        ):
            raise ValidationError(_("Only an active or suspended association can be exported."))
        # An export stuck for long was interrupted: give up on it rather than block the next.
        # If its task runs after all, it finds the export no longer in progress and stops.
        locked.exports.filter(
            status__in=EXPORT_IN_PROGRESS, requested_at__lt=timezone.now() - EXPORT_STALE_AFTER
        ).update(status=ExportStatus.FAILED, finished_at=timezone.now(), error_code="interrupted")
        if locked.exports.filter(status__in=EXPORT_IN_PROGRESS).exists():
            raise ValidationError(_("An export of this association is already being prepared."))
        withdrawn = list(
            locked.exports.filter(status=ExportStatus.READY).values_list("pk", flat=True)
        )
        ExportChunk.objects.filter(export_id__in=withdrawn).delete()
        AssociationExport.objects.filter(pk__in=withdrawn).update(
            status=ExportStatus.EXPIRED, key_ref=""
        )
        export = AssociationExport.objects.create(
            association=locked, requested_by_id=getattr(actor, "pk", None)
        )
        record(
            "console.export_requested",
            actor=actor,
            target=locked,
            details={"slug": locked.slug, "export": str(export.pk), "withdrawn": len(withdrawn)},
        )
        schema, export_id = locked.schema_name, str(export.pk)

        def enqueue():
            # The task carries the association's schema (tenant_schemas_celery) and runs there.
            # Redis down: kept for the relay (core.relay), sent from the same schema.
            with schema_context(schema):
                relay.send(tasks.build_export, export_id)

        transaction.on_commit(enqueue)
    return export


def build_export(export_id: str) -> AssociationExport:
    """Build and store the encrypted bundle; runs inside the association's schema (the task).

    All or nothing: the chunks and the READY status commit together; on failure the export is
    marked FAILED with a code, and no chunk stays behind.
    """
    from console import bundle
    from core.crypto import keyring

    export = AssociationExport.objects.select_related("association").get(pk=export_id)
    association = export.association
    if association.schema_name != connection.schema_name:
        # A task must never export one association from another's schema.
        _fail(export, "wrong_schema")
        export.refresh_from_db()
        return export
    if export.status not in EXPORT_IN_PROGRESS:
        return export  # delivered twice (acks_late): already done
    AssociationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            # The row stays locked while building: a second delivery of the task skips it, and
            # an export given up as interrupted meanwhile (no longer RUNNING) is left alone.
            building = (
                AssociationExport.objects.select_for_update(skip_locked=True)
                .filter(pk=export.pk, status=ExportStatus.RUNNING)
                .first()
            )
            if building is None:
                export.refresh_from_db()
                return export
            ExportChunk.objects.filter(export=export).delete()  # a previous, interrupted attempt
            key_ref, key = keyring.writing_key(keyring.association_key())
            sink = bundle.EncryptingSink(export, key, association.schema_name)
            stats = bundle.write_bundle(sink, association)
            chunks = sink.finish()
            now = timezone.now()
            AssociationExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.READY,
                finished_at=now,
                expires_at=now + EXPORT_AVAILABLE_FOR,
                key_ref=key_ref,
                size_bytes=sink.size,
                chunks_count=chunks,
                tables_count=len(stats.tables),
                rows_count=stats.rows,
                documents_count=stats.documents,
                error_code="",
            )
    except Exception as exc:
        from core.crypto.errors import ProviderUnavailable

        code = "key_store_unavailable" if isinstance(exc, ProviderUnavailable) else "internal_error"
        logger.exception("export %s failed (%s)", export.pk, code)
        _fail(export, code)
        raise
    try:
        notify_chairmen(export.pk)
    except Exception:  # the export is ready all the same; the page shows it
        logger.exception("export %s: the chairmen could not be notified", export.pk)
    export.refresh_from_db()
    return export


def _fail(export: AssociationExport, code: str) -> None:
    AssociationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, finished_at=timezone.now(), error_code=code
    )


def export_page_url(association: Association) -> str:
    """Absolute address of the chairman's export page on the association's portal."""
    host = association.get_primary_domain().domain
    if settings.PRODUCTION:
        return f"https://{host}/export/"
    import os

    port = os.environ.get("TSZH_PORT")
    return f"http://{host}{':' + port if port else ''}/export/"


def notify_chairmen(export_id) -> int:
    """Tell the association's chairmen that their export is ready (runs in its schema)."""
    from django.contrib.auth import get_user_model

    from core.access.roles import EXPORT_RECEIVERS

    export = AssociationExport.objects.select_related("association").get(pk=export_id)
    chairmen = get_user_model().objects.filter(
        is_active=True, roles__overlap=sorted(EXPORT_RECEIVERS)
    )
    sent = 0
    for user in chairmen:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {"export": export, "url": export_page_url(export.association)}
            subject = _("Your association's data export is ready")
            body = render_to_string("console/email/export_ready.txt", context)
        sent += send_mail(subject, body, None, [user.email])
    return sent


def purge_expired_exports() -> int:
    """Delete the bundles of exports past their availability (all associations; runs in public).

    The rows stay, marked expired, so operators still see that an export was made.
    """
    expired = list(
        AssociationExport.objects.filter(
            status=ExportStatus.READY, expires_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        ExportChunk.objects.filter(export_id__in=expired).delete()
        AssociationExport.objects.filter(pk__in=expired).update(
            status=ExportStatus.EXPIRED, key_ref=""
        )
    return len(expired)


def record_download(export: AssociationExport, *, actor) -> None:
    """Note a download by the chairman: in the association's own audit log, and for operators
    the time and count on the export (no name)."""
    AssociationExport.objects.filter(pk=export.pk).update(
        downloaded_at=timezone.now(), downloads_count=F("downloads_count") + 1
    )
    record("console.export_downloaded", actor=actor, target=export)


# -- delete ----------------------------------------------------------------------------------------


def delete_association(association: Association, *, confirmation: str, actor) -> dict:
    """Delete a suspended association for good: schema dropped, domains removed, keys destroyed.

    ``confirmation`` must be the association's subdomain, typed by the operator. The audit
    entry (association id, subdomain, schema, counts) stays in the public schema.

    Order, all in one transaction: the audit entry, the domains, the row and its schema, and
    the request to destroy its keys (``KeyDestruction`` in public). The key job destroys them
    after the commit under the provisioning credential, retrying until the provider confirms;
    the web's credential never deletes keys. Until then the subdomain cannot be signed up again.
    """
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        locked = _locked(association)
        if (confirmation or "").strip() != locked.slug:
            raise ValidationError(
                {"confirmation": _("Type the subdomain exactly as shown to confirm.")}
            )
        if locked.status != AssociationStatus.SUSPENDED:
            raise ValidationError(_("Suspend the association before deleting it."))
        schema, pk, slug = locked.schema_name, locked.pk, locked.slug
        with schema_context(schema):
            key_count = WrappedDataKey.objects.values("key_name").distinct().count()
        domains = list(Domain.objects.filter(tenant=locked).values_list("domain", flat=True))
        record(
            "console.association_deleted",
            actor=actor,
            target=locked,
            details={
                "association_id": pk,
                "slug": slug,
                "schema": schema,
                "kind": locked.kind,
                "domains": len(domains),
                "keys": key_count,
            },
        )
        Domain.objects.filter(tenant=locked).delete()
        locked.delete(force_drop=True)  # drops the schema (CASCADE) and the row (exports too)
        # Recorded in public with the deletion; the key job (provisioning credential) destroys
        # the keys after the commit and retries until the provider confirms.
        keyring.request_key_destruction(association_key_name(schema))
        keyring.request_key_destruction(account_key_prefix(schema), prefix=True)
        get_key_cache().clear()  # rare: simpler than finding every key of the schema
        keyring.forget_cached_rows(association_key_name(schema))
        keyring.forget_cached_rows(account_key_prefix(schema))
    return {"association_id": pk, "slug": slug, "schema": schema, "keys": key_count}
