"""The rule table: which rule is in force on a day, and what each rule says (no database)."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest

from tenants.voting import rules
from tenants.voting.rules import (
    BARS,
    QUORUM_BARS,
    Electorate,
    MeetingForm,
    MeetingKind,
    OnlineBinding,
    Quorum,
    Threshold,
    Weighting,
)

BEFORE_463 = datetime.date(2025, 2, 28)
FROM_463 = datetime.date(2025, 3, 1)


def test_every_version_is_unique_and_found_by_its_name():
    assert len({r.version for r in rules.RULES}) == len(rules.RULES)
    for rule in rules.RULES:
        assert rules.by_version(rule.version) is rule


def test_an_owners_meeting_binds_online_until_463_fz_and_never_after():
    before = rules.rule_for("tszh", MeetingKind.OWNERS, BEFORE_463)
    after = rules.rule_for("tszh", MeetingKind.OWNERS, FROM_463)
    assert before.version == "oss-2005"
    assert after.version == "oss-2025-03"
    assert before.online_binds(charter_basis="решение ОСС от 01.02.2024, п. 3")
    assert not before.online_binds(charter_basis="")
    assert not after.online_binds(charter_basis="устав п. 9.1")
    assert MeetingForm.ONLINE in before.forms()
    assert MeetingForm.ONLINE not in after.forms()


@pytest.mark.parametrize("kind", ["tszh", "zhsk", "tsn", "other"])
def test_owners_meeting_weighs_area_by_share_with_a_10_day_notice(kind):
    rule = rules.rule_for(kind, MeetingKind.OWNERS, FROM_463)
    assert rule.electorate == Electorate.OWNERS
    assert rule.weighting == Weighting.AREA_SHARE
    assert rule.quorum == Quorum.MORE_THAN_HALF
    assert rule.notice_days == 10
    assert set(rule.thresholds) == {
        Threshold.MAJORITY_PRESENT,
        Threshold.MAJORITY_ALL,
        Threshold.TWO_THIRDS_ALL,
        Threshold.UNANIMOUS,
    }


def test_a_gardening_partnership_holds_no_owners_meeting():
    with pytest.raises(rules.NoRule):
        rules.rule_for("snt", MeetingKind.OWNERS, FROM_463)
    assert rules.meeting_kinds("snt") == [MeetingKind.MEMBERS, MeetingKind.BOARD]
    assert rules.meeting_kinds("tszh") == [
        MeetingKind.OWNERS,
        MeetingKind.MEMBERS,
        MeetingKind.BOARD,
    ]


def test_tszh_members_weigh_by_area_and_decide_by_two_thirds_of_all_or_majority_present():
    rule = rules.rule_for("tszh", MeetingKind.MEMBERS, FROM_463)
    assert rule.electorate == Electorate.MEMBERS
    assert rule.weighting == Weighting.AREA_SHARE
    assert rule.notice_days == 10
    assert rule.thresholds == (Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_ALL)
    assert rule.online == OnlineBinding.NEVER
    assert rules.rule_for("tsn", MeetingKind.MEMBERS, FROM_463) is rule


def test_zhsk_has_one_vote_per_member_and_three_quarters_of_those_present():
    rule = rules.rule_for("zhsk", MeetingKind.MEMBERS, FROM_463)
    assert rule.weighting == Weighting.PER_MEMBER
    assert rule.thresholds == (Threshold.MAJORITY_PRESENT, Threshold.THREE_QUARTERS_PRESENT)
    assert rule.online_binds(charter_basis="устав п. 7.4")


def test_snt_binds_online_by_its_charter_only_from_17_1():
    old = rules.rule_for("snt", MeetingKind.MEMBERS, datetime.date(2022, 7, 13))
    new = rules.rule_for("snt", MeetingKind.MEMBERS, datetime.date(2022, 7, 14))
    assert (old.version, new.version) == ("snt-members-2019", "snt-members-2022-07")
    assert not old.online_binds(charter_basis="устав п. 10")
    assert new.online_binds(charter_basis="устав п. 10; решение ОС от 01.06.2023")
    assert not new.online_binds(charter_basis="  ")
    assert new.notice_days == 14
    assert new.gardeners
    assert new.weighting == Weighting.PER_MEMBER
    assert new.thresholds == (Threshold.MAJORITY_PRESENT, Threshold.TWO_THIRDS_PRESENT)


def test_the_board_needs_at_least_half_and_binds_online():
    rule = rules.rule_for("snt", MeetingKind.BOARD, FROM_463)
    assert rule.quorum == Quorum.AT_LEAST_HALF
    assert rule.online_binds()
    assert rule.notice_days == 0


def test_bars_at_their_boundaries():
    total, present = Fraction(300), Fraction(200)
    majority = BARS[Threshold.MAJORITY_PRESENT]
    assert not majority.met(Fraction(100), present, total)  # exactly half: no majority
    assert majority.met(Fraction(100) + Fraction(1, 100), present, total)
    two_thirds = BARS[Threshold.TWO_THIRDS_ALL]
    assert two_thirds.met(Fraction(200), present, total)  # exactly 2/3: enough
    assert not two_thirds.met(Fraction(200) - Fraction(1, 100), present, total)
    three_quarters = BARS[Threshold.THREE_QUARTERS_PRESENT]
    assert not three_quarters.met(Fraction(150), present, total)  # exactly 3/4: not more
    assert three_quarters.met(Fraction(151), present, total)
    unanimous = BARS[Threshold.UNANIMOUS]
    assert unanimous.met(total, present, total)
    assert not unanimous.met(total - Fraction(1, 100), present, total)
    assert not QUORUM_BARS[Quorum.MORE_THAN_HALF].met(Fraction(150), Fraction(150), total)
    assert QUORUM_BARS[Quorum.AT_LEAST_HALF].met(Fraction(150), Fraction(150), total)
    assert not majority.met(Fraction(0), Fraction(0), Fraction(0))
