"""The estimate as a general meeting's agenda material (``core.extensions.AgendaMaterial``)
and as a forum discussion's object (``core.extensions.DiscussionTarget``).

The voting app keeps (``budget.estimate``, the id of the version put to the meeting, its
SHA-256) on its question and asks these functions to find, show and accept it; when the
meeting's results are final it hands the outcome to ``services.meeting_outcome`` (from a task,
once), which records the decision through ``services.record_decision``. The voting app never
imports the budget.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.extensions import AgendaMeeting, MaterialView
from tenants.budget import arithmetic
from tenants.budget.models import Estimate, Line, Status, Version, VersionKind

#: The kinds this app declares.
ESTIMATE = "budget.estimate"
LINE = "budget.line"
#: The meeting that approves an estimate: the general meeting of members (ЖК РФ ст. 145 ч. 2
#: п. 8.1; 217-ФЗ ст. 17 ч. 1 п. 17), never the owners' meeting or the board.
MEETING_KIND = "members"


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# -- agenda material: the version put to the meeting ---------------------------------------------


def resolve_version(version_id: str) -> Version | None:
    pk = _uuid_or_none(version_id)
    if pk is None:
        return None
    return Version.objects.select_related("estimate").filter(pk=pk).first()


def describe_version(version: Version) -> MaterialView:
    """The estimate's version, linked to its page; the digest recomputed from the stored
    content, so a version altered in the database no longer matches what was put."""
    return MaterialView(
        title=_("Estimate for %(year)s, version %(n)s")
        % {"year": version.estimate.year, "n": version.number},
        url=reverse("budget:estimate", args=[version.estimate_id]),
        digest=arithmetic.digest(version.content),
    )


def can_read_version(user, version: Version) -> bool:
    from tenants.budget import selectors

    return selectors.estimates_visible_to(user).filter(pk=version.estimate_id).exists()


def accepts_version(version: Version, meeting: AgendaMeeting) -> str:
    """Why the version cannot go to ``meeting`` ("" when it can)."""
    from tenants.budget.services import ONLINE_KINDS, association_kind

    estimate = version.estimate
    last = estimate.versions.order_by("-number").first()
    if (
        estimate.status != Status.MEETING
        or version.kind != VersionKind.PUT_TO_MEETING
        or last is None
        or last.pk != version.pk
    ):
        return _("Only the estimate's version put to a meeting goes on the agenda.")
    if meeting.kind != MEETING_KIND:
        return _(
            "The estimate is approved by the general meeting of members (ЖК РФ ст. 145 ч. 2 "
            "п. 8.1; 217-ФЗ ст. 17 ч. 1 п. 17): choose a members' meeting."
        )
    if meeting.form == "online" and (
        association_kind() not in ONLINE_KINDS or not meeting.online_binds
    ):
        return _(
            "A homeowners' association approves its estimate at a general meeting of "
            "members (ЖК РФ ст. 145 ч. 2), in person, absentee or mixed, not online."
        )
    return ""


def outcome(result):
    from tenants.budget.services import meeting_outcome

    return meeting_outcome(result)


# -- discussions: an estimate and its lines ------------------------------------------------------


def resolve_estimate(estimate_id: str) -> Estimate | None:
    pk = _uuid_or_none(estimate_id)
    return Estimate.objects.filter(pk=pk).first() if pk is not None else None


def can_read_estimate(user, estimate: Estimate) -> bool:
    from tenants.budget import selectors

    return selectors.estimates_visible_to(user).filter(pk=estimate.pk).exists()


def estimate_url(estimate: Estimate) -> str:
    return reverse("budget:estimate", args=[estimate.pk])


def estimate_title(estimate: Estimate) -> str:
    return _("Estimate for %(year)s") % {"year": estimate.year}


def resolve_line(line_id: str) -> Line | None:
    pk = _uuid_or_none(line_id)
    return Line.objects.select_related("estimate").filter(pk=pk).first() if pk else None


def can_read_line(user, line: Line) -> bool:
    return can_read_estimate(user, line.estimate)


def line_url(line: Line) -> str:
    return reverse("budget:estimate", args=[line.estimate_id]) + f"#line-{line.pk}"


def line_title(line: Line) -> str:
    return _("Estimate for %(year)s: %(line)s") % {"year": line.estimate.year, "line": line.name}
