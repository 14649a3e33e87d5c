"""Joint owners without shares (совместная собственность, ГК РФ ст. 253): one register line for
their part, one decision for it; different decisions are a conflict the board resolves."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit.models import AuditEntry
from tenants.residents import services as registry
from tenants.residents.models import Ownership
from tenants.voting import selectors, services
from tenants.voting.models import JointResolution
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises
from tests.tenants.voting.support import DURING, line_of, owned, use_kind, voting

PDF = b"%PDF-1.4\nsigned decision\n"


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "owner"])


def paper(chairman, voter, choices):
    return services.enter_paper(
        actor=chairman,
        voter=voter,
        choices=choices,
        scan_upload=SimpleUploadedFile("decision.pdf", PDF),
        now=DURING,
    )


def spouses(building, area="60.00", *, users=(None, None)):
    """A flat owned jointly by two spouses (both rows carry the whole: share 1)."""
    flat = make_premises(building, area=area)
    husband = make_owner(flat, name="Иванов Иван", joint=True, user=users[0])
    wife = make_owner(flat, name="Иванова Анна", joint=True, user=users[1])
    return flat, husband, wife


def test_the_registry_counts_the_joint_part_once(in_alpha):
    building = BuildingFactory()
    flat, _husband, _wife = spouses(building)
    assert registry.shares_total(flat) == 1
    with pytest.raises(ValidationError, match="more than 1"):
        make_owner(flat, name="Третий", share=Fraction(1, 2))
    # A joint owner with another part than the others' is refused, nothing stored.
    with pytest.raises(ValidationError, match="same share as the other joint owners"):
        make_owner(flat, name="Сын", share=Fraction(1, 2), joint=True)
    assert Ownership.objects.filter(premises=flat).count() == 2


def test_joint_owners_of_half_beside_a_share_of_half(in_alpha):
    building = BuildingFactory()
    flat = make_premises(building, area="90.00")
    make_owner(flat, name="Муж", share=Fraction(1, 2), joint=True)
    make_owner(flat, name="Жена", share=Fraction(1, 2), joint=True)
    make_owner(flat, name="Сын", share=Fraction(1, 2))
    assert registry.shares_total(flat) == 1


def test_one_line_one_decision_weight_of_the_whole_premises(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _flat, husband, wife = spouses(building, "60.00")
    owned(building, "40.00")
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    assert line is line_of(meeting, wife) or line.pk == line_of(meeting, wife).pk
    assert line.joint and line.weight == Fraction(60)
    assert meeting.voters.count() == 2
    question = meeting.questions.get()
    paper(chairman, line, {question.pk: "for"})
    paper(chairman, line, {question.pk: "for"})  # the other spouse agrees: no conflict
    assert selectors.joint_conflicts(meeting) == []
    result = selectors.tally(meeting)
    assert result.present == Fraction(60)
    assert result.question(question.pk).votes_for == Fraction(60)
    assert result.quorum_met  # 60 of 100


def test_different_decisions_are_a_conflict_until_the_board_chooses(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _flat, husband, _wife = spouses(building, "60.00")
    owned(building, "40.00")
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    question = meeting.questions.get()
    first = paper(chairman, line, {question.pk: "for"})
    second = paper(chairman, line, {question.pk: "against"})

    (conflict,) = selectors.joint_conflicts(meeting)
    assert not conflict.state.resolved
    result = selectors.tally(meeting).question(question.pk)
    # The line took part (quorum) but counts for no option on the question in conflict.
    assert selectors.tally(meeting).present == Fraction(60)
    assert (result.votes_for, result.against, result.abstain) == (0, 0, 0)

    member = UserFactory(roles=["owner"])
    with pytest.raises(ValidationError, match="Only the board"):
        services.resolve_joint_conflict(meeting, actor=member, voter=line, entry_id=first.pk)
    with pytest.raises(ValidationError, match="Choose one of the joint owners"):
        services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=line.pk)
    assert not JointResolution.objects.exists()

    services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=first.pk)
    assert AuditEntry.objects.filter(action="voting.joint_resolved").count() == 1
    result = selectors.tally(meeting).question(question.pk)
    assert (result.votes_for, result.against) == (Fraction(60), 0)
    assert result.adopted

    # The board may choose the other one; the latest choice counts.
    services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=second.pk)
    result = selectors.tally(meeting).question(question.pk)
    assert (result.votes_for, result.against) == (0, Fraction(60))

    # A later disagreeing decision opens the conflict again.
    paper(chairman, line, {question.pk: "abstain"})
    (conflict,) = selectors.joint_conflicts(meeting)
    assert not conflict.state.resolved
    assert selectors.unresolved_conflicts(meeting) == 1


def test_a_line_without_conflict_is_refused(monkeypatch, chairman):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    _flat, husband, _wife = spouses(building)
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    entry = paper(chairman, line, {meeting.questions.get().pk: "for"})
    with pytest.raises(ValidationError, match="gave no different decisions"):
        services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=entry.pk)


def test_joint_owners_online_opinions_by_login(monkeypatch, chairman):
    """Each joint owner's login is one author: a spouse changing their mind is not a conflict,
    the two spouses disagreeing is."""
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    ivan, anna = UserFactory(roles=["owner"]), UserFactory(roles=["owner"])
    _flat, husband, _wife = spouses(building, users=(ivan, anna))
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    question = meeting.questions.get()
    services.cast(actor=ivan, voter=line, choices={question.pk: "against"}, now=DURING)
    services.cast(actor=ivan, voter=line, choices={question.pk: "for"}, now=DURING)
    services.cast(actor=anna, voter=line, choices={question.pk: "for"}, now=DURING)
    opinions = selectors.tally(meeting, opinions=True).question(question.pk)
    assert opinions.votes_for == Fraction(60)
    services.cast(actor=anna, voter=line, choices={question.pk: "against"}, now=DURING)
    opinions = selectors.tally(meeting, opinions=True).question(question.pk)
    assert (opinions.votes_for, opinions.against) == (0, 0)


def test_the_board_sees_and_resolves_the_conflict_on_the_meeting_page(
    monkeypatch, in_alpha, alpha, make_user, client_of
):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman", "owner"])
    owner = make_user(alpha, roles=["owner"])
    building = BuildingFactory()
    _flat, husband, _wife = spouses(building)
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    question = meeting.questions.get()
    first = paper(chairman, line, {question.pk: "for"})
    paper(chairman, line, {question.pk: "against"})
    board = client_of(alpha, chairman)
    url = f"/voting/{meeting.pk}/"
    assert f'data-conflict="{line.pk}"' in board.get(url).content.decode()
    resolve = f"/voting/{meeting.pk}/joint/{line.pk}/resolve/"
    member = client_of(alpha, owner)
    assert member.post(resolve, {"entry": str(first.pk)}).status_code == 403
    assert f'data-conflict="{line.pk}"' not in member.get(url).content.decode()
    assert board.post(resolve, {"entry": str(first.pk)}).status_code == 302
    assert JointResolution.objects.get().chosen_id == first.pk
