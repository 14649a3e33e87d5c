"""The law's rules for meetings and votes, kept as dated data (a versioned table in code).

Why a table in code and not rows a data migration seeds: the rules are the law, not the
association's settings; a change of the law ships with the code that reads it, reviewed, with
its source in the docstring and in ``docs/voting.md``, the same way ``tenants.profile.rules``
keeps the payment due day. Each rule carries a ``version`` that never changes once released: a
meeting records the version it was set up under (``Meeting.rule_version``) and is counted by it
even after a newer rule comes into force. Old versions are never removed.

Sources (current texts checked for this table, see ``docs/voting.md``):

* ЖК РФ ст. 44–48 (owners' general meeting, ОСС): who votes (owners, ст. 48 ч. 1), weight
  area × share (ст. 48 ч. 3, ст. 37 ч. 1), quorum more than 50 % of all votes (ст. 45 ч. 3),
  notice at least 10 days before (ст. 45 ч. 4), thresholds (ст. 46 ч. 1): a majority of the
  votes taking part by default; more than 50 % of all votes for ст. 44 ч. 2 пп. 1.1, 4, 4.2,
  4.7; at least two thirds of all votes for пп. 1, 1.1-1, 1.2, 1.3, 2, 3, 3.1, 3.8, 4.3;
  unanimity to reduce the common property (ст. 36 ч. 3, ст. 40 ч. 2);
* ЖК РФ ст. 47.1 as amended by 463-ФЗ of 13.12.2024 (from 01.03.2025): an owners' meeting in
  absentee form *using an information system* is valid only in ГИС ЖКХ or a regional system;
  voting lasts 7 to 60 days. An online vote on this portal therefore does not bind an ОСС (nor a
  ТСЖ members' meeting, to which ст. 146 ч. 1.1 extends ст. 45–48);
* ЖК РФ ст. 145–146 (ТСЖ members' meeting; a ТСН managing a building is treated alike):
  notice 10 days (ст. 146 ч. 1), votes weighted as in ст. 48 (ст. 146 ч. 1.1), quorum more than
  50 % of members' votes (ст. 146 ч. 3), at least 2/3 of all members' votes for ст. 145 ч. 2
  пп. 2, 6, 7, otherwise a majority of the votes present (ст. 146 ч. 4);
* ЖК РФ ст. 117 (ЖСК): quorum more than 50 % of members, a decision by more than half of the
  members present, more than three quarters of those present on questions the charter names;
  one vote per member; notice and online participation as the charter says (ст. 116 ч. 1;
  ГК РФ ст. 181.2 п. 1.1);
* 217-ФЗ ст. 17 (СНТ, ОНТ): one vote per member; notice at least two weeks (ч. 13); quorum more
  than 50 % of members (ч. 19); at least 2/3 of the votes present on ч. 1 пп. 1–6, 10, 17,
  21–26 (ч. 2), a simple majority of those present otherwise (ч. 4); individual gardeners
  (ст. 5 ч. 1) vote on the financial questions of ч. 3 (estimate, contributions, their
  justification); ст. 17.1 (312-ФЗ, from 14.07.2022): electronic voting binds when the
  general meeting decided it and the charter names the system;
* the board (ЖК РФ ст. 147 ч. 6; 217-ФЗ ст. 18 ч. 6): quorum at least half of the board's
  members, a majority of those present; its meetings are the association's own business and
  bind online when the charter allows it (the board confirms it when setting one up).

Counting arithmetic lives in ``tenants.voting.counting``; this module only says what is counted
against what.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Association kinds (``core.legal_details.LegalDetails.kind``).
TSZH, SNT, ZHSK, TSN, OTHER = "tszh", "snt", "zhsk", "tsn", "other"
HOUSING_KINDS = frozenset({TSZH, ZHSK, TSN, OTHER})
#: Partnerships whose members' meeting weighs votes by area (ЖК ст. 146 ч. 1.1 → ст. 48).
AREA_MEMBER_KINDS = frozenset({TSZH, TSN, OTHER})


class MeetingKind(models.TextChoices):
    OWNERS = "owners", _("Owners' general meeting")
    MEMBERS = "members", _("Members' general meeting")
    BOARD = "board", _("Board meeting")


class MeetingForm(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ABSENTEE = "absentee", _("Absentee (written decisions)")
    MIXED = "mixed", _("Mixed (in person and written decisions)")
    ONLINE = "online", _("Online on the portal")


class Electorate(models.TextChoices):
    OWNERS = "owners", _("owners of premises")
    MEMBERS = "members", _("members of the partnership")
    BOARD = "board", _("members of the board")


class Weighting(models.TextChoices):
    AREA_SHARE = "area_share", _("area × ownership share (ЖК РФ ст. 48 ч. 3)")
    PER_MEMBER = "per_member", _("one vote per member")


class Quorum(models.TextChoices):
    MORE_THAN_HALF = "more_than_half", _("more than half of all votes")
    AT_LEAST_HALF = "at_least_half", _("at least half of all votes")


class Threshold(models.TextChoices):
    MAJORITY_PRESENT = "majority_present", _("majority of the votes taking part")
    MAJORITY_ALL = "majority_all", _("more than half of all votes")
    TWO_THIRDS_ALL = "two_thirds_all", _("at least two thirds of all votes")
    TWO_THIRDS_PRESENT = "two_thirds_present", _("at least two thirds of the votes taking part")
    THREE_QUARTERS_PRESENT = (
        "three_quarters_present",
        _("more than three quarters of the votes taking part"),
    )
    UNANIMOUS = "unanimous", _("all votes (unanimity)")


class OnlineBinding(models.TextChoices):
    """Whether a vote cast online on this portal is a decision of the meeting."""

    NEVER = "never", _("not binding: only paper decisions count")
    CHARTER = "charter", _("binding when the charter names the portal")
    ALWAYS = "always", _("binding")


@dataclass(frozen=True)
class Bar:
    """What a threshold asks: ``votes for`` compared with ``part`` of the base, strictly or not."""

    part: Fraction
    strict: bool
    of_all: bool

    def met(self, votes_for: Fraction, present: Fraction, total: Fraction) -> bool:
        base = total if self.of_all else present
        if base <= 0:
            return False
        needed = base * self.part
        return votes_for > needed if self.strict else votes_for >= needed


BARS = {
    Threshold.MAJORITY_PRESENT: Bar(Fraction(1, 2), strict=True, of_all=False),
    Threshold.MAJORITY_ALL: Bar(Fraction(1, 2), strict=True, of_all=True),
    Threshold.TWO_THIRDS_ALL: Bar(Fraction(2, 3), strict=False, of_all=True),
    Threshold.TWO_THIRDS_PRESENT: Bar(Fraction(2, 3), strict=False, of_all=False),
    Threshold.THREE_QUARTERS_PRESENT: Bar(Fraction(3, 4), strict=True, of_all=False),
    Threshold.UNANIMOUS: Bar(Fraction(1), strict=False, of_all=True),
}

QUORUM_BARS = {
    Quorum.MORE_THAN_HALF: Bar(Fraction(1, 2), strict=True, of_all=True),
    Quorum.AT_LEAST_HALF: Bar(Fraction(1, 2), strict=False, of_all=True),
}


@dataclass(frozen=True)
class MeetingRule:
    """How one kind of meeting of one kind of association runs, from ``valid_from`` on."""

    version: str
    association_kinds: frozenset[str]
    meeting_kind: str
    valid_from: datetime.date
    electorate: str
    weighting: str
    quorum: str
    #: Whole days between the notice and the start, at least.
    notice_days: int
    thresholds: tuple[str, ...]
    online: str
    #: Individual gardeners (217-ФЗ ст. 5) vote on the questions marked for them.
    gardeners: bool = False
    #: Shortest and longest online voting, in days (ЖК ст. 47.1); None: no limit.
    online_days: tuple[int, int] | None = None
    basis: str = ""
    #: A written demand that obliges the board to call an extraordinary meeting: the part of
    #: all votes its signers must hold (``demand_strict``: more than it), and the days the board
    #: has to act. None: the charter decides (the portal does not collect such demands).
    demand_share: Fraction | None = None
    demand_strict: bool = False
    demand_days: int | None = None
    demand_basis: str = ""

    def demand_met(self, signed: Fraction, total: Fraction) -> bool:
        if self.demand_share is None or total <= 0:
            return False
        needed = total * self.demand_share
        return signed > needed if self.demand_strict else signed >= needed

    @property
    def default_threshold(self) -> str:
        return self.thresholds[0]

    def allows(self, threshold: str) -> bool:
        return threshold in self.thresholds

    def threshold_choices(self) -> list[tuple[str, str]]:
        return [(t, Threshold(t).label) for t in self.thresholds]

    def online_binds(self, *, charter_basis: str = "") -> bool:
        """Whether an online vote here is a decision (``charter_basis``: the charter's clause and
        the meeting's decision naming the portal, as the board recorded them)."""
        if self.online == OnlineBinding.ALWAYS:
            return True
        if self.online == OnlineBinding.CHARTER:
            return bool(charter_basis.strip())
        return False

    def forms(self) -> list[str]:
        """The forms a meeting under this rule may take on the portal. An online form is offered
        only where an online vote can bind; elsewhere members may still state their position
        online in an absentee or mixed meeting, shown as an opinion poll."""
        forms = [MeetingForm.IN_PERSON, MeetingForm.ABSENTEE, MeetingForm.MIXED]
        if self.online != OnlineBinding.NEVER:
            forms.append(MeetingForm.ONLINE)
        return forms


OSS_THRESHOLDS = (
    Threshold.MAJORITY_PRESENT,
    Threshold.MAJORITY_ALL,
    Threshold.TWO_THIRDS_ALL,
    Threshold.UNANIMOUS,
)
OSS_BASIS = _(
    "ЖК РФ ст. 44–48: owners vote by area × share (ст. 48 ч. 3); quorum more than 50 % of all "
    "votes (ст. 45 ч. 3); notice at least 10 days before (ст. 45 ч. 4); thresholds by question "
    "(ст. 46 ч. 1)"
)
TSZH_THRESHOLDS = (Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_ALL)
TSZH_BASIS = _(
    "ЖК РФ ст. 145–146: members vote by area × share (ст. 146 ч. 1.1, ст. 48 ч. 3); quorum more "
    "than 50 % of members' votes (ст. 146 ч. 3); notice at least 10 days before (ст. 146 ч. 1); "
    "at least 2/3 of all members' votes on ст. 145 ч. 2 пп. 2, 6, 7, otherwise a majority of the "
    "votes present (ст. 146 ч. 4)"
)
OSS_DEMAND_BASIS = _(
    "ЖК РФ ст. 45 ч. 6: on the written demand of owners holding at least 10 % of all votes the "
    "board prepares an extraordinary meeting within 45 days"
)
SNT_DEMAND_BASIS = _(
    "217-ФЗ ст. 17 ч. 7, 9: on the demand of more than one fifth of the members the board calls "
    "an extraordinary general meeting within 30 days"
)
BOARD_RULE_BASIS = _(
    "ЖК РФ ст. 147 ч. 6; 217-ФЗ ст. 18: quorum at least half of the board's members, decisions "
    "by a majority of those present; online as the charter allows"
)

RULES: tuple[MeetingRule, ...] = (
    # -- owners' general meeting (МКД): housing partnerships ----------------------------------
    MeetingRule(
        version="oss-2005",
        association_kinds=HOUSING_KINDS,
        meeting_kind=MeetingKind.OWNERS,
        valid_from=datetime.date.min,
        electorate=Electorate.OWNERS,
        weighting=Weighting.AREA_SHARE,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=10,
        thresholds=OSS_THRESHOLDS,
        # Before 463-ФЗ ст. 47.1 let the owners choose "another information system" by a decision
        # of their meeting: binding when the board records that decision.
        online=OnlineBinding.CHARTER,
        online_days=(7, 60),
        basis=OSS_BASIS,
        demand_share=Fraction(1, 10),
        demand_days=45,
        demand_basis=OSS_DEMAND_BASIS,
    ),
    MeetingRule(
        version="oss-2025-03",
        association_kinds=HOUSING_KINDS,
        meeting_kind=MeetingKind.OWNERS,
        valid_from=datetime.date(2025, 3, 1),
        electorate=Electorate.OWNERS,
        weighting=Weighting.AREA_SHARE,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=10,
        thresholds=OSS_THRESHOLDS,
        online=OnlineBinding.NEVER,
        online_days=(7, 60),
        basis=_(
            "ЖК РФ ст. 44–48 as amended by 463-ФЗ: from 1 March 2025 an electronic owners' "
            "meeting (ст. 47.1) is valid only in ГИС ЖКХ or a regional system, and the notice is "
            "posted in ГИС ЖКХ (ст. 45 ч. 4); votes by area × share (ст. 48 ч. 3); quorum more "
            "than 50 % of all votes (ст. 45 ч. 3); notice at least 10 days before; thresholds by "
            "question (ст. 46 ч. 1)"
        ),
        demand_share=Fraction(1, 10),
        demand_days=45,
        demand_basis=OSS_DEMAND_BASIS,
    ),
    # -- ТСЖ / ТСН members' meeting -----------------------------------------------------------
    MeetingRule(
        version="tszh-members-2005",
        association_kinds=AREA_MEMBER_KINDS,
        meeting_kind=MeetingKind.MEMBERS,
        valid_from=datetime.date.min,
        electorate=Electorate.MEMBERS,
        weighting=Weighting.AREA_SHARE,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=10,
        thresholds=TSZH_THRESHOLDS,
        online=OnlineBinding.CHARTER,
        online_days=(7, 60),
        basis=TSZH_BASIS,
    ),
    MeetingRule(
        version="tszh-members-2025-03",
        association_kinds=AREA_MEMBER_KINDS,
        meeting_kind=MeetingKind.MEMBERS,
        valid_from=datetime.date(2025, 3, 1),
        electorate=Electorate.MEMBERS,
        weighting=Weighting.AREA_SHARE,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=10,
        thresholds=TSZH_THRESHOLDS,
        # ст. 146 ч. 1.1 extends ст. 47.1, which since 463-ФЗ admits only ГИС ЖКХ.
        online=OnlineBinding.NEVER,
        online_days=(7, 60),
        basis=TSZH_BASIS,
    ),
    # -- ЖСК members' meeting -----------------------------------------------------------------
    MeetingRule(
        version="zhsk-members-2005",
        association_kinds=frozenset({ZHSK}),
        meeting_kind=MeetingKind.MEMBERS,
        valid_from=datetime.date.min,
        electorate=Electorate.MEMBERS,
        weighting=Weighting.PER_MEMBER,
        quorum=Quorum.MORE_THAN_HALF,
        # The charter sets the notice (ЖК ст. 116 ч. 1); the portal asks for ТСЖ's 10 days.
        notice_days=10,
        thresholds=(Threshold.MAJORITY_PRESENT, Threshold.THREE_QUARTERS_PRESENT),
        online=OnlineBinding.CHARTER,
        online_days=(7, 60),
        basis=_(
            "ЖК РФ ст. 117 ч. 1: one vote per member; quorum more than 50 % of members; decisions "
            "by more than half of the members present, more than three quarters on questions the "
            "charter names; notice and remote voting as the charter says (ст. 116 ч. 1; ГК РФ "
            "ст. 181.2 п. 1.1); the portal asks for at least 10 days' notice"
        ),
    ),
    # -- СНТ / ОНТ members' meeting -----------------------------------------------------------
    MeetingRule(
        version="snt-members-2019",
        association_kinds=frozenset({SNT}),
        meeting_kind=MeetingKind.MEMBERS,
        valid_from=datetime.date.min,
        electorate=Electorate.MEMBERS,
        weighting=Weighting.PER_MEMBER,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=14,
        thresholds=(Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_PRESENT),
        online=OnlineBinding.NEVER,
        gardeners=True,
        basis=_(
            "217-ФЗ ст. 17: one vote per member; notice at least two weeks before (ч. 13); "
            "quorum more than 50 % of members (ч. 19); at least 2/3 of the votes present on "
            "ч. 1 пп. 1–6, 10, 17, 21–26 (ч. 2), a majority of those present otherwise (ч. 4); "
            "individual gardeners vote on the financial questions of ч. 3"
        ),
        demand_share=Fraction(1, 5),
        demand_strict=True,
        demand_days=30,
        demand_basis=SNT_DEMAND_BASIS,
    ),
    MeetingRule(
        version="snt-members-2022-07",
        association_kinds=frozenset({SNT}),
        meeting_kind=MeetingKind.MEMBERS,
        valid_from=datetime.date(2022, 7, 14),
        electorate=Electorate.MEMBERS,
        weighting=Weighting.PER_MEMBER,
        quorum=Quorum.MORE_THAN_HALF,
        notice_days=14,
        thresholds=(Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_PRESENT),
        online=OnlineBinding.CHARTER,
        gardeners=True,
        # ст. 17.1 sets no length; the portal keeps ЖК ст. 47.1's 7–60 days.
        online_days=(7, 60),
        basis=_(
            "217-ФЗ ст. 17 and ст. 17.1 (from 14 July 2022): electronic voting binds when the "
            "general meeting decided it and the charter names the system; one vote per member; "
            "notice at least two weeks before; quorum more than 50 % of members; 2/3 of the "
            "votes present on the questions of ч. 2; individual gardeners vote on ч. 3's "
            "financial questions"
        ),
        demand_share=Fraction(1, 5),
        demand_strict=True,
        demand_days=30,
        demand_basis=SNT_DEMAND_BASIS,
    ),
    # -- board meetings (every kind) -------------------------------------------------------------
    MeetingRule(
        version="board-2005",
        association_kinds=HOUSING_KINDS | {SNT},
        meeting_kind=MeetingKind.BOARD,
        valid_from=datetime.date.min,
        electorate=Electorate.BOARD,
        weighting=Weighting.PER_MEMBER,
        quorum=Quorum.AT_LEAST_HALF,
        notice_days=0,
        thresholds=(Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_ALL),
        online=OnlineBinding.ALWAYS,
        basis=BOARD_RULE_BASIS,
    ),
)

BY_VERSION = {rule.version: rule for rule in RULES}
assert len(BY_VERSION) == len(RULES), "two rules share a version"


class NoRule(LookupError):
    """No meeting of this kind exists for this kind of association."""


def rule_for(association_kind: str, meeting_kind: str, on: datetime.date) -> MeetingRule:
    """The rule in force on ``on`` for a meeting of ``meeting_kind`` of an association of
    ``association_kind`` (the latest whose ``valid_from`` is not after ``on``)."""
    found = [
        rule
        for rule in RULES
        if association_kind in rule.association_kinds
        and rule.meeting_kind == meeting_kind
        and rule.valid_from <= on
    ]
    if not found:
        raise NoRule(f"{association_kind}/{meeting_kind}")
    return max(found, key=lambda rule: rule.valid_from)


def by_version(version: str) -> MeetingRule:
    """The rule a meeting recorded; a released version is never removed."""
    return BY_VERSION[version]


def meeting_kinds(association_kind: str) -> list[str]:
    """The kinds of meeting an association of this kind holds."""
    return [
        kind
        for kind in MeetingKind.values
        if any(
            association_kind in rule.association_kinds and rule.meeting_kind == kind
            for rule in RULES
        )
    ]
