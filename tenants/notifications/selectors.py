"""Reading notifications: always the reader's own (someone else's item is simply not there)."""

from __future__ import annotations

from django.db.models import Count, Q

from core import extensions
from core.access.roles import roles_of
from core.extensions import NotificationKind
from tenants.notifications.models import InboxItem, OutboxMessage, OutboxStatus, Preference


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


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


def preferences_of(user) -> list[tuple[NotificationKind, bool]]:
    """Each kind that concerns the person with whether they receive it."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "enabled"))
    return [
        (kind, True if not kind.can_opt_out else chosen.get(kind.key, kind.default))
        for kind in kinds_for(user)
    ]


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
