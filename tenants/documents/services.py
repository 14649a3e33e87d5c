"""Writing documents and news. Every change is audited in its transaction; refusals are
``ValidationError``s naming the field (``core.ui.refusals`` shows them beside it, the API
answers 400).

* Everything typed is checked **before** a file is stored: a refusal leaves nothing behind,
  neither a row nor bytes. The file store's own refusals (too large, a type not accepted, empty)
  come before it writes anything.
* A new version never overwrites: it is version n + 1 of the document, and ``current`` moves to
  it (the document's row is locked, so two uploads at once get 2 and 3, never 2 twice).
* An emergency notice is sent at once to every login of the association through
  ``tenants.notifications`` under a kind nobody may switch off (``notifications.emergency``),
  in the transaction that publishes it. Every change of the news gives the cached banner of
  emergency notices a new stamp (``core.stamped``), at once and when the transaction commits.
* Ordinary news goes out in a weekly digest to those who asked for it (``send_news_digest``).
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.documents import selectors
from tenants.documents.models import (
    DigestRun,
    Document,
    DocumentRead,
    DocumentVersion,
    News,
    NewsKind,
)
from tenants.documents.purposes import DOCUMENT_FILE
from tenants.documents.sections import ReaderGroup, Section
from tenants.files import services as files
from tenants.notifications import services as notifications

#: The notification kinds (``declaration.py``). Emergencies use the platform's kind that nobody
#: may switch off; the digest is one people ask for.
EMERGENCY = "notifications.emergency"
NEWS_DIGEST = "documents.news_digest"
#: How often the digest goes out (the periodic job runs daily and sends when it is due).
DIGEST_EVERY = datetime.timedelta(days=7)
#: The most news items one digest lists.
DIGEST_MAX_ITEMS = 30


def _require_board(actor) -> None:
    if not selectors.keeps_documents(actor):
        raise PermissionDenied


def _clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    # Control characters have no place in a title or a notice (they break emails and PDFs).
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    if required and not text:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {field: _("At most %(count)d characters.") % {"count": max_length}}, code="too_long"
        )
    return text


def _section(value) -> str:
    if value not in Section.values:
        raise ValidationError({"section": _("Choose a section from the list.")}, code="invalid")
    return value


def _readers(value) -> str:
    if value not in ReaderGroup.values:
        raise ValidationError(
            {"readers": _("There is no such group of readers. Choose one from the list.")},
            code="invalid",
        )
    return value


def _store(upload, *, actor, field: str = "file"):
    if upload is None:
        raise ValidationError({field: _("Choose a file.")}, code="required")
    try:
        return files.store(upload, purpose=DOCUMENT_FILE, actor=actor)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({field: error.messages}, code=error.code) from None


# -- documents ----------------------------------------------------------------------------------


def publish_document(
    *,
    actor,
    section: str,
    title: str,
    readers: str,
    upload,
    description: str = "",
    dated: datetime.date | None = None,
    note: str = "",
) -> Document:
    """A new document with its first version (the board)."""
    _require_board(actor)
    values = {
        "section": _section(section),
        "title": _clean_text(title, field="title", max_length=300),
        "readers": _readers(readers),
        "description": _clean_text(
            description, field="description", max_length=2000, required=False
        ),
        "dated": dated,
    }
    note = _clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        stored = _store(upload, actor=actor)
        now = timezone.now()
        document = Document.objects.create(
            **values, created_by=actor, created_at=now, updated_at=now
        )
        version = DocumentVersion.objects.create(
            document=document, number=1, file=stored, note=note, created_by=actor, created_at=now
        )
        document.current = version
        document.save(update_fields=["current"])
        audit.record(
            "documents.published",
            actor=actor,
            target=document,
            details={"section": document.section, "readers": document.readers, "version": 1},
        )
    return document


def publish_generated_document(
    *,
    actor,
    section: str,
    title: str,
    readers: str,
    content: bytes,
    filename: str,
    description: str = "",
    dated: datetime.date | None = None,
    note: str = "",
) -> Document:
    """A document another app generated (a meeting's protocol, a report) published by the board
    member ``actor``: the bytes go through the same checks as an upload (a PDF, an image or an
    office file, within the size limit) and the document is made exactly as ``publish_document``
    makes it (first version, audited ``documents.published``). The service other apps call to
    publish what they make (declared in ``docs/documents.md``); they keep the returned
    document's id, never write the documents' tables themselves."""
    from django.core.files.base import ContentFile

    return publish_document(
        actor=actor,
        section=section,
        title=title,
        readers=readers,
        upload=ContentFile(content, name=filename),
        description=description,
        dated=dated,
        note=note,
    )


def add_version(*, actor, document: Document, upload, note: str = "") -> DocumentVersion:
    """A new version of ``document``: the last one stays in the history, untouched."""
    _require_board(actor)
    note = _clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        stored = _store(upload, actor=actor)
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        now = timezone.now()
        version = DocumentVersion.objects.create(
            document=locked, number=number, file=stored, note=note, created_by=actor, created_at=now
        )
        locked.current = version
        locked.updated_at = now
        locked.save(update_fields=["current", "updated_at"])
        audit.record(
            "documents.version_added",
            actor=actor,
            target=locked,
            details={"version": number},
        )
    document.current = version
    return version


def change_document(
    *,
    actor,
    document: Document,
    section: str,
    title: str,
    readers: str,
    description: str = "",
    dated: datetime.date | None = None,
) -> Document:
    """Change a document's title, section, readers, description or date (not its files)."""
    _require_board(actor)
    values = {
        "section": _section(section),
        "title": _clean_text(title, field="title", max_length=300),
        "readers": _readers(readers),
        "description": _clean_text(
            description, field="description", max_length=2000, required=False
        ),
        "dated": dated,
    }
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
        if not changed:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        audit.record(
            "documents.changed",
            actor=actor,
            target=locked,
            details={"fields": changed, "section": locked.section, "readers": locked.readers},
        )
    return locked


def withdraw_document(*, actor, document: Document) -> None:
    """Remove a document published by mistake (a wrong file, a wrong group): the document, every
    version, their files (bytes removed after the commit) and the read log. Audited with its
    section and version count, never its title."""
    _require_board(actor)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        versions = list(locked.versions.select_related("file"))
        audit.record(
            "documents.withdrawn",
            actor=actor,
            target=locked,
            details={"section": locked.section, "versions": len(versions)},
        )
        stored = [version.file for version in versions]
        Document.objects.filter(pk=locked.pk).update(current=None)
        locked.delete()
        for file in stored:
            files.delete(file, actor=actor)


def log_read(*, user, version: DocumentVersion) -> DocumentRead:
    """Record that ``user`` opened ``version`` (the caller has checked they may)."""
    return DocumentRead.objects.create(
        document_id=version.document_id, version=version, user=user, read_at=timezone.now()
    )


# -- news ---------------------------------------------------------------------------------------


def _period(kind: str, starts_at, ends_at, now) -> tuple:
    if kind != NewsKind.EMERGENCY:
        return None, None
    starts_at = starts_at or now
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": _("The end must be later than the start.")}, code="ends_before_start"
        )
    return starts_at, ends_at


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j E Y, H:i")


def emergency_text(item: News) -> str:
    """The notice's text for the letter: when, then what the board wrote."""
    if item.ends_at:
        when = _("From %(start)s to %(end)s.") % {
            "start": _when(item.starts_at),
            "end": _when(item.ends_at),
        }
    else:
        when = _("From %(start)s until further notice.") % {"start": _when(item.starts_at)}
    return "\n\n".join(part for part in (when, item.body) if part)


def _announce_emergency(*, actor, item: News) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notifications.notify_members(
            actor=actor,
            kind=EMERGENCY,
            subject=_("Emergency notice: %(title)s") % {"title": item.title},
            body=emergency_text(item),
            path=reverse("documents:news-detail", kwargs={"pk": item.pk}),
        )


def _after_news_change() -> None:
    selectors.forget_emergencies()  # a new stamp now and again when the transaction commits


def publish_news(
    *,
    actor,
    kind: str,
    title: str,
    body: str = "",
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
) -> News:
    """Publish news, or an emergency notice: shown on top of every page until it ends and sent
    at once to everyone (nobody may switch it off)."""
    _require_board(actor)
    if kind not in NewsKind.values:
        raise ValidationError({"kind": _("Choose news or an emergency notice.")}, code="invalid")
    title = _clean_text(title, field="title", max_length=200)
    body = _clean_text(body, field="body", max_length=10000, required=False)
    now = timezone.now()
    starts_at, ends_at = _period(kind, starts_at, ends_at, now)
    if kind == NewsKind.EMERGENCY and ends_at is not None and ends_at <= now:
        raise ValidationError(
            {"ends_at": _("This notice would already be over: the end must be in the future.")},
            code="ended",
        )
    with transaction.atomic():
        item = News.objects.create(
            kind=kind,
            title=title,
            body=body,
            starts_at=starts_at,
            ends_at=ends_at,
            published_at=now,
            updated_at=now,
            created_by=actor,
        )
        audit.record("documents.news_published", actor=actor, target=item, details={"kind": kind})
        if item.is_emergency:
            _announce_emergency(actor=actor, item=item)
        _after_news_change()
    return item


def change_news(
    *,
    actor,
    item: News,
    title: str,
    body: str = "",
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
) -> News:
    """Correct a news item or a notice (its kind stays); the banner follows at once."""
    _require_board(actor)
    title = _clean_text(title, field="title", max_length=200)
    body = _clean_text(body, field="body", max_length=10000, required=False)
    with transaction.atomic():
        locked = News.objects.select_for_update().get(pk=item.pk)
        starts_at, ends_at = _period(
            locked.kind, starts_at or locked.starts_at, ends_at, timezone.now()
        )
        values = {"title": title, "body": body, "starts_at": starts_at, "ends_at": ends_at}
        changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
        if not changed:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        audit.record(
            "documents.news_changed",
            actor=actor,
            target=locked,
            details={"kind": locked.kind, "fields": changed},
        )
        _after_news_change()
    return locked


def end_emergency(*, actor, item: News) -> News:
    """End an emergency notice now: it leaves the top of the pages."""
    _require_board(actor)
    with transaction.atomic():
        locked = News.objects.select_for_update().get(pk=item.pk)
        now = timezone.now()
        if not locked.active(now):
            raise ValidationError(_("This notice has already ended."), code="ended")
        if locked.starts_at is not None and locked.starts_at >= now:
            # It had not started yet: called off (a start just before its end keeps the order).
            locked.starts_at = now - datetime.timedelta(seconds=1)
        locked.ends_at = now
        locked.updated_at = now
        locked.save(update_fields=["starts_at", "ends_at", "updated_at"])
        audit.record("documents.emergency_ended", actor=actor, target=locked, details={})
        _after_news_change()
    return locked


def delete_news(*, actor, item: News) -> None:
    """Withdraw a news item (a notice already sent stays in people's inboxes)."""
    _require_board(actor)
    with transaction.atomic():
        audit.record(
            "documents.news_deleted", actor=actor, target=item, details={"kind": item.kind}
        )
        News.objects.filter(pk=item.pk).delete()
        _after_news_change()


# -- the weekly digest --------------------------------------------------------------------------


def digest_text(items) -> str:
    lines = [
        _("News of the partnership since the last digest:"),
        "",
    ]
    for item in items:
        lines.append(
            f"• {formats.date_format(timezone.localtime(item.published_at), 'j E')}: {item.title}"
        )
    return "\n".join(lines)


def send_news_digest(*, now: datetime.datetime | None = None) -> int:
    """Send the week's ordinary news to those who asked for the digest, once a week.

    Safe to run any number of times: a run finds the last digest under a lock and does nothing
    until a week has passed; a week without news sends nothing (the run is still recorded).
    Returns how many news items the digest listed.
    """
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        # One run at a time per association (a transaction-scoped advisory lock).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"tszh-documents-digest:{connection.schema_name}"],
            )
        last = DigestRun.objects.order_by("-covered_until").first()
        if last is None:
            since = now - DIGEST_EVERY
        elif now - last.covered_until < DIGEST_EVERY:
            return 0
        else:
            since = last.covered_until
        items = list(
            News.objects.filter(
                kind=NewsKind.NEWS, published_at__gt=since, published_at__lte=now
            ).order_by("published_at")[:DIGEST_MAX_ITEMS]
        )
        DigestRun.objects.create(covered_until=now, news_count=len(items))
        if items:
            notifications.notify_members(
                actor=None,
                kind=NEWS_DIGEST,
                subject=_("News of the week"),
                body=digest_text(items),
                path=reverse("documents:news"),
            )
        return len(items)
