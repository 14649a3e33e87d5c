"""Reads of requests, suppliers and deadlines, each scoped to the reader.

Who sees what (the same on pages and in the API):

* the **desk** (``DISPATCH_DESK``: the dispatcher and the board) sees every request, with every
  member's text and photos, the suppliers and their contacts;
* a **member** (owner, resident) sees the requests they filed, and the collective request each
  of them was merged into: its status, history and the dispatcher's shared description, never
  another member's text, photos or name;
* anyone else sees none; a request outside the reader's scope is a 404.

The desk's queue reads in a constant number of queries whatever the number of requests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.access.roles import DISPATCH_DESK, MEMBER_ROLES, has_role
from core.crypto.fields import prefetch_keys
from tenants.dispatch import workflow
from tenants.dispatch.models import (
    DESK_ONLY_EVENTS,
    OPEN_STATUSES,
    Comment,
    Event,
    Photo,
    Request,
    Status,
    Supplier,
)
from tenants.residents import selectors as residents
from tenants.residents.models import Building, Holding, Ownership, Premises, Residency

#: A request's encrypted fields: lists leave them out (no key is fetched for a list).
SEALED = (
    "description",
    "location_note",
    "access_time",
    "contact_phone",
    "work_description",
    "rating_comment",
)


def without_text(rows: QuerySet[Request], *related: str) -> QuerySet[Request]:
    """``rows`` without the encrypted fields (theirs and those of ``related`` requests), so a
    list reads no key at all."""
    names = [*SEALED, *(f"{prefix}__{name}" for prefix in related for name in SEALED)]
    return rows.defer(*names)


def is_desk(user) -> bool:
    return has_role(user, *DISPATCH_DESK)


def own_premises(user) -> QuerySet[Premises]:
    """The premises a person owns (a current share linked to their login) or lives in today."""
    if not has_role(user, *MEMBER_ROLES):
        return Premises.objects.none()
    owned = Ownership.objects.filter(residents.current(), owner__user=user).values("premises_id")
    lived = Residency.objects.filter(residents.current(), user=user).values("premises_id")
    return Premises.objects.filter(Q(pk__in=owned) | Q(pk__in=lived))


def home_choices(user) -> list[Premises]:
    return list(own_premises(user).select_related("building").order_by("building__name", "number"))


def holding_id_of(premises_id):
    """The current holding of the premises' first account: whose key protects what a member
    writes about it (None: premises without an account)."""
    if premises_id is None:
        return None
    return (
        Holding.objects.filter(account__premises_id=premises_id, ended_on__isnull=True)
        .order_by("account__number")
        .values_list("pk", flat=True)
        .first()
    )


# -- requests -----------------------------------------------------------------------------------


def requests_visible_to(user) -> QuerySet[Request]:
    """Every request for the desk; a member's own, and the collective ones they joined."""
    if is_desk(user):
        return Request.objects.all()
    if not has_role(user, *MEMBER_ROLES):
        return Request.objects.none()
    return Request.objects.filter(
        Q(author=user) | Q(is_collective=True, joined__author=user)
    ).distinct()


def request_for(user, pk) -> Request:
    found = (
        requests_visible_to(user)
        .select_related("building", "premises__building", "supplier", "collective")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def own_request_for(user, pk) -> Request:
    """A request the member filed themselves (the member's actions: comment, rate, reopen)."""
    found = (
        Request.objects.select_related("collective", "building", "premises__building")
        .filter(pk=pk, author=user)
        .first()
    )
    if found is None or not has_role(user, *MEMBER_ROLES):
        raise Http404
    return found


def desk_request_for(user, pk) -> Request:
    if not is_desk(user):
        raise Http404
    found = (
        Request.objects.select_related("collective", "building", "premises__building", "supplier")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def my_requests(user) -> list[Request]:
    """The member's own requests, newest first, with the collective each joined (for its
    status): two queries."""
    rows = Request.objects.filter(author=user).select_related("collective", "building", "premises")
    return list(without_text(rows, "collective").order_by("-filed_at"))


def working(request: Request) -> Request:
    """The request the work is tracked on: the collective one a request was merged into, or
    itself."""
    return request.collective if request.collective_id else request


def photo_visible_to(user, stored_file) -> bool:
    """A member reads the photos attached to their own requests."""
    return Photo.objects.filter(file=stored_file, request__author=user).exists()


# -- the desk's queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    category: str = ""
    building: str = ""
    urgency: str = ""
    overdue: bool = False
    open_only: bool = True

    @property
    def default(self) -> bool:
        """Every open request, nothing else chosen: its count is the headline's."""
        return self.open_only and not (
            self.status or self.category or self.building or self.urgency or self.overdue
        )


def queue(
    filters: QueueFilters, now: datetime.datetime | None = None, *, with_text: bool = False
) -> QuerySet[Request]:
    """The requests the desk works on (merged ones are in their collective), overdue and most
    urgent first: most due soonest, then the oldest. Without their text (no key is read)
    unless ``with_text``."""
    now = now or timezone.now()
    rows = Request.objects.exclude(status=Status.MERGED).select_related(
        "building", "premises", "supplier"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    elif filters.open_only:
        rows = rows.filter(status__in=OPEN_STATUSES)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.urgency:
        rows = rows.filter(urgency=filters.urgency)
    if filters.building:
        rows = rows.filter(building_id=filters.building)
    if filters.overdue:
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    return rows.order_by("due_at", "filed_at", "number")


def joined_counts(rows) -> None:
    """Set ``joined_count`` on each collective request of ``rows`` (a page): one query."""
    collectives = [row.pk for row in rows if row.is_collective]
    counts = {}
    if collectives:
        counts = dict(
            Request.objects.filter(collective_id__in=collectives)
            .values("collective_id")
            .annotate(n=Count("pk"))
            .values_list("collective_id", "n")
        )
    for row in rows:
        row.joined_count = counts.get(row.pk, 0)


def queue_counts(now: datetime.datetime | None = None) -> dict[str, int]:
    """Open, overdue and new requests (one query): the desk's headline."""
    now = now or timezone.now()
    # Open requests only (the queue's partial index), never the whole history.
    return Request.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        new=Count("pk", filter=Q(status=Status.NEW)),
    )


def buildings() -> list[Building]:
    return list(Building.objects.order_by("name"))


def suppliers_for_assignment() -> list[Supplier]:
    return list(Supplier.objects.filter(active=True).order_by("name"))


# -- one request's page -------------------------------------------------------------------------


@dataclass
class RequestPage:
    """What a request's page shows its reader."""

    request: Request
    #: Where the work is tracked (the collective one, or the request itself).
    working: Request
    desk: bool
    events: list[Event] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    #: The desk's view of a collective request: the members' requests on it.
    joined: list[Request] = field(default_factory=list)
    can_rate: bool = False
    can_reopen: bool = False
    can_cancel: bool = False
    reopen_until: datetime.datetime | None = None
    next_statuses: list[str] = field(default_factory=list)


def request_page(user, request: Request, now: datetime.datetime | None = None) -> RequestPage:
    """The request as ``user`` may see it (``request`` already scoped by ``request_for``)."""
    now = now or timezone.now()
    desk = is_desk(user)
    work = working(request)
    page = RequestPage(request=request, working=work, desk=desk)
    ids = {request.pk, work.pk}
    if desk and request.is_collective:
        page.joined = list(
            Request.objects.filter(collective=request)
            .select_related("building", "premises")
            .order_by("number")
        )
        ids |= {child.pk for child in page.joined}
    events = Event.objects.filter(request_id__in=ids)
    comments = Comment.objects.filter(request_id__in=ids).select_related("author")
    photos = Photo.objects.filter(request_id__in=ids).select_related("request")
    if not desk:
        events = events.exclude(action__in=DESK_ONLY_EVENTS)
        # On a collective request a member reads the desk's word to everyone, never another
        # member's comment.
        comments = comments.filter(Q(request=request) | Q(request=work, by_desk=True))
        photos = photos.filter(request=request)
    page.events = list(events.select_related("actor").order_by("at", "id"))
    page.comments = list(comments.order_by("created_at"))
    page.photos = list(photos.order_by("added_at"))
    prefetch_keys([*page.comments, *page.joined, request, work])
    if desk:
        page.next_statuses = workflow.next_for_desk(work.status)
    elif request.author_id == getattr(user, "pk", None):
        finished = work.status in (Status.DONE, Status.CLOSED)
        page.reopen_until = workflow.reopen_until(work.done_at)
        page.can_rate = finished and request.rating is None
        page.can_reopen = bool(
            finished and page.reopen_until is not None and now <= page.reopen_until
        )
        page.can_cancel = request.status in (Status.NEW, Status.ASSIGNED) and not (
            request.collective_id
        )
    return page


# -- suppliers ----------------------------------------------------------------------------------


def suppliers_visible_to(user) -> QuerySet[Supplier]:
    if not is_desk(user):
        return Supplier.objects.none()
    return Supplier.objects.all()


def supplier_for(user, pk) -> Supplier:
    found = suppliers_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# -- the work order -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkOrder:
    """What a contractor is given: the job, where, when, and a phone only by consent."""

    number: int
    category: str
    urgency: str
    due_at: datetime.datetime | None
    supplier: Supplier | None
    job: str
    address: str
    where_exactly: str
    access_time: str
    phone: str
    #: Premises on a collective request (numbers only, no names), for a round of visits.
    visits: list[tuple[str, str, str]] = field(default_factory=list)


def _address(row: Request) -> str:
    building = row.building
    parts = []
    if building is not None:
        parts.append(building.address or building.name)
    if row.premises is not None:
        parts.append(f"{row.premises.get_kind_display().lower()} {row.premises.number}")
    return ", ".join(parts)


def work_order(row: Request) -> WorkOrder:
    """The work order of a request (or of a collective one, with the visits its members'
    premises need: address, access time and a phone by consent, never a name)."""
    visits = []
    if row.is_collective:
        joined = list(
            Request.objects.filter(collective=row)
            .select_related("building", "premises")
            .order_by("number")
        )
        prefetch_keys(joined)
        for child in joined:
            if child.premises_id is None:
                continue
            visits.append(
                (
                    _address(child),
                    child.access_time or "",
                    (child.contact_phone or "") if child.share_phone else "",
                )
            )
        job = row.description or ""
    else:
        job = row.work_description or ""
    return WorkOrder(
        number=row.number,
        category=row.get_category_display(),
        urgency=row.get_urgency_display(),
        due_at=row.due_at,
        supplier=row.supplier,
        job=job,
        address=_address(row),
        where_exactly=("" if row.is_collective else row.location_note or ""),
        access_time=("" if row.is_collective else row.access_time or ""),
        phone=(row.contact_phone or "") if (row.share_phone and not row.is_collective) else "",
        visits=visits,
    )


# -- the SLA table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaRow:
    category: str
    label: str
    hours: list[int]


def sla_rows(on: datetime.date | None = None) -> list[SlaRow]:
    """The hours in force today, a row per category, a column per urgency (one query)."""
    from tenants.dispatch import sla
    from tenants.dispatch.models import URGENCY_ORDER, Category

    on = on or timezone.localdate()
    table = sla.table_in_force(on)
    return [
        SlaRow(category, label, [table[(category, urgency)] for urgency in URGENCY_ORDER])
        for category, label in Category.choices
    ]


def sla_history(limit: int = 50):
    from tenants.dispatch.models import SlaRule

    return list(SlaRule.objects.order_by("-valid_from", "category", "urgency")[:limit])
