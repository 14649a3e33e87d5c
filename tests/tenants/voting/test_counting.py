"""Worked cases for each kind of partnership, counted from real registers and decisions:
the quorum boundary (exactly half is not a quorum), the 2/3 boundary, one vote per member."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.voting import selectors, services
from tenants.voting.models import Source
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import DURING, line_of, owned, use_kind, voting

PDF = b"%PDF-1.4\nsigned decision\n"


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "owner"])


def paper(chairman, voter, choices):
    """A signed written decision entered by the board, with its scan."""
    return services.enter_paper(
        actor=chairman,
        voter=voter,
        choices=choices,
        scan_upload=SimpleUploadedFile("decision.pdf", PDF),
        now=DURING,
    )


def first_question(meeting):
    return meeting.questions.get(number=1)


# -- ОСС: area × share, more than half of all votes -----------------------------------------------


def test_owners_meeting_exactly_half_is_no_quorum(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _, (a,) = owned(building, "50.00")
    _, (b1, b2) = owned(building, "30.00", Fraction(1, 2), Fraction(1, 2))
    owned(building, "20.00")
    meeting = voting(actor=chairman, building=building)
    assert meeting.total == Fraction(100)
    question = first_question(meeting)

    paper(chairman, line_of(meeting, a), {question.pk: "for"})
    result = selectors.tally(meeting)
    assert result.present == Fraction(50)
    assert not result.quorum_met  # exactly half of 100
    assert not result.question(question.pk).adopted

    paper(chairman, line_of(meeting, b1), {question.pk: "against"})
    result = selectors.tally(meeting)
    assert result.present == Fraction(65)  # 50 + 30 × 1/2
    assert result.quorum_met
    row = result.question(question.pk)
    assert (row.votes_for, row.against, row.abstain) == (50, 15, 0)
    assert row.adopted  # 50 of 65 taking part
    assert str(row.of_all(row.votes_for)) == "50.00"
    assert str(row.of_present(row.votes_for)) == "76.92"


def test_owners_meeting_two_thirds_of_all_at_the_boundary(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _, (a,) = owned(building, "45.00")
    _, (b,) = owned(building, "30.00")
    _, (c,) = owned(building, "15.00")
    meeting = voting(
        actor=chairman,
        building=building,
        questions=(("Капитальный ремонт крыши", Threshold.TWO_THIRDS_ALL),),
    )
    question = first_question(meeting)
    paper(chairman, line_of(meeting, a), {question.pk: "for"})
    paper(chairman, line_of(meeting, c), {question.pk: "abstain"})
    assert not selectors.tally(meeting).question(question.pk).adopted  # 45 < 60
    paper(chairman, line_of(meeting, c), {question.pk: "for"})  # changes the decision
    result = selectors.tally(meeting)
    row = result.question(question.pk)
    assert row.votes_for == Fraction(60) == meeting.total * Fraction(2, 3)
    assert row.abstain == 0  # the change counts once
    assert row.adopted


def test_online_decisions_in_an_owners_meeting_are_opinions_not_votes(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    owner_login = UserFactory(roles=["owner"])
    _, (a,) = owned(building, "60.00", users={0: owner_login})
    owned(building, "40.00")
    meeting = voting(actor=chairman, building=building, form=MeetingForm.MIXED)
    assert not meeting.online_binds
    question = first_question(meeting)
    services.cast(
        actor=owner_login, voter=line_of(meeting, a), choices={question.pk: "for"}, now=DURING
    )
    votes = selectors.tally(meeting)
    assert votes.present == 0 and not votes.quorum_met
    opinions = selectors.tally(meeting, opinions=True)
    assert opinions.question(question.pk).votes_for == Fraction(60)


# -- ТСЖ members: area × share among members ------------------------------------------------------


def test_tszh_members_count_members_area_only(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _, (a,) = owned(building, "40.00", members=True)
    _, (b,) = owned(building, "40.00", members=True)
    owned(building, "70.00")  # not a member: not on the register
    meeting = voting(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        questions=(("Реорганизация товарищества", Threshold.TWO_THIRDS_ALL),),
    )
    assert meeting.total == Fraction(80)
    assert meeting.voters.count() == 2
    question = first_question(meeting)
    paper(chairman, line_of(meeting, a), {question.pk: "for"})
    result = selectors.tally(meeting)
    assert not result.quorum_met  # 40 of 80: exactly half
    paper(chairman, line_of(meeting, b), {question.pk: "against"})
    result = selectors.tally(meeting)
    assert result.quorum_met
    assert not result.question(question.pk).adopted  # 40 < 2/3 of 80


# -- ЖСК: one vote per member ---------------------------------------------------------------------


def test_zhsk_member_with_two_premises_has_one_vote(monkeypatch, chairman):
    use_kind(monkeypatch, "zhsk")
    building = BuildingFactory()
    _, (flat_owner,) = owned(building, "80.00", members=True, emails={0: "two@example.test"})
    _, (parking_owner,) = owned(building, "15.00", members=True, emails={0: "two@example.test"})
    _, (b,) = owned(building, "40.00", members=True)
    _, (c,) = owned(building, "40.00", members=True)
    _, (d,) = owned(building, "40.00", members=True)
    meeting = voting(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        questions=(
            ("Избрать правление", Threshold.MAJORITY_PRESENT),
            ("Изменить устав", Threshold.THREE_QUARTERS_PRESENT),
        ),
    )
    assert meeting.total == 4  # four people, five premises
    two = line_of(meeting, flat_owner)
    assert line_of(meeting, parking_owner) == two
    assert two.weight == 1
    q1, q2 = meeting.questions.order_by("number")
    paper(chairman, two, {q1.pk: "for", q2.pk: "for"})
    paper(chairman, line_of(meeting, b), {q1.pk: "for", q2.pk: "for"})
    result = selectors.tally(meeting)
    assert not result.quorum_met  # 2 of 4: exactly half
    paper(chairman, line_of(meeting, c), {q1.pk: "against", q2.pk: "for"})
    paper(chairman, line_of(meeting, d), {q1.pk: "against", q2.pk: "for"})
    result = selectors.tally(meeting)
    assert result.quorum_met and result.present == 4
    assert not result.question(q1.pk).adopted  # 2 of 4 present: not more than half
    assert result.question(q2.pk).adopted  # 4 of 4: more than three quarters


# -- СНТ: one vote per member, 2/3 of those present, gardeners on financial questions ------------


def test_snt_two_thirds_of_present_and_gardeners_on_the_estimate(monkeypatch, chairman):
    use_kind(monkeypatch, "snt")
    building = BuildingFactory(name="СНТ Бета, линия 1")
    members = [owned(building, "600.00", members=True)[1][0] for _ in range(6)]
    _, (gardener,) = owned(building, "600.00")  # owns a plot, not a member
    meeting = voting(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        questions=(
            ("Утвердить приходно-расходную смету", Threshold.MAJORITY_PRESENT, True),
            ("Исключить члена товарищества", Threshold.TWO_THIRDS_PRESENT),
        ),
    )
    assert meeting.total == 6  # members only: gardeners do not count for the quorum
    estimate, exclusion = meeting.questions.order_by("number")
    gardener_line = line_of(meeting, gardener)
    assert gardener_line.kind == "gardener" and not gardener_line.counts_for_quorum

    for owner in members[:3]:
        paper(chairman, line_of(meeting, owner), {estimate.pk: "for", exclusion.pk: "for"})
    assert not selectors.tally(meeting).quorum_met  # 3 of 6
    paper(chairman, line_of(meeting, members[3]), {estimate.pk: "against", exclusion.pk: "for"})
    paper(chairman, line_of(meeting, members[4]), {estimate.pk: "against", exclusion.pk: "against"})
    paper(chairman, line_of(meeting, members[5]), {estimate.pk: "against", exclusion.pk: "against"})
    result = selectors.tally(meeting)
    assert result.quorum_met and result.present == 6
    assert not result.question(estimate.pk).adopted  # 3 for of 6 present
    row = result.question(exclusion.pk)
    assert row.votes_for == 4 and row.adopted  # 4 of 6: exactly two thirds

    paper(chairman, gardener_line, {estimate.pk: "for"})  # the gardener tips the estimate
    result = selectors.tally(meeting)
    assert result.present == 6  # the quorum is still counted by members
    row = result.question(estimate.pk)
    assert (row.votes_for, row.present) == (4, 7)
    assert row.adopted
    with pytest.raises(Exception, match="217-ФЗ"):
        paper(chairman, gardener_line, {exclusion.pk: "for"})


def test_a_changed_vote_counts_once_and_its_history_stays(monkeypatch, chairman):
    use_kind(monkeypatch, "snt")
    building = BuildingFactory()
    login = UserFactory(roles=["owner"])
    _, (a,) = owned(building, "600.00", members=True, users={0: login})
    owned(building, "600.00", members=True)
    meeting = voting(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        form=MeetingForm.ONLINE,
        online_basis="Устав п. 9.3; решение общего собрания от 01.06.2025",
    )
    assert meeting.online_binds
    question = first_question(meeting)
    line = line_of(meeting, a)
    for choice in ("for", "against", "abstain", "for"):
        services.cast(actor=login, voter=line, choices={question.pk: choice}, now=DURING)
    result = selectors.tally(meeting)
    assert result.question(question.pk).votes_for == 1
    assert result.question(question.pk).against == 0
    assert line.entries.count() == 4
    assert [e.source for e in line.entries.all()] == [Source.ONLINE] * 4


def test_a_sale_during_the_meeting_the_new_owner_decides_from_its_date(monkeypatch, chairman):
    """The owner on the day they decide votes; the former owner's earlier decision stands
    until the new owner decides."""
    import datetime

    from django.core.exceptions import ValidationError

    from tenants.residents import services as registry

    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    seller, buyer = UserFactory(roles=["owner"]), UserFactory(roles=["owner"])
    flat, (a,) = owned(building, "50.00", users={0: seller})
    _, (b,) = owned(building, "50.00")
    meeting = voting(actor=chairman, building=building, form=MeetingForm.MIXED)
    question = first_question(meeting)
    paper(chairman, line_of(meeting, a), {question.pk: "for"})
    paper(chairman, line_of(meeting, b), {question.pk: "against"})

    sold_on = DURING.date() + datetime.timedelta(days=3)
    holding = registry.change_holder(
        flat.accounts.get(), holder={"full_name": "Покупатель"}, on=sold_on
    )
    registry.add_owner(
        holding,
        premises=flat,
        share=Fraction(1),
        started_on=sold_on,
        person={"full_name": "Покупатель Пётр Петрович"},
        user=buyer,
    )
    later = DURING + datetime.timedelta(days=4)
    assert services.update_register(meeting, actor=None, now=later) == {"ended": 1, "added": 1}
    assert services.update_register(meeting, actor=None, now=later) == {"ended": 0, "added": 0}
    old = line_of(meeting, a)
    assert old.ends_on == sold_on
    row = selectors.tally(meeting).question(question.pk)
    assert (row.votes_for, row.against) == (50, 50)  # the seller's decision stands

    with pytest.raises(ValidationError, match="changed hands"):
        services.enter_paper(
            actor=chairman,
            voter=old,
            choices={question.pk: "against"},
            scan_upload=SimpleUploadedFile("d.pdf", PDF),
            now=later,
        )
    new = selectors.voters_of(buyer, meeting).get()
    assert new.generation == 1 and new.starts_on == sold_on
    services.enter_paper(
        actor=chairman,
        voter=new,
        choices={question.pk: "against"},
        scan_upload=SimpleUploadedFile("d.pdf", PDF),
        now=later,
    )
    result = selectors.tally(meeting)
    row = result.question(question.pk)
    assert (row.votes_for, row.against) == (0, 100)  # the buyer's decision replaces it
    assert result.present == 100 and meeting.total == 100


def test_a_member_with_many_plots_has_one_line_and_a_label_that_fits(monkeypatch, chairman):
    use_kind(monkeypatch, "snt")
    building = BuildingFactory(name="Садоводческое товарищество «Берёзка», линия номер семь")
    for _ in range(12):
        owned(building, "600.00", members=True, emails={0: "many@example.test"})
    _, (other,) = owned(building, "600.00", members=True)
    meeting = voting(actor=chairman, kind=MeetingKind.MEMBERS)
    assert meeting.voters.count() == 2 and meeting.total == 2
    line = meeting.voters.exclude(pk=line_of(meeting, other).pk).get()
    assert len(line.label) == 200 and line.label.endswith("…")
