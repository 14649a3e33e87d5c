"""What the notifications tell the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, Role
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    HolderErasure,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)

#: The board's announcements to everyone (a feature with its own page sends them later).
ANNOUNCEMENT = "notifications.announcement"
#: Emergencies (no water, a burst pipe, a gas leak): always sent.
EMERGENCY = "notifications.emergency"
#: The hook public-schema code runs inside an association's schema to tell the people a kind
#: concerns (billing's plans: the board's "plan not paid" email), since it imports no tenant app.
NOTIFY_MEMBERS = "notifications.notify_members"
#: The hook code that imports no tenant app (core: "your password was changed") runs to tell
#: some logins of this association something; ``services.notify``'s arguments.
NOTIFY = "notifications.notify"


def forget_notifications(erasure: HolderErasure) -> dict[str, int]:
    """Delete what was written about the erased holding (its key is shredded anyway) and every
    notification, email and preference of the logins the erasure closed."""
    from tenants.notifications.models import InboxItem, Message, OutboxMessage, Preference
    from tenants.notifications.services import forget_unread

    # The bell's counts of everyone who held a copy (unread ones go with the messages).
    forget_unread(
        set(
            InboxItem.objects.filter(
                message__holding_id=erasure.holding_id, read_at__isnull=True
            ).values_list("user_id", flat=True)
        )
    )
    about, _counts = Message.objects.filter(holding_id=erasure.holding_id).delete()
    # By id: the closed logins are anonymised before the hooks run, so their email indexes
    # no longer find them.
    users = list(erasure.closed_login_ids)
    inbox, _counts = InboxItem.objects.filter(user_id__in=users).delete()
    forget_unread(users)
    outbox, _counts = OutboxMessage.objects.filter(user_id__in=users).delete()
    Preference.objects.filter(user_id__in=users).delete()
    return {"notifications_about_holding": about, "notifications_of_closed_logins": inbox + outbox}


def _failed_count() -> int:
    from tenants.notifications.selectors import failed_count

    return failed_count()


def _demo() -> str:
    """A welcome notice to every member of the demo, once (``seed_demo`` runs at every start)."""
    from tenants.notifications.models import Message
    from tenants.notifications.services import notify_members

    if Message.objects.filter(kind=ANNOUNCEMENT).exists():
        return ""
    message = notify_members(
        actor=None,
        kind=ANNOUNCEMENT,
        subject="Добро пожаловать на портал товарищества",
        body="Здесь появятся новости, квитанции и ответы правления. "
        "Какие уведомления получать, выберите в настройках уведомлений.",
        path="/",
    )
    return "a welcome notice to every member" if message else ""


def _notify_members(*, kind: str, subject: str, body: str = "", path: str = ""):
    """``services.notify_members`` for public-schema code, run in the association's schema."""
    from tenants.notifications.services import notify_members

    return notify_members(actor=None, kind=kind, subject=subject, body=body, path=path)


def _notify(**kwargs):
    """``services.notify`` for code that imports no tenant app (core/access/security.py)."""
    from tenants.notifications.services import notify

    return notify(**kwargs)


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "notifications",
            _("Notifications"),
            _("What the association told you, and which notices you receive."),
            frozenset(Role.values),
            url_name="notifications:inbox",
            order=900,
        ),
        DashboardSection(
            "notification-deliveries",
            _("Notification deliveries"),
            _("Emails that could not be delivered."),
            BOARD,
            url_name="notifications:deliveries",
            order=910,
        ),
    ),
    audit_labels={
        "notifications.queued": _("Notification sent"),
        "notifications.preference_changed": _("Notification settings changed"),
    },
    erasure=Erasure(
        destroys="the notifications written about the erased holding (under its key), and the "
        "notifications, emails waiting in the outbox and settings of the logins it closed",
        keeps="notifications of other people, the audit entries (kind and counts only)",
        hook=forget_notifications,
    ),
    # The outbox is a delivery queue (kept days), the inbox a person's copy: neither belongs in
    # the association's records.
    export=ExportRules(skip_models=frozenset({"outboxmessage", "inboxitem", "message"})),
    counts=(TenantCount("notifications_failed", _("Failed notification emails"), _failed_count),),
    periodic_jobs=(
        PeriodicJob("notifications-deliver-due", "tenants.notifications.tasks.deliver_due", 60.0),
        PeriodicJob(
            "notifications-purge",
            "tenants.notifications.tasks.purge",
            3600.0,
            include_suspended=True,
        ),
    ),
    demo=_demo,
    operator_hooks={NOTIFY_MEMBERS: _notify_members, NOTIFY: _notify},
    notification_kinds=(
        NotificationKind(
            ANNOUNCEMENT,
            _("Announcements of the board"),
            _("News and notices the board sends to everyone."),
        ),
        NotificationKind(
            EMERGENCY,
            _("Emergency notices"),
            _("Accidents and outages in the building: always sent."),
            can_opt_out=False,
        ),
    ),
)
