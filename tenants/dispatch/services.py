"""Writing requests and complaints: filing, comments, photos, the desk's work, ratings.

Every change is audited in its transaction and told to the people it concerns
(``tenants.notifications``) in the same transaction; refusals are ``ValidationError``s naming
the field (``core.ui.refusals`` shows them beside it, the API answers 400). Statuses move only
through ``workflow`` (the one table of allowed transitions).

Who may act on which request is decided before: views and the API find requests through the
reader-scoped selectors (someone else's request is a 404 there). What a member writes goes under
their holding's key (``Request.encryption_key_name``), never into the audit log, an event, a
notification or a log line.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.dispatch import classifier, selectors, sla, workflow
from tenants.dispatch.models import (
    OPEN_STATUSES,
    URGENCY_ORDER,
    Category,
    Comment,
    Event,
    EventAction,
    Photo,
    Place,
    Request,
    RequestKind,
    Status,
    Supplier,
    Urgency,
)
from tenants.dispatch.purposes import REQUEST_PHOTO
from tenants.files import services as files
from tenants.notifications.services import notify, notify_members
from tenants.residents.validators import normalize_phone

#: Notification kinds (declared in ``declaration``).
REQUEST_CHANGED = "dispatch.request_changed"
DESK_NEWS = "dispatch.desk_news"
DEADLINE_SOON = "dispatch.deadline_soon"
OVERDUE = "dispatch.overdue"

MAX_PHOTOS = 10
MAX_DESCRIPTION = 4000
MAX_SHORT = 300
MAX_COMMENT = 4000


# -- helpers ------------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _text(value, *, limit: int) -> str:
    return (value or "").strip()[:limit] if isinstance(value, str) else ""


#: The advisory lock class that hands out request numbers, one association at a time.
NUMBER_LOCK = 0x64697370  # "disp"


def _next_number() -> int:
    """The next request number of this association, serialised by a transaction-level lock
    keyed by the schema: two associations filing at once never wait for each other."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [NUMBER_LOCK]
        )
    top = Request.objects.aggregate(top=Max("number"))["top"] or 0
    return top + 1


def _event(request, *, actor, action, by_desk, status_from="", status_to="", **details) -> Event:
    return Event.objects.create(
        request=request,
        at=_now(),
        actor=actor if getattr(actor, "pk", None) else None,
        by_desk=by_desk,
        action=action,
        status_from=status_from,
        status_to=status_to,
        details=details,
    )


def request_path(request: Request) -> str:
    return reverse("dispatch:request", kwargs={"pk": request.pk})


def _member_requests_of(work: Request) -> list[Request]:
    """The members' requests the work concerns: the request itself, or those on a collective."""
    if work.is_collective:
        return list(Request.objects.filter(collective=work).only("id", "author_id", "holding_id"))
    return [work]


def _tell_members(work: Request, *, actor, subject: str, body: str = "") -> None:
    """Tell the member (or every member on a collective request) about a change of ``work``.
    A collective's text names no member (the association's key); one member's is under their
    holding's key. The one who acted is not told of their own act."""
    actor_id = getattr(actor, "pk", None)
    if work.is_collective:
        people = {r.author_id for r in _member_requests_of(work) if r.author_id} - {actor_id}
        if people:
            notify(
                actor=actor,
                kind=REQUEST_CHANGED,
                recipients=people,
                subject=subject,
                body=body,
                path=request_path(work),
            )
        return
    if work.author_id and work.author_id != actor_id:
        notify(
            actor=actor,
            kind=REQUEST_CHANGED,
            recipients=[work.author_id],
            subject=subject,
            body=body,
            path=request_path(work),
            holding_id=work.holding_id,
        )


def _title(work: Request) -> str:
    return _("Request № %(number)s") % {"number": work.number}


def _status_subject(work: Request) -> str:
    return _("%(title)s: %(status)s") % {"title": _title(work), "status": work.get_status_display()}


def _tell_desk(request: Request, *, actor, subject: str) -> None:
    notify_members(actor=actor, kind=DESK_NEWS, subject=subject, path=request_path(request))


# -- filing -------------------------------------------------------------------------------------


def _check_choice(value, choices, field: str, message: str) -> str:
    if value not in choices:
        raise ValidationError({field: message})
    return value


def _where(actor, *, place, premises, building):
    """(premises, building, holding id) of a member's request, or a refusal: the premises must
    be one of the member's own, a common area one of their buildings'."""
    homes = selectors.home_choices(actor)
    if not homes:
        raise ValidationError(
            _("Requests are filed for premises you own or live in; none is linked to your login.")
        )
    by_pk = {str(home.pk): home for home in homes}
    if place == Place.PREMISES:
        home = by_pk.get(str(getattr(premises, "pk", premises) or ""))
        if home is None:
            raise ValidationError({"premises": _("Choose one of your own premises.")})
        return home, home.building, selectors.holding_id_of(home.pk)
    building_id = str(getattr(building, "pk", building) or "")
    buildings = {str(home.building_id): home for home in homes}
    if place == Place.COMMON:
        home = buildings.get(building_id)
        if home is None:
            raise ValidationError({"building": _("Choose the building you live in.")})
        return None, home.building, selectors.holding_id_of(home.pk)
    # The territory: a building only when given (one of theirs); the key of their first home.
    home = buildings.get(building_id) if building_id else None
    if building_id and home is None:
        raise ValidationError({"building": _("Choose the building you live in.")})
    first = home or homes[0]
    return None, (home.building if home else None), selectors.holding_id_of(first.pk)


def _check_phone(contact_phone: str, share_phone: bool) -> str:
    phone = _text(contact_phone, limit=40)
    if phone:
        digits = normalize_phone(phone)
        if not 11 <= len(digits) <= 15:
            raise ValidationError({"contact_phone": _("Enter the phone as +7 900 123-45-67.")})
    if share_phone and not phone:
        raise ValidationError(
            {"contact_phone": _("Enter the phone the contractor may call, or do not share it.")}
        )
    return phone


def _store_photos(request: Request, photos, *, actor) -> list[Photo]:
    photos = [photo for photo in (photos or []) if photo is not None]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(count)d photos per request.") % {"count": MAX_PHOTOS}}
        )
    now = _now()
    checked = []
    for index, upload in enumerate(photos, start=1):  # all checked before the first is stored
        try:
            checked.append(files.check(upload, purpose=REQUEST_PHOTO))
        except ValidationError as error:
            raise ValidationError(
                {
                    "photos": [
                        _("Photo %(index)d: %(reason)s")
                        % {"index": index, "reason": " ".join(error.messages)}
                    ]
                }
            ) from None
    stored = [
        Photo(
            request=request,
            file=files.store(
                each, purpose=REQUEST_PHOTO, actor=actor, holding_id=request.holding_id
            ),
            added_by=actor,
            added_at=now,
        )
        for each in checked
    ]
    Photo.objects.bulk_create(stored)
    return stored


@transaction.atomic
def file_request(
    *,
    actor,
    category: str,
    place: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    kind: str = RequestKind.REPAIR,
    premises=None,
    building=None,
    location_note: str = "",
    access_time: str = "",
    contact_phone: str = "",
    share_phone: bool = False,
    photos=(),
) -> Request:
    """A member files a repair request or a complaint, with up to ``MAX_PHOTOS`` photos: all of
    it is stored, or nothing (a photo refused undoes the request)."""
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose a request or a complaint.")
    if category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    if place not in Place.values:
        errors["place"] = _("Choose where the problem is.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose the urgency.")
    description = _text(description, limit=MAX_DESCRIPTION + 1)
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("At most %(count)d characters.") % {"count": MAX_DESCRIPTION}
    if errors:
        raise ValidationError(errors)
    phone = _check_phone(contact_phone, share_phone)
    premises, building, holding_id = _where(
        actor, place=place, premises=premises, building=building
    )
    if holding_id is None:
        raise ValidationError(
            _("Your premises has no personal account yet: ask the board to open one.")
        )
    now = _now()
    suggestion = classifier.suggest(description)
    request = Request(
        number=_next_number(),
        kind=kind,
        category=category,
        suggested_category=suggestion.category,
        place=place,
        premises=premises,
        building=building,
        urgency=urgency,
        status=Status.NEW,
        author=actor,
        holding_id=holding_id,
        description=description,
        location_note=_text(location_note, limit=MAX_SHORT) or None,
        access_time=_text(access_time, limit=MAX_SHORT) or None,
        contact_phone=phone or None,
        share_phone=bool(share_phone and phone),
        filed_at=now,
        due_at=sla.due_at(category, urgency, now),
    )
    request.save(force_insert=True)
    stored = _store_photos(request, photos, actor=actor)
    _event(
        request,
        actor=actor,
        action=EventAction.FILED,
        by_desk=False,
        status_to=Status.NEW,
        photos=len(stored),
    )
    audit.record(
        "dispatch.request_filed",
        actor=actor,
        target=request,
        details={
            "number": request.number,
            "kind": kind,
            "category": category,
            "urgency": urgency,
            "place": place,
            "photos": len(stored),
            "suggested": suggestion.category,
        },
    )
    _tell_desk(
        request,
        actor=actor,
        subject=_("New %(kind)s № %(number)s: %(category)s, %(urgency)s")
        % {
            "kind": request.get_kind_display().lower(),
            "number": request.number,
            "category": request.get_category_display(),
            "urgency": request.get_urgency_display().lower(),
        },
    )
    return request


# -- comments and photos ------------------------------------------------------------------------


@transaction.atomic
def add_comment(request: Request, *, actor, text: str, by_desk: bool) -> Comment:
    """A comment: the member's on their own request, or the desk's. On a collective request
    the desk's comment is read by every member on it (under the association's key); on a
    member's own request it stays between them (under the member's holding's key)."""
    text = _text(text, limit=MAX_COMMENT + 1)
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"text": _("At most %(count)d characters.") % {"count": MAX_COMMENT}})
    if not by_desk and request.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who filed the request comments on it."))
    comment = Comment(
        request=request,
        author=actor if getattr(actor, "pk", None) else None,
        by_desk=by_desk,
        holding_id=request.holding_id,
        text=text,
        created_at=_now(),
    )
    comment.save(force_insert=True)
    _event(request, actor=actor, action=EventAction.COMMENTED, by_desk=by_desk)
    audit.record(
        "dispatch.commented",
        actor=actor,
        target=request,
        details={"number": request.number, "by_desk": by_desk},
    )
    if by_desk:
        _tell_members(
            request,
            actor=actor,
            subject=_("%(title)s: the dispatcher replied") % {"title": _title(request)},
        )
    else:
        _tell_desk(
            request,
            actor=actor,
            subject=_("%(title)s: the member commented") % {"title": _title(request)},
        )
    return comment


@transaction.atomic
def add_photos(request: Request, *, actor, photos) -> list[Photo]:
    """More photos to a member's own request (up to ``MAX_PHOTOS`` in all), all or nothing."""
    if request.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who filed the request adds photos to it."))
    photos = [photo for photo in (photos or []) if photo is not None]
    if not photos:
        raise ValidationError({"photos": _("Choose a photo.")})
    if request.status in (Status.CANCELLED, Status.REJECTED):
        raise ValidationError(_("This request is finished: it takes no more photos."))
    already = Photo.objects.filter(request=request).count()
    if already + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(count)d photos per request.") % {"count": MAX_PHOTOS}}
        )
    stored = _store_photos(request, photos, actor=actor)
    _event(request, actor=actor, action=EventAction.PHOTOS, by_desk=False, photos=len(stored))
    audit.record(
        "dispatch.photos_added",
        actor=actor,
        target=request,
        details={"number": request.number, "photos": len(stored)},
    )
    _tell_desk(
        request,
        actor=actor,
        subject=_("%(title)s: the member added photos") % {"title": _title(request)},
    )
    return stored


# -- the status machine -------------------------------------------------------------------------


def _locked(request: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).get(pk=request.pk)


def _move(work: Request, target: str, *, actor, by_desk: bool, **details) -> Request:
    """Apply an allowed transition to ``work`` (locked), with its dates, event and audit."""
    workflow.check(work.status, target, by_desk=by_desk)
    now = _now()
    previous = work.status
    work.status = target
    changed = ["status", "updated_at"]
    if target == Status.IN_PROGRESS and work.started_at is None:
        work.started_at = now
        changed.append("started_at")
    if target == Status.DONE:
        work.done_at = now
        changed.append("done_at")
    if target in (Status.CLOSED, Status.REJECTED, Status.CANCELLED):
        work.closed_at = now
        changed.append("closed_at")
    if target == Status.REOPENED:
        work.reopened_at = now
        work.reopen_count += 1
        work.done_at = None
        work.closed_at = None
        work.reminded_at = None
        work.escalated_at = None
        # The clock starts again from the reopening (the deadline of the original pair).
        work.due_at = sla.due_at(work.category, work.urgency, now)
        changed += [
            "reopened_at",
            "reopen_count",
            "done_at",
            "closed_at",
            "reminded_at",
            "escalated_at",
            "due_at",
        ]
    work.save(update_fields=changed)
    _event(
        work,
        actor=actor,
        action=EventAction.STATUS,
        by_desk=by_desk,
        status_from=previous,
        status_to=target,
        **details,
    )
    audit.record(
        "dispatch.status_changed",
        actor=actor,
        target=work,
        details={"number": work.number, "from": previous, "to": target, **details},
    )
    return work


def _cost(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({"cost": _("Enter the cost in roubles, e.g. 1500.00.")}) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal(10**10):
        raise ValidationError({"cost": _("Enter the cost in roubles, e.g. 1500.00.")})
    return amount


@transaction.atomic
def change_status(request: Request, *, actor, to: str, cost=None) -> Request:
    """The desk moves the work on (start, hold, done with its cost, close, reject, reopen)."""
    work = _locked(selectors.working(request))
    if work.status == Status.MERGED:
        raise ValidationError(_("This request was merged: work on the collective request."))
    if to == Status.ASSIGNED:
        raise ValidationError({"status": _("Assign the request to a supplier instead.")})
    amount = _cost(cost)
    if to == Status.DONE and amount is not None:
        work.cost = amount
        work.save(update_fields=["cost"])
    _move(work, to, actor=actor, by_desk=True)
    _tell_members(work, actor=actor, subject=_status_subject(work))
    return work


@transaction.atomic
def set_cost(request: Request, *, actor, cost) -> Request:
    """The cost of the work, where entered (the desk; any time after the work was done)."""
    work = _locked(request)
    amount = _cost(cost)
    if work.status not in (Status.DONE, Status.CLOSED):
        raise ValidationError({"cost": _("The cost is entered once the work is done.")})
    work.cost = amount
    work.save(update_fields=["cost", "updated_at"])
    audit.record(
        "dispatch.cost_set",
        actor=actor,
        target=work,
        details={"number": work.number, "cost": str(amount) if amount is not None else None},
    )
    return work


@transaction.atomic
def assign(request: Request, *, actor, supplier: Supplier | None, work_description: str = ""):
    """The desk gives the work to a supplier (or takes it back to the association's own staff:
    ``supplier=None``), with the job's wording for the work order."""
    work = _locked(selectors.working(request))
    if work.status == Status.MERGED:
        raise ValidationError(_("This request was merged: work on the collective request."))
    if work.status not in (
        Status.NEW,
        Status.ASSIGNED,
        Status.REOPENED,
        Status.IN_PROGRESS,
        Status.ON_HOLD,
    ):
        raise ValidationError(
            {
                "supplier": _("A request that is «%(status)s» cannot be assigned.")
                % {"status": work.get_status_display()}
            }
        )
    if supplier is not None and not supplier.active:
        raise ValidationError({"supplier": _("This supplier is no longer active.")})
    text = _text(work_description, limit=MAX_DESCRIPTION + 1)
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            {"work_description": _("At most %(count)d characters.") % {"count": MAX_DESCRIPTION}}
        )
    work.supplier = supplier
    work.assigned_at = _now()
    changed = ["supplier", "assigned_at", "updated_at"]
    if text:
        if work.is_collective:
            work.description = text
            changed.append("description")
        else:
            work.work_description = text
            changed.append("work_description")
    work.save(update_fields=changed)
    _event(
        work,
        actor=actor,
        action=EventAction.ASSIGNED,
        by_desk=True,
        supplier=str(supplier.pk) if supplier else None,
    )
    audit.record(
        "dispatch.assigned",
        actor=actor,
        target=work,
        details={"number": work.number, "supplier": str(supplier.pk) if supplier else None},
    )
    if work.status in (Status.NEW, Status.REOPENED):
        _move(work, Status.ASSIGNED, actor=actor, by_desk=True)
    _tell_members(
        work,
        actor=actor,
        subject=_("%(title)s: a contractor is assigned") % {"title": _title(work)},
    )
    return work


@transaction.atomic
def confirm_category(request: Request, *, actor, category: str) -> Request:
    """The desk confirms (or corrects) the category: the deadline follows a changed category,
    and the classifier learns from it."""
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    work = _locked(request)
    previous = work.category
    work.category = category
    work.category_confirmed_at = _now()
    changed = ["category", "category_confirmed_at", "updated_at"]
    if previous != category and work.is_open:
        work.due_at = sla.due_at(category, work.urgency, work.reopened_at or work.filed_at)
        changed.append("due_at")
    work.save(update_fields=changed)
    _event(
        work,
        actor=actor,
        action=EventAction.CLASSIFIED,
        by_desk=True,
        category_from=previous,
        category_to=category,
    )
    audit.record(
        "dispatch.classified",
        actor=actor,
        target=work,
        details={"number": work.number, "from": previous, "to": category},
    )
    return work


# -- the member's side --------------------------------------------------------------------------


@transaction.atomic
def cancel(request: Request, *, actor) -> Request:
    """The member withdraws their request before the work started."""
    own = _locked(request)
    if own.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who filed the request can withdraw it."))
    if own.collective_id:
        raise ValidationError(
            _("This request was joined with others: ask the dispatcher to withdraw it.")
        )
    _move(own, Status.CANCELLED, actor=actor, by_desk=False)
    _tell_desk(
        own, actor=actor, subject=_("%(title)s: withdrawn by the member") % {"title": _title(own)}
    )
    return own


@transaction.atomic
def rate(request: Request, *, actor, rating, comment: str = "") -> Request:
    """The member rates the work done (1–5, with a comment); their own request closes."""
    own = _locked(request)
    if own.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who filed the request rates the work."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    work = selectors.working(own)
    if work.pk != own.pk:
        work = _locked(work)
    if work.status not in (Status.DONE, Status.CLOSED):
        raise ValidationError({"rating": _("The work can be rated once it is done.")})
    if own.rating is not None:
        raise ValidationError({"rating": _("You have already rated this work.")})
    text = _text(comment, limit=MAX_COMMENT + 1)
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            {"comment": _("At most %(count)d characters.") % {"count": MAX_COMMENT}}
        )
    own.rating = rating
    own.rating_comment = text or None
    own.rated_at = _now()
    own.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    _event(own, actor=actor, action=EventAction.RATED, by_desk=False, rating=rating)
    audit.record(
        "dispatch.rated", actor=actor, target=own, details={"number": own.number, "rating": rating}
    )
    # The member's rating closes a request of their own; a collective one closes when every
    # member on it has rated (or by itself, ``AUTO_CLOSE_DAYS`` after the work was done).
    if work.status == Status.DONE:
        others = Request.objects.filter(collective=work, rating__isnull=True).exclude(pk=own.pk)
        if not work.is_collective or not others.exists():
            _move(work, Status.CLOSED, actor=actor, by_desk=False)
    _tell_desk(
        work,
        actor=actor,
        subject=_("%(title)s: rated %(rating)d of 5") % {"title": _title(work), "rating": rating},
    )
    return own


@transaction.atomic
def reopen(request: Request, *, actor, reason: str = "", by_desk: bool = False) -> Request:
    """The problem came back: the member reopens within ``REOPEN_DAYS`` after the work was done
    (a collective request reopens for everyone on it); the desk may reopen at any time."""
    own = _locked(request)
    if not by_desk and own.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who filed the request can reopen it."))
    work = selectors.working(own)
    if work.pk != own.pk:
        work = _locked(work)
    until = workflow.reopen_until(work.done_at)
    expired = until is None or _now() > until
    if not by_desk and work.status in (Status.DONE, Status.CLOSED) and expired:
        raise ValidationError(
            _(
                "A request can be reopened within %(days)d days after the work was done; "
                "please file a new one."
            )
            % {"days": workflow.REOPEN_DAYS}
        )
    text = _text(reason, limit=MAX_COMMENT + 1)
    _move(work, Status.REOPENED, actor=actor, by_desk=by_desk)
    if text:
        add_comment(own, actor=actor, text=text, by_desk=by_desk)
    _tell_members(work, actor=actor, subject=_status_subject(work))
    if not by_desk:
        _tell_desk(
            work,
            actor=actor,
            subject=_("%(title)s: reopened by the member") % {"title": _title(work)},
        )
    return work


# -- merging duplicates -------------------------------------------------------------------------


@transaction.atomic
def merge(requests, *, actor, description: str, into: Request | None = None) -> Request:
    """Join duplicate requests into one collective request (a new one, or ``into``): the work,
    deadline and supplier are tracked there; each member keeps their own text and photos, which
    the others never see; the shared description is the dispatcher's, under the association's
    key. Everyone on it is told."""
    ids = sorted({r.pk for r in requests} - ({into.pk} if into else set()))
    if len(ids) + (1 if into else 0) < 2:
        raise ValidationError(_("Choose at least two requests to join."))
    locked = list(
        Request.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("number")
    )
    if len(locked) != len(ids):
        raise ValidationError(_("Some of the requests no longer exist."))
    text = _text(description, limit=MAX_DESCRIPTION + 1)
    if into is not None:
        into = _locked(into)
        if not into.is_collective or into.status not in workflow.TRANSITIONS or not into.is_open:
            raise ValidationError(_("Requests can be joined only to an open collective request."))
    elif not text:
        raise ValidationError({"description": _("Write the shared description.")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": _("At most %(count)d characters.") % {"count": MAX_DESCRIPTION}}
        )
    for row in locked:
        if row.is_collective:
            raise ValidationError(_("A collective request cannot be joined into another one."))
        if not workflow.allowed(row.status, Status.MERGED):
            raise ValidationError(
                _("Request № %(number)s is «%(status)s»: only new or reopened requests are joined.")
                % {"number": row.number, "status": row.get_status_display()}
            )
    now = _now()
    if into is None:
        urgency = min((r.urgency for r in locked), key=URGENCY_ORDER.index)
        first = locked[0]
        buildings = {r.building_id for r in locked}
        into = Request(
            number=_next_number(),
            kind=first.kind,
            category=first.category,
            suggested_category="",
            category_confirmed_at=now,
            place=first.place if len({r.place for r in locked}) == 1 else Place.COMMON,
            building_id=buildings.pop() if len(buildings) == 1 else None,
            urgency=urgency,
            status=Status.NEW,
            is_collective=True,
            description=text,
            filed_at=now,
            due_at=min((r.due_at for r in locked if r.due_at), default=None),
        )
        into.save(force_insert=True)
        _event(into, actor=actor, action=EventAction.FILED, by_desk=True, status_to=Status.NEW)
        audit.record(
            "dispatch.collective_made",
            actor=actor,
            target=into,
            details={"number": into.number, "joined": [r.number for r in locked]},
        )
    elif text:
        into.description = text
        into.save(update_fields=["description", "updated_at"])
    for row in locked:
        previous = row.status
        workflow.check(previous, Status.MERGED, by_desk=True)
        row.status = Status.MERGED
        row.collective = into
        row.closed_at = None
        row.save(update_fields=["status", "collective", "closed_at", "updated_at"])
        _event(
            row,
            actor=actor,
            action=EventAction.MERGED,
            by_desk=True,
            status_from=previous,
            status_to=Status.MERGED,
            collective=into.number,
        )
    _event(
        into,
        actor=actor,
        action=EventAction.JOINED,
        by_desk=True,
        joined=len(locked),
    )
    audit.record(
        "dispatch.merged",
        actor=actor,
        target=into,
        details={"number": into.number, "joined": [r.number for r in locked]},
    )
    people = {r.author_id for r in locked if r.author_id} - {getattr(actor, "pk", None)}
    if people:
        notify(
            actor=actor,
            kind=REQUEST_CHANGED,
            recipients=people,
            subject=_(
                "Your request was joined with others about the same problem: collective request "
                "№ %(number)s"
            )
            % {"number": into.number},
            path=request_path(into),
        )
    return into


# -- deadlines ----------------------------------------------------------------------------------


def send_deadline_notices(now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind the desk of deadlines drawing near and escalate the missed ones to the board
    (each once per deadline: a conditional update claims it), and close requests done
    ``AUTO_CLOSE_DAYS`` ago that nobody rated. Counts only."""
    now = now or _now()
    counts = {"reminded": 0, "escalated": 0, "closed": 0}
    open_rows = Request.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
    for row in open_rows.filter(reminded_at__isnull=True, due_at__gt=now).only(
        "id", "number", "filed_at", "reopened_at", "due_at", "holding_id"
    ):
        start = row.reopened_at or row.filed_at
        if sla.remind_at(start, row.due_at) > now:
            continue
        with transaction.atomic():
            claimed = Request.objects.filter(pk=row.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            _event(row, actor=None, action=EventAction.REMINDED, by_desk=True)
            notify_members(
                actor=None,
                kind=DEADLINE_SOON,
                subject=_("%(title)s is due %(due)s")
                % {"title": _title(row), "due": _local_text(row.due_at)},
                path=request_path(row),
            )
            counts["reminded"] += 1
    for row in open_rows.filter(escalated_at__isnull=True, due_at__lte=now).only(
        "id", "number", "due_at", "holding_id"
    ):
        with transaction.atomic():
            claimed = Request.objects.filter(pk=row.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            _event(row, actor=None, action=EventAction.ESCALATED, by_desk=True)
            audit.record("dispatch.escalated", target=row, details={"number": row.number})
            notify_members(
                actor=None,
                kind=OVERDUE,
                subject=_("%(title)s is overdue: it was due %(due)s")
                % {"title": _title(row), "due": _local_text(row.due_at)},
                path=request_path(row),
            )
            counts["escalated"] += 1
    stale = now - datetime.timedelta(days=workflow.AUTO_CLOSE_DAYS)
    for row in Request.objects.filter(status=Status.DONE, done_at__lt=stale).only(
        "id", "number", "status", "holding_id"
    ):
        with transaction.atomic():
            work = Request.objects.select_for_update().filter(pk=row.pk, status=Status.DONE).first()
            if work is None:
                continue
            _move(work, Status.CLOSED, actor=None, by_desk=True, automatic=True)
            counts["closed"] += 1
    return counts


def _local_text(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, sla.association_zone()).strftime("%d.%m.%Y %H:%M")


# -- suppliers and the SLA table ----------------------------------------------------------------


def _categories(values) -> list[str]:
    chosen = [value for value in (values or []) if value]
    unknown = [value for value in chosen if value not in Category.values]
    if unknown:
        raise ValidationError({"categories": _("Choose categories from the list.")})
    return sorted(set(chosen), key=Category.values.index)


SUPPLIER_FIELDS = ("name", "inn", "categories", "contact_person", "phone", "email", "notes")


@transaction.atomic
def save_supplier(supplier: Supplier | None, *, actor, **values) -> Supplier:
    """Add a supplier or change one (name, ИНН, categories served, contacts)."""
    name = _text(values.get("name"), limit=300)
    if not name:
        raise ValidationError({"name": _("Enter the supplier's name.")})
    inn = _text(values.get("inn"), limit=20)
    if inn and (not inn.isdigit() or len(inn) not in (10, 12)):
        raise ValidationError({"inn": _("An ИНН has 10 or 12 digits.")})
    created = supplier is None
    supplier = supplier or Supplier()
    supplier.name = name
    supplier.inn = inn
    supplier.categories = _categories(values.get("categories"))
    for name_ in ("contact_person", "phone", "email", "notes"):
        setattr(supplier, name_, _text(values.get(name_), limit=1000) or None)
    if "active" in values:
        supplier.active = bool(values["active"])
    supplier.save()
    audit.record(
        "dispatch.supplier_added" if created else "dispatch.supplier_changed",
        actor=actor,
        target=supplier,
        details={"categories": supplier.categories},
    )
    return supplier


@transaction.atomic
def add_contract(
    supplier: Supplier,
    *,
    actor,
    number: str,
    signed_on,
    valid_from,
    valid_to=None,
    subject: str = "",
    amount=None,
):
    from tenants.dispatch.models import Contract

    number = _text(number, limit=60)
    errors = {}
    if not number:
        errors["number"] = _("Enter the contract's number.")
    if signed_on is None:
        errors["signed_on"] = _("Enter the date it was signed.")
    if valid_from is None:
        errors["valid_from"] = _("Enter the date it starts.")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        errors["valid_to"] = _("A contract cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            raise ValidationError({"amount": _("Enter an amount in roubles.")}) from None
        if amount < 0:
            raise ValidationError({"amount": _("Enter an amount in roubles.")})
    else:
        amount = None
    contract = Contract.objects.create(
        supplier=supplier,
        number=number,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_to=valid_to,
        subject=_text(subject, limit=300),
        amount=amount,
    )
    audit.record(
        "dispatch.contract_added",
        actor=actor,
        target=supplier,
        details={"contract": str(contract.pk)},
    )
    return contract


@transaction.atomic
def set_sla_hours(*, actor, category: str, urgency: str, hours, valid_from: datetime.date):
    """The board sets the hours of a category and urgency from a day on (a dated row: requests
    filed before keep their deadlines)."""
    from tenants.dispatch.models import SlaRule

    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose the urgency.")})
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= 2000:
        raise ValidationError({"hours": _("Enter whole hours from 1 to 2000.")})
    if valid_from is None:
        raise ValidationError({"valid_from": _("Enter the date it applies from.")})
    rule, _created = SlaRule.objects.update_or_create(
        category=category,
        urgency=urgency,
        valid_from=valid_from,
        defaults={"hours": hours, "created_by": actor if getattr(actor, "pk", None) else None},
    )
    audit.record(
        "dispatch.sla_set",
        actor=actor,
        target=rule,
        details={
            "category": category,
            "urgency": urgency,
            "hours": hours,
            "valid_from": valid_from.isoformat(),
        },
    )
    return rule
