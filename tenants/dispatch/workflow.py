"""The status machine of a request: every allowed transition is here, and nowhere else.

::

    new ──► assigned ──► in_progress ──► done ──► closed
     │  ╲       │   ╲         ▲  │         │        │
     │   ╲      │    ╲        │  ▼         ▼        ▼
     │    ╲     │     ╲─► on_hold      reopened ◄───┘
     ▼     ▼    ▼                          │
  merged  rejected / cancelled             └──► assigned, in_progress, rejected, merged

* The **desk** (dispatcher, board) moves a request along: assigns it (``services.assign``),
  starts, holds, finishes, rejects, closes, merges duplicates, and reopens when a member calls.
* The **member** cancels their own request before work starts, closes it by rating the work,
  and reopens it within ``REOPEN_DAYS`` after it was done if the problem came back.
* ``rejected``, ``cancelled`` and ``merged`` are final; ``closed`` is final unless reopened.

A refused transition raises ``ValidationError`` with a message in the reader's language
(Russian first).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tenants.dispatch.models import Status

#: Days after the work was done during which the member may reopen the request.
REOPEN_DAYS = 30
#: Days after the work was done after which an unrated request closes by itself.
AUTO_CLOSE_DAYS = 7

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED, Status.CANCELLED, Status.MERGED}
    ),
    Status.ASSIGNED: frozenset(
        {Status.IN_PROGRESS, Status.ON_HOLD, Status.DONE, Status.REJECTED, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.DONE}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.DONE, Status.REJECTED}),
    Status.DONE: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset(
        {Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED, Status.MERGED}
    ),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.MERGED: frozenset(),
}

#: What a member may do to their own request (the rest is the desk's).
MEMBER_TRANSITIONS = frozenset({Status.CANCELLED, Status.CLOSED, Status.REOPENED})
#: What the desk may not do in a member's stead: withdraw the member's request.
DESK_TRANSITIONS = frozenset(set(Status.values) - {Status.CANCELLED})
#: Transitions the desk chooses from a button on the request's page (the rest have their own
#: forms: assignment, merging).
DESK_BUTTONS = (
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.DONE,
    Status.CLOSED,
    Status.REOPENED,
    Status.REJECTED,
)


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check(current: str, target: str, *, by_desk: bool) -> None:
    """Refuse a transition the machine or the actor's side does not allow."""
    if target not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not allowed(current, target):
        raise ValidationError(
            {
                "status": _("A request that is «%(current)s» cannot become «%(target)s».")
                % {"current": Status(current).label, "target": Status(target).label}
            }
        )
    permitted = DESK_TRANSITIONS if by_desk else MEMBER_TRANSITIONS
    if target not in permitted:
        raise ValidationError({"status": _("Only the dispatcher can do this.")})


def next_for_desk(current: str) -> list[str]:
    """The buttons the desk sees for a request in ``current``, in a steady order."""
    return [status for status in DESK_BUTTONS if allowed(current, status)]


def reopen_until(done_at: datetime.datetime | None) -> datetime.datetime | None:
    if done_at is None:
        return None
    return done_at + datetime.timedelta(days=REOPEN_DAYS)
