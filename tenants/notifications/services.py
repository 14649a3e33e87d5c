"""Telling people something: the one way for every feature (``notify``, ``notify_members``),
the delivery of the outbox, preferences and the one-click unsubscribe.

A feature calls ``notify`` in the same transaction as its event: the message, the inbox items and
the outbox rows commit with the event or not at all, and the delivery task is queued on commit
with no argument (it finds the due rows itself). Delivery sends each email at most once: rows are
claimed under a row lock (``pending`` → ``sending``) before anything is sent, so a duplicated or
retried task finds nothing to send; a failed SMTP delivery goes back to ``pending`` with a backoff
until its last attempt, then shows as ``failed`` to the board. Logs carry ids and codes only.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import extensions, stamped
from core.audit import services as audit
from core.crypto.errors import ProviderUnavailable
from core.extensions import NotificationKind
from tenants.notifications import selectors, tasks, tokens
from tenants.notifications.models import (
    InboxItem,
    Message,
    OutboxMessage,
    OutboxStatus,
    Preference,
)

logger = logging.getLogger(__name__)

#: Rows written per INSERT by a mass send.
WRITE_BATCH = 1000
#: Emails claimed and sent over one SMTP connection.
SEND_BATCH = 50
#: The pacing window of the rate limit (see ``deliver_paced``).
PACE_WINDOW = 10.0


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4, 8… minutes, at most an hour."""
    base = float(_setting("NOTIFICATIONS_BACKOFF_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


# -- kinds and preferences ----------------------------------------------------------------------


def kind_of(key: str) -> NotificationKind:
    kind = extensions.notification_kind(key)
    if kind is None:
        raise LookupError(f"no app declares the notification kind {key!r}")
    return kind


def _willing(users, kind: NotificationKind):
    """The users of ``users`` who receive ``kind`` (their preference, else its default)."""
    if not kind.can_opt_out:
        return users
    choice = Preference.objects.filter(user=OuterRef("pk"), kind=kind.key)
    if kind.default:
        return users.exclude(Exists(choice.filter(enabled=False)))
    return users.filter(Exists(choice.filter(enabled=True)))


def set_preference(*, actor, user, kind: str, enabled: bool, via: str = "preferences") -> bool:
    """Switch a kind on or off for ``user``; refused for a kind that cannot be switched off.

    Returns whether anything changed. Audited (kind and choice, no personal value).
    """
    declared = kind_of(kind)
    if not declared.can_opt_out and not enabled:
        raise ValidationError(_("This notice cannot be switched off."), code="required")
    with transaction.atomic():
        current = Preference.objects.select_for_update().filter(user=user, kind=kind).first()
        if current is None:
            if enabled == declared.default:
                return False
            Preference.objects.create(user=user, kind=kind, enabled=enabled)
        elif current.enabled == enabled:
            return False
        else:
            current.enabled = enabled
            current.save(update_fields=["enabled", "updated_at"])
        audit.record(
            "notifications.preference_changed",
            actor=actor,
            target=user,
            details={"kind": kind, "enabled": enabled, "via": via},
        )
    return True


def set_attachment(*, actor, user, kind: str, attach: bool) -> bool:
    """Choose how ``user`` gets ``kind`` by email: the document attached (``attach``) or a link
    (the default); refused for a kind whose email carries no document. Returns whether anything
    changed. Audited (kind and choice)."""
    declared = kind_of(kind)
    if declared.attachment is None:
        raise ValidationError(_("This notice has no document to attach."), code="no-attachment")
    with transaction.atomic():
        current = Preference.objects.select_for_update().filter(user=user, kind=kind).first()
        if current is None:
            if not attach:
                return False
            Preference.objects.create(user=user, kind=kind, enabled=declared.default, attach=True)
        elif bool(current.attach) == attach:
            return False
        else:
            current.attach = attach
            current.save(update_fields=["attach", "updated_at"])
        audit.record(
            "notifications.preference_changed",
            actor=actor,
            target=user,
            details={"kind": kind, "attach": attach, "via": "preferences"},
        )
    return True


def set_preferences(
    *, actor, user, choices: dict[str, bool], attachments: dict[str, bool] | None = None
) -> int:
    """Apply a person's choices from the preferences page (on or off per kind, and attach or
    link for the kinds whose email carries a document); returns how many changed."""
    with transaction.atomic():
        changed = sum(
            set_preference(actor=actor, user=user, kind=key, enabled=on)
            for key, on in choices.items()
            if kind_of(key).can_opt_out
        )
        return changed + sum(
            set_attachment(actor=actor, user=user, kind=key, attach=attach)
            for key, attach in (attachments or {}).items()
            if kind_of(key).attachment is not None
        )


@dataclass(frozen=True)
class Unsubscribed:
    kind: NotificationKind
    changed: bool


def unsubscribe_target(token: str):
    """The person and the kind an unsubscribe token names, or the refusal to show.

    A token of another association, altered, or naming a closed login or a kind that cannot be
    switched off is refused with a message (``ValidationError``).
    """
    claims = tokens.read_token(token)
    if claims is None:
        raise ValidationError(
            _(
                "This link is not valid here: it was altered or belongs to another "
                "association. Nothing was changed."
            ),
            code="invalid",
        )
    kind = extensions.notification_kind(claims.kind)
    user = get_user_model().objects.filter(pk=claims.user_id, is_active=True).first()
    if kind is None or user is None:
        raise ValidationError(_("This link no longer works. Nothing was changed."), code="stale")
    if not kind.can_opt_out:
        raise ValidationError(_("This notice cannot be switched off."), code="required")
    return user, kind


def unsubscribe(token: str) -> Unsubscribed:
    """Switch off the kind the token names for the person it names (the one-click link);
    refused as ``unsubscribe_target`` says, and then nothing changes."""
    user, kind = unsubscribe_target(token)
    changed = set_preference(actor=user, user=user, kind=kind.key, enabled=False, via="link")
    return Unsubscribed(kind=kind, changed=changed)


# -- writing: the outbox ------------------------------------------------------------------------


def notify(
    *,
    actor,
    kind: str,
    recipients: Iterable,
    subject: str,
    body: str = "",
    path: str = "",
    holding_id=None,
    attachment: str = "",
) -> Message | None:
    """Tell ``recipients`` (logins of this association, or their ids) something of ``kind``.

    Call it inside the transaction of the event it tells about. ``subject`` and ``body`` are
    plain text, written in the association's language by the caller; ``path`` is the portal page
    it is about (``/requests/…/``), made absolute at delivery. ``holding_id``: the personal
    account holding the text concerns (its key protects the text; erasing the holder shreds
    it). ``attachment``: for a kind with an attachment hook, the reference (ids only) its
    document is made from at delivery, for those who chose to have it attached. Those who
    switched the kind off are left out (never for a kind that cannot be switched off); closed
    logins too. Returns the message, or None when nobody is to be told.
    """
    ids = [getattr(recipient, "pk", recipient) for recipient in recipients]
    users = get_user_model().objects.filter(pk__in=ids)
    return _write(
        actor=actor,
        kind=kind_of(kind),
        users=users,
        subject=subject,
        body=body,
        path=path,
        holding_id=holding_id,
        attachment=attachment,
    )


def notify_members(*, actor, kind: str, subject: str, body: str = "", path: str = ""):
    """Tell every login of the association whom ``kind`` concerns (its roles): a mass send,
    written in batches and delivered at the association's rate."""
    declared = kind_of(kind)
    users = get_user_model().objects.all()
    if declared.roles:
        users = users.filter(roles__overlap=sorted(declared.roles))
    return _write(actor=actor, kind=declared, users=users, subject=subject, body=body, path=path)


def _validate_path(path: str) -> None:
    if path and (not path.startswith("/") or path.startswith("//")):
        raise ValueError("a notification's path is a page of the portal (/…/)")


def _write(
    *, actor, kind, users, subject, body, path, holding_id=None, attachment=""
) -> Message | None:
    _validate_path(path)
    if attachment and kind.attachment is None:
        raise ValueError(f"the notification kind {kind.key!r} has no attachment hook")
    with transaction.atomic():
        audience = list(
            _willing(users.filter(is_active=True), kind).order_by("pk").values_list("pk", flat=True)
        )
        if not audience:
            return None
        message = Message(
            kind=kind.key,
            subject=str(subject),
            body=str(body),
            path=path,
            holding_id=holding_id,
            attachment=attachment,
            actor_id=getattr(actor, "pk", None),
        )
        message.save()
        for start in range(0, len(audience), WRITE_BATCH):
            chunk = audience[start : start + WRITE_BATCH]
            InboxItem.objects.bulk_create(
                [InboxItem(message=message, user_id=user_id) for user_id in chunk]
            )
            forget_unread(chunk)
            OutboxMessage.objects.bulk_create(
                [OutboxMessage(message=message, user_id=user_id) for user_id in chunk]
            )
        audit.record(
            "notifications.queued",
            actor=actor,
            target=message,
            details={"kind": kind.key, "recipients": len(audience)},
        )
        transaction.on_commit(queue_delivery)
    return message


def queue_delivery(countdown: float = 0) -> None:
    """Queue the delivery task (no arguments: it finds the due rows). A broker that is down
    leaves the rows pending; the periodic job delivers them."""
    try:
        tasks.deliver.apply_async(countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker's errors are many; the rows wait
        logger.warning("notifications: the delivery task could not be queued")


# -- delivering ---------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    #: Another delivery holds this association's lock (a duplicated task): nothing was done.
    busy: bool = False
    #: Rows still due when the run stopped at its limit.
    more: bool = False
    #: The SMTP server could not be reached: the run stopped (the periodic job tries again).
    connection_lost: bool = False


@dataclass(frozen=True)
class Site:
    url: str
    name: str


def site() -> Site:
    """The association's own address and name, for links and the sender (made at delivery)."""
    tenant = getattr(connection, "tenant", None)
    host = ""
    if tenant is not None and hasattr(tenant, "get_primary_domain"):
        domain = tenant.get_primary_domain()
        host = domain.domain if domain is not None else ""
    if not host:
        host = f"{connection.schema_name}.{settings.BASE_DOMAIN}"
    if getattr(settings, "PRODUCTION", False):
        url = f"https://{host}"
    else:
        import os

        port = os.environ.get("TSZH_PORT")
        url = f"http://{host}{':' + port if port else ''}"
    return Site(url=url, name=str(getattr(tenant, "name", "") or ""))


def _lock_id() -> str:
    return f"tszh-notifications-delivery:{connection.schema_name}"


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [_lock_id()])
        return bool(cursor.fetchone()[0])


def _unlock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [_lock_id()])


def _due(now):
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(limit: int, now) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for this run: locked, marked ``sending``, committed."""
    with transaction.atomic():
        ids = list(
            _due(now)
            .order_by("created_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxStatus.SENDING, claimed_at=now)
    try:
        return list(
            OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING)
            .select_related("message", "user")
            .order_by("created_at")
        )
    except ProviderUnavailable:
        # The key store is down (the rows' texts cannot be opened): back to the queue, no
        # attempt spent, rather than left "sending" until the lease fails them.
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.PENDING, claimed_at=None
        )
        raise


def recover_abandoned(now=None) -> tuple[int, int]:
    """Rows left ``sending`` by a delivery that died (a worker killed mid-batch): ``(sent
    again, failed)``. Called with the association's delivery lock held, so no delivery is under
    way and every ``sending`` row is an orphan (a dead worker's session lock went with its
    connection). A row never handed to the SMTP server goes back to the queue; one that was may
    have gone out, so it is failed (``interrupted``, on the board's page), never sent twice."""
    now = now or timezone.now()
    orphans = OutboxMessage.objects.filter(status=OutboxStatus.SENDING)
    failed = orphans.filter(handed_at__isnull=False).update(
        status=OutboxStatus.FAILED, finished_at=now, error_code="interrupted"
    )
    again = orphans.filter(handed_at__isnull=True).update(
        status=OutboxStatus.PENDING, claimed_at=None
    )
    if failed or again:
        logger.warning(
            "notifications: a delivery was interrupted: %d rows queued again, %d failed",
            again,
            failed,
        )
    return again, failed


def deliver_pending(*, limit: int | None = None, now=None) -> DeliveryRun:
    """Send this association's due emails (at most ``limit``), each at most once."""
    if not _try_lock():
        return DeliveryRun(busy=True)
    try:
        now = now or timezone.now()
        recover_abandoned(now)
        run = DeliveryRun()
        where = site()
        handled = 0
        while limit is None or handled < limit:
            size = SEND_BATCH if limit is None else min(SEND_BATCH, limit - handled)
            batch = _claim(size, now)
            if not batch:
                break
            handled += len(batch)
            _send_batch(batch, where, run, now)
            if run.connection_lost:
                break
        else:
            run.more = _due(now).exists()
        return run
    finally:
        _unlock()


def deliver_paced(*, rate: float | None = None, window: float = PACE_WINDOW) -> float | None:
    """One paced delivery run: at most ``rate`` × ``window`` emails per window and association.

    Returns when to run again (seconds) if rows are still due, else None. A run that finds the
    window in use (another run's, or a duplicate) does nothing: the run that set it goes on.
    """
    if rate is None:
        rate = float(_setting("NOTIFICATIONS_RATE_PER_SECOND", 20))
    key = f"notifications:pace:{connection.schema_name}"
    started = time.time()
    paused_until = cache.get(key)
    if paused_until and paused_until > started:
        return None
    limit = max(1, int(rate * window)) if rate else None
    run = deliver_pending(limit=limit)
    if run.busy or not run.more:
        return None
    if not rate:
        return 0.0
    cache.set(key, started + window, timeout=int(window) + 60)
    return max(0.0, started + window - time.time())


def _texts(batch) -> dict:
    """Each message's subject and body, opened once for the batch."""
    texts = {}
    for row in batch:
        if row.message_id not in texts:
            texts[row.message_id] = (row.message.subject, row.message.body)
    return texts


def _attaching(batch) -> set[tuple]:
    """(user, kind) pairs of the batch that chose the document attached."""
    kinds = {row.message.kind for row in batch if row.message.attachment}
    if not kinds:
        return set()
    users = {row.user_id for row in batch}
    return set(
        Preference.objects.filter(kind__in=kinds, user_id__in=users, attach=True).values_list(
            "user_id", "kind"
        )
    )


def _switched_off(batch) -> set[tuple]:
    """(user, kind) pairs of the batch switched off since the message was written."""
    kinds = {row.message.kind for row in batch}
    users = {row.user_id for row in batch}
    return set(
        Preference.objects.filter(kind__in=kinds, user_id__in=users, enabled=False).values_list(
            "user_id", "kind"
        )
    )


def _error_code(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return f"smtp-{codes[0]}" if codes else "refused"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"smtp-{error.smtp_code}"
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return "connection"
    if isinstance(error, OSError):
        return "connection"
    return "error"


def _connection_lost(code: str) -> bool:
    return code in {"connection", "smtp-421"}


def _permanent(code: str) -> bool:
    """An SMTP 5xx (RFC 5321 4.2.1: "permanent negative"): retrying cannot help (no such
    mailbox, refused as spam). 4xx and a lost connection are temporary."""
    return code.startswith("smtp-5")


def _send_batch(batch, where: Site, run: DeliveryRun, now) -> None:
    try:
        texts = _texts(batch)
        off = _switched_off(batch)
        attaching = _attaching(batch)
    except ProviderUnavailable:
        # The key store is down: nothing can be opened, nothing went out. The rows go back to
        # the queue untouched (no attempt spent) and the periodic job tries again.
        _release(batch)
        run.connection_lost = True
        return
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as error:  # noqa: BLE001 - whatever stops the connection fails the batch
        code = _error_code(error)
        for row in batch:
            _attempt_failed(row, code, run, now)
        run.connection_lost = True
        return
    try:
        for index, row in enumerate(batch):
            kind = extensions.notification_kind(row.message.kind)
            switched_off = (row.user_id, row.message.kind) in off and (
                kind is None or kind.can_opt_out
            )
            if not row.user.is_active or switched_off:
                OutboxMessage.objects.filter(pk=row.pk).delete()
                run.dropped += 1
                continue
            attach = (row.user_id, row.message.kind) in attaching
            try:
                email = compose(row, kind, texts[row.message_id], where, mail, attach=attach)
            except ProviderUnavailable:  # see above: this row and the rest wait, untried
                _release(batch[index:])
                run.connection_lost = True
                return
            OutboxMessage.objects.filter(pk=row.pk).update(handed_at=timezone.now())
            try:
                sent = mail.send_messages([email])
            except Exception as error:  # noqa: BLE001 - see _error_code
                code = _error_code(error)
                _attempt_failed(row, code, run, now)
                if _connection_lost(code):
                    _release(batch[index + 1 :])
                    run.connection_lost = True
                    return
                continue
            if not sent:
                _attempt_failed(row, "refused", run, now)
                continue
            OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.SENT, finished_at=timezone.now(), error_code=""
            )
            run.sent += 1
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            mail.close()


def _release(rows) -> None:
    """Rows claimed but not tried (the connection broke): back to the queue as they were."""
    if rows:
        OutboxMessage.objects.filter(
            pk__in=[row.pk for row in rows], status=OutboxStatus.SENDING
        ).update(status=OutboxStatus.PENDING, claimed_at=None)


def _attempt_failed(row: OutboxMessage, code: str, run: DeliveryRun, now) -> None:
    attempts = row.attempts + 1
    if attempts >= max_attempts() or _permanent(code):
        changes = {"status": OutboxStatus.FAILED, "finished_at": now}
        run.failed += 1
    else:
        changes = {"status": OutboxStatus.PENDING, "next_attempt_at": now + backoff(attempts)}
        run.retried += 1
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        attempts=attempts, error_code=code[:20], claimed_at=None, handed_at=None, **changes
    )
    logger.warning(
        "notification %s: delivery failed (%s), attempt %d of %d",
        row.pk,
        code,
        attempts,
        max_attempts(),
    )


def _document(row: OutboxMessage, kind: NotificationKind | None):
    """The document the row's email carries, made now by the kind's hook for its reader; None
    when there is none, the reader may not see it, or it could not be made (the email then goes
    with its link: logged with ids only)."""
    if kind is None or kind.attachment is None or not row.message.attachment:
        return None
    try:
        return kind.attachment(row.message.attachment, row.user)
    except Exception as error:  # noqa: BLE001 - whatever the hook's failure, the link still goes
        # The error's class only: its message could quote what the document says.
        logger.warning(
            "notification %s: the %s attachment could not be made (%s); sent with the link",
            row.pk,
            kind.key,
            type(error).__name__,
        )
        return None


def compose(
    row: OutboxMessage,
    kind: NotificationKind | None,
    text,
    where: Site,
    mail,
    *,
    attach: bool = False,
):
    """The email of one outbox row, its links made now (the unsubscribe token included), and,
    when the reader chose it, the document the kind attaches (made now, in memory)."""
    subject, body = text
    user = row.user
    document = _document(row, kind) if attach else None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        unsubscribe_url = ""
        if kind is not None and kind.can_opt_out:
            token = tokens.make_token(user.pk, kind.key)
            unsubscribe_url = where.url + reverse(
                "notifications:unsubscribe", kwargs={"token": token}
            )
        content = render_to_string(
            "notifications/email/message.txt",
            {
                "body": body,
                "kind": kind,
                "association": where.name,
                "page_url": where.url + row.message.path if row.message.path else "",
                "unsubscribe_url": unsubscribe_url,
                "preferences_url": where.url + reverse("notifications:preferences"),
                "attached": document.filename if document is not None else "",
            },
        )
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    sender = settings.DEFAULT_FROM_EMAIL
    if where.name:
        name = "".join(ch for ch in where.name if ch not in '"<>,;:@\\\r\n')
        sender = f'"{name}" <{sender}>'
    email = EmailMessage(
        subject=" ".join(str(subject).split()),
        body=content,
        from_email=sender,
        to=[user.email],
        headers=headers,
        connection=mail,
    )
    if document is not None:
        email.attach(document.filename, document.content, document.mimetype)
    return email


# -- the portal copy ----------------------------------------------------------------------------


def mark_read(*, actor, items) -> int:
    """Mark the reader's own inbox items read (others' are ignored by construction)."""
    ids = [item.pk for item in items if item.user_id == actor.pk and item.read_at is None]
    if not ids:
        return 0
    marked = InboxItem.objects.filter(pk__in=ids, user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread([actor.pk])
    return marked


def forget_unread(user_ids) -> None:
    """The bell's cached count of these people is out of date (``selectors.unread_count``):
    call it wherever inbox items are created, read or deleted."""
    stamped.invalidate(selectors.UNREAD_KIND, user_ids)


# -- housekeeping -------------------------------------------------------------------------------


def purge(now=None) -> dict[str, int]:
    """Delete delivered emails after a short retention, failed ones after the board had time to
    see them, old inbox items, and messages nobody holds any more. Counts only."""
    now = now or timezone.now()
    sent_days = int(_setting("NOTIFICATIONS_SENT_RETENTION_DAYS", 2))
    failed_days = int(_setting("NOTIFICATIONS_FAILED_RETENTION_DAYS", 30))
    inbox_days = int(_setting("NOTIFICATIONS_INBOX_RETENTION_DAYS", 180))
    abandoned = 0
    if _try_lock():  # no delivery under way: what is left "sending" is a dead worker's
        try:
            abandoned = recover_abandoned(now)[1]
        finally:
            _unlock()
    sent, _ = OutboxMessage.objects.filter(
        status=OutboxStatus.SENT, finished_at__lt=now - timedelta(days=sent_days)
    ).delete()
    failed, _ = OutboxMessage.objects.filter(
        status=OutboxStatus.FAILED, finished_at__lt=now - timedelta(days=failed_days)
    ).delete()
    old_items = InboxItem.objects.filter(created_at__lt=now - timedelta(days=inbox_days))
    forget_unread(set(old_items.filter(read_at__isnull=True).values_list("user_id", flat=True)))
    inbox, _ = old_items.delete()
    orphans, _ = (
        Message.objects.filter(created_at__lt=now - timedelta(hours=1))
        .exclude(Exists(InboxItem.objects.filter(message=OuterRef("pk"))))
        .exclude(Exists(OutboxMessage.objects.filter(message=OuterRef("pk"))))
        .delete()
    )
    return {
        "abandoned": abandoned,
        "sent_purged": sent,
        "failed_purged": failed,
        "inbox_purged": inbox,
        "messages_purged": orphans,
    }
