"""A change of membership during a meeting counted one vote per member (ЖСК, СНТ): the member
on the day they decide votes; a leaver's earlier decision stands, a newcomer gets a line."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.residents import services as registry
from tenants.voting import selectors, services
from tenants.voting.models import VoterKind
from tenants.voting.rules import MeetingKind
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import DURING, line_of, owned, use_kind, voting

PDF = b"%PDF-1.4\nsigned decision\n"


def paper(chairman, voter, choices, now=DURING):
    return services.enter_paper(
        actor=chairman,
        voter=voter,
        choices=choices,
        scan_upload=SimpleUploadedFile("decision.pdf", PDF),
        now=now,
    )


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "owner"])


def test_leavers_and_newcomers_of_a_zhsk(monkeypatch, chairman):
    use_kind(monkeypatch, "zhsk")
    building = BuildingFactory()
    _, (a,) = owned(building, "50.00", members=True)
    _, (b,) = owned(building, "40.00", members=True)
    owned(building, "30.00", members=True)
    owned(building, "60.00", members=True)
    _, (e,) = owned(building, "45.00")  # not a member yet
    meeting = voting(actor=chairman, kind=MeetingKind.MEMBERS, building=None)
    assert meeting.total == 4
    question = meeting.questions.get()
    paper(chairman, line_of(meeting, a), {question.pk: "for"})

    later = DURING + datetime.timedelta(days=2)
    registry.update_owner(a, membership={"is_member": False})  # left after deciding
    registry.update_owner(b, membership={"is_member": False})  # left without deciding
    registry.update_owner(
        e, membership={"is_member": True, "member_since": later.date() - datetime.timedelta(1)}
    )
    assert services.update_register(meeting, actor=None, now=later) == {"ended": 2, "added": 1}
    assert services.update_register(meeting, actor=None, now=later) == {"ended": 0, "added": 0}
    meeting.refresh_from_db()
    # 4 − B (left, no decision) + E (admitted); A's decision stands and A stays counted.
    assert meeting.total == 4
    result = selectors.tally(meeting)
    assert (result.present, result.question(question.pk).votes_for) == (1, 1)

    with pytest.raises(ValidationError, match="membership ended"):
        paper(chairman, line_of(meeting, b), {question.pk: "for"}, now=later)
    newcomer = next(v for v in meeting.voters.all() if e.pk in v.owner_ids)
    assert (newcomer.kind, newcomer.weight, newcomer.starts_on) == (
        VoterKind.MEMBER,
        Fraction(1),
        later.date(),
    )
    paper(chairman, newcomer, {question.pk: "against"}, now=later)
    result = selectors.tally(meeting)
    assert result.present == 2
    assert not result.quorum_met  # 2 of 4 members: exactly half is not a quorum
