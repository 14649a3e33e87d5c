"""Reading notifications: always the reader's own (someone else's item is simply not there)."""

from __future__ import annotations

from django.db.models import Count, Q

from core import extensions
from core.access import usercache
from core.access.roles import roles_of
from core.extensions import NotificationKind
from tenants.notifications.models import InboxItem, OutboxMessage, OutboxStatus, Preference

#: The bell's count per user in the shared cache (``core.stamped``), read with the user's row in
#: one ``MGET`` (``core.access.usercache``); every write of inbox items gives it a new stamp
#: (``services.forget_unread``).
UNREAD_KIND = "notifications.unread"


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return usercache.entry_for(user, UNREAD_KIND).get(
        lambda: InboxItem.objects.filter(user=user, read_at__isnull=True).count()
    )


def inbox(user):
    """The reader's notifications, newest first, with their message (decrypted on use)."""
    return InboxItem.objects.filter(user=user).select_related("message").order_by("-created_at")


def kinds_for(user) -> list[NotificationKind]:
    """The kinds that concern the person (by their roles)."""
    roles = roles_of(user)
    return [kind for kind in extensions.notification_kinds() if kind.concerns(roles)]


def kind_label(key: str) -> str:
    kind = extensions.notification_kind(key)
    return str(kind.label) if kind is not None else key


def settings_of(user) -> tuple[list[tuple[NotificationKind, bool]], dict[str, bool]]:
    """The person's settings page, in one query: each kind that concerns them with whether they
    receive it, and for the kinds whose email may carry a document whether they chose it
    attached (else a link, the default)."""
    rows = Preference.objects.filter(user=user).values_list("kind", "enabled", "attach")
    enabled = {kind: on for kind, on, _attach in rows}
    attached = {kind: bool(attach) for kind, _on, attach in rows}
    kinds = kinds_for(user)
    return (
        [
            (kind, True if not kind.can_opt_out else enabled.get(kind.key, kind.default))
            for kind in kinds
        ],
        {kind.key: attached.get(kind.key, False) for kind in kinds if kind.attachment is not None},
    )


def preferences_of(user) -> list[tuple[NotificationKind, bool]]:
    """Each kind that concerns the person with whether they receive it."""
    return settings_of(user)[0]


def attachments_of(user) -> dict[str, bool]:
    """For each kind that concerns the person and whose email may carry a document: whether
    they chose it attached (else a link, the default)."""
    return settings_of(user)[1]


def delivery_counts() -> dict[str, int]:
    """How many emails wait, are being sent, were sent (still kept) and failed."""
    counts = OutboxMessage.objects.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in OutboxStatus.values}
    )
    return {status: counts.get(status) or 0 for status in OutboxStatus.values}


def failed_deliveries():
    """The failed emails for the board: kind, dates, attempts and code; no address, no text."""
    return (
        OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
        .select_related("message")
        .only(
            "pk",
            "attempts",
            "error_code",
            "created_at",
            "finished_at",
            "message__id",
            "message__kind",
            "message__created_at",
        )
        .order_by("-finished_at")
    )


def failed_count() -> int:
    return OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
