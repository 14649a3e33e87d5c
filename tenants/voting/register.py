"""The register of voters as the registry shows it on a day (read, not yet frozen).

Who is on it follows the meeting's rule (``rules.Electorate``, ``rules.Weighting``):

* **owners** (ОСС, ЖК РФ ст. 48): every share of premises owned on the day, in the meeting's
  building (all buildings when it names none): one line per owner record and premises, weight
  area × share (ст. 48 ч. 3). All votes are the total area of the premises, owned or not, so an
  unrecorded owner counts as absent, never as missing from the total;
* **members by area** (ТСЖ, ТСН; ЖК ст. 146 ч. 1.1): the same lines for members only
  (``member_selectors.members_as_of``: one person, dated membership), all votes being the
  members' area × share;
* **members, one vote each** (ЖСК ст. 117, СНТ 217-ФЗ ст. 17): one line per member whatever
  they own (a member with a flat and a parking place has one vote), weight 1; for СНТ, also one
  line per individual gardener (an owner of a plot who is not a member on the day), who votes
  on the questions marked for them and is not counted for the quorum;
* **board**: one line per login holding a board role, weight 1.

Nothing personal is read or kept: owner ids, premises, areas and shares.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from core.access.roles import BOARD
from tenants.residents.member_selectors import members_as_of, owner_groups
from tenants.residents.models import Ownership, Premises
from tenants.residents.selectors import current
from tenants.voting.models import Meeting, Voter
from tenants.voting.rules import Electorate, MeetingRule, Weighting
from tenants.voting.shares import format_fraction

#: Labels are records (like the protocol): written in the association's language.
LABEL_LANGUAGE = settings.LANGUAGE_CODE


@dataclass
class Line:
    kind: str
    weight: Fraction
    premises: Premises | None = None
    share: Fraction = Fraction(1)
    owner_ids: list = field(default_factory=list)
    user_id: object = None
    counts_for_quorum: bool = True
    label: str = ""
    #: Joint owners without shares (ГК РФ ст. 253): one line, one decision for their part.
    joint: bool = False

    @property
    def area(self) -> Decimal | None:
        return self.premises.area if self.premises is not None else None


@dataclass
class Register:
    lines: list[Line]
    #: All votes: the base of the quorum and of the thresholds "of all votes".
    total: Fraction


def voter_row(meeting: Meeting, line: Line, **placed) -> Voter:
    """A register line as the meeting's voter row, unsaved; ``placed``: its position and, for a
    line added during the meeting, the day it starts and its generation."""
    return Voter(
        meeting=meeting,
        kind=line.kind,
        premises=line.premises,
        share_numerator=line.share.numerator,
        share_denominator=line.share.denominator,
        area=line.area,
        weight_numerator=line.weight.numerator,
        weight_denominator=line.weight.denominator,
        owner_ids=line.owner_ids,
        joint=line.joint,
        user_id=line.user_id,
        counts_for_quorum=line.counts_for_quorum,
        label=line.label,
        **placed,
    )


#: ``Voter.label``'s length: a member with many plots is listed up to it, then "…".
LABEL_LENGTH = 200


def _fit(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def premises_label(premises: Premises) -> str:
    with translation.override(LABEL_LANGUAGE):
        return f"{premises.building.name}, {premises.get_kind_display()} {premises.number}"


def _area(premises: Premises) -> Fraction:
    return Fraction(premises.area)


def _scope(building) -> list[Premises]:
    premises = Premises.objects.select_related("building")
    if building is not None:
        premises = premises.filter(building=building)
    return list(premises.order_by("building__name", "kind", "number"))


def _owners(on: datetime.date, building) -> Register:
    premises = _scope(building)
    by_id = {p.pk: p for p in premises}
    shares = (
        Ownership.objects.filter(current(on=on), premises_id__in=list(by_id))
        .filter(owner__holding__erased_at__isnull=True)
        .order_by("premises__building__name", "premises__kind", "premises__number", "owner_id")
        .values_list("premises_id", "owner_id", "share_numerator", "share_denominator", "joint")
    )
    lines = []
    joint_lines: dict = {}
    for premises_id, owner_id, numerator, denominator, joint in shares:
        place = by_id[premises_id]
        share = Fraction(numerator, denominator)
        if joint and premises_id in joint_lines:
            joint_lines[premises_id].owner_ids.append(owner_id)
            continue
        line = Line(
            kind="owner",
            weight=_area(place) * share,
            premises=place,
            share=share,
            owner_ids=[owner_id],
            label=_fit(f"{premises_label(place)} · {_share_text(share, joint)}"),
            joint=joint,
        )
        if joint:
            joint_lines[premises_id] = line
        lines.append(line)
    total = sum((_area(p) for p in premises), Fraction(0))
    return Register(lines, total)


def _share_text(share: Fraction, joint: bool) -> str:
    if not joint:
        return format_fraction(share)
    with translation.override(LABEL_LANGUAGE):
        return f"{format_fraction(share)} ({translation.gettext('joint ownership')})"


def _members_by_area(on: datetime.date, building) -> Register:
    lines = []
    joint_lines: dict = {}
    for member in members_as_of(on):
        for holder in member.holdings:
            if building is not None and holder.premises.building_id != building.pk:
                continue
            if holder.joint and holder.premises.pk in joint_lines:
                # Joint owners who are both members hold the one part together: one line.
                joint_lines[holder.premises.pk].owner_ids.extend(member.owner_ids)
                continue
            line = Line(
                kind="member",
                weight=_area(holder.premises) * holder.share,
                premises=holder.premises,
                share=holder.share,
                owner_ids=list(member.owner_ids),
                label=_fit(
                    f"{premises_label(holder.premises)} · {_share_text(holder.share, holder.joint)}"
                ),
                joint=holder.joint,
            )
            if holder.joint:
                joint_lines[holder.premises.pk] = line
            lines.append(line)
    return Register(lines, sum((line.weight for line in lines), Fraction(0)))


def _places(holdings) -> str:
    return _fit("; ".join(premises_label(h.premises) for h in holdings))


def _members_one_each(on: datetime.date, *, gardeners: bool) -> Register:
    members = members_as_of(on)
    lines = [
        Line(
            kind="member",
            weight=Fraction(1),
            owner_ids=list(member.owner_ids),
            label=_places(member.holdings),
        )
        for member in members
    ]
    total = Fraction(len(lines))
    if gardeners:
        lines += _gardeners(on, {pk for m in members for pk in m.owner_ids})
    return Register(lines, total)


def _gardeners(on: datetime.date, member_owner_ids: set) -> list[Line]:
    """Owners of plots on ``on`` who are not members: one line per person (217-ФЗ ст. 5)."""
    groups = owner_groups()
    ownerships = (
        Ownership.objects.filter(current(on=on))
        .filter(owner__holding__erased_at__isnull=True)
        .exclude(owner_id__in=member_owner_ids)
        .select_related("premises__building")
        .order_by("premises__building__name", "premises__kind", "premises__number")
    )
    people: dict = defaultdict(list)
    for ownership in ownerships:
        key = groups.get(ownership.owner_id, ("owner", ownership.owner_id))
        people[key].append(ownership)
    lines = []
    for records in people.values():
        owner_ids = sorted({o.owner_id for o in records}, key=str)
        lines.append(
            Line(
                kind="gardener",
                weight=Fraction(1),
                owner_ids=owner_ids,
                counts_for_quorum=False,
                label=_fit("; ".join(premises_label(o.premises) for o in records)),
            )
        )
    return lines


def _board() -> Register:
    users = (
        get_user_model()
        .objects.filter(is_active=True, roles__overlap=sorted(BOARD))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lines = [Line(kind="board", weight=Fraction(1), user_id=pk) for pk in users]
    return Register(lines, Fraction(len(lines)))


def register_on(rule: MeetingRule, on: datetime.date, *, building=None) -> Register:
    """The register a meeting under ``rule`` would freeze on ``on``."""
    if rule.electorate == Electorate.BOARD:
        return _board()
    if rule.electorate == Electorate.OWNERS:
        return _owners(on, building)
    if rule.weighting == Weighting.AREA_SHARE:
        return _members_by_area(on, building)
    return _members_one_each(on, gardeners=rule.gardeners)
