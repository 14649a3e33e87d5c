"""What the dispatch desk tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, DISPATCH_DESK, MEMBER_ROLES, Role
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)


def _erase(erasure):
    from tenants.dispatch.erasure import erase_holder_texts

    return erase_holder_texts(erasure)


def _seed_demo() -> str:
    from tenants.dispatch.demo import seed_demo

    return seed_demo()


def _count_open() -> int:
    from tenants.dispatch.models import OPEN_STATUSES, Request

    return Request.objects.filter(status__in=OPEN_STATUSES).count()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "dispatch",
            _("Repair requests and complaints"),
            _("Report a fault or complain, follow the work, rate it when it is done."),
            MEMBER_ROLES,
            url_name="dispatch:mine",
            order=32,
        ),
        DashboardSection(
            "dispatch-desk",
            _("Dispatch desk"),
            _("Incoming requests, deadlines, assignment to suppliers, work orders."),
            DISPATCH_DESK,
            url_name="dispatch:queue",
            order=37,
        ),
        DashboardSection(
            "dispatch-suppliers",
            _("Suppliers and contractors"),
            _("Contacts, contracts, the categories they serve and how well they work."),
            DISPATCH_DESK,
            url_name="dispatch:suppliers",
            order=38,
        ),
        DashboardSection(
            "dispatch-analytics",
            _("Requests analytics"),
            _("Requests by category, building and month; time to close; overdue work."),
            DISPATCH_DESK,
            url_name="dispatch:analytics",
            order=39,
        ),
    ),
    audit_labels={
        "dispatch.request_filed": _("Request filed"),
        "dispatch.commented": _("Comment on a request"),
        "dispatch.photos_added": _("Photos added to a request"),
        "dispatch.status_changed": _("Request status changed"),
        "dispatch.assigned": _("Request assigned"),
        "dispatch.classified": _("Request category confirmed"),
        "dispatch.rated": _("Work rated"),
        "dispatch.cost_set": _("Cost of work entered"),
        "dispatch.collective_made": _("Collective request made"),
        "dispatch.merged": _("Requests joined"),
        "dispatch.escalated": _("Overdue request escalated"),
        "dispatch.supplier_added": _("Supplier added"),
        "dispatch.supplier_changed": _("Supplier changed"),
        "dispatch.contract_added": _("Supplier's contract added"),
        "dispatch.sla_set": _("Deadline rule set"),
    },
    notification_kinds=(
        NotificationKind(
            "dispatch.request_changed",
            _("My requests"),
            _("Every change of a request you filed: status, the dispatcher's replies."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "dispatch.desk_news",
            _("Requests at the desk"),
            _("New requests, members' comments, ratings and reopened requests."),
            roles=DISPATCH_DESK,
        ),
        NotificationKind(
            "dispatch.deadline_soon",
            _("Request deadline soon"),
            _("When a request's deadline draws near."),
            roles=frozenset({Role.DISPATCHER}),
        ),
        NotificationKind(
            "dispatch.overdue",
            _("Overdue requests"),
            _("When a request's deadline has passed (escalated to the board)."),
            roles=BOARD | {Role.DISPATCHER},
        ),
    ),
    periodic_jobs=(
        PeriodicJob("dispatch-deadlines", "tenants.dispatch.tasks.deadlines", 900.0),
        PeriodicJob("dispatch-train", "tenants.dispatch.tasks.train_classifier", 3600.0),
    ),
    erasure=Erasure(
        destroys="the text of the erased holder's requests and comments (description, where "
        "exactly, access time, phone, the rating's comment), and their photos (private files "
        "under the holding's key, deleted by the file store's own hook)",
        keeps="the requests' numbers, statuses, categories, urgency, place, building, dates, "
        "supplier, cost and rating, and their history (no free text): the association's record "
        "of work done and of its suppliers (ЖК РФ ст. 161 ч. 1, ст. 162 ч. 2)",
        hook=_erase,
    ),
    counts=(TenantCount("dispatch_open", _("Open requests"), _count_open),),
    demo=_seed_demo,
)
