"""The demo's meetings: a closed owners' meeting with results, one voting now with paper
decisions and room for the demo owner's opinion, a board meeting voting online."""

from __future__ import annotations

from tenants.voting import selectors
from tenants.voting.demo import CHAIRMAN_EMAIL, seed_demo
from tenants.voting.models import Meeting, MeetingStatus
from tenants.voting.rules import MeetingKind
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import owned, use_kind


def test_the_demo_meetings(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(email=CHAIRMAN_EMAIL, roles=["chairman", "owner"])
    owner = UserFactory(roles=["owner"])
    building = BuildingFactory(name="Дом 1")
    for number in range(1, 21):
        owned(building, f"{40 + number}.50", users={0: owner} if number == 15 else None)
    made = seed_demo()
    assert made.startswith("3 meetings") and made.endswith("1 quick poll")
    closed, current, board = Meeting.objects.order_by("number")
    assert closed.status == MeetingStatus.CLOSED and closed.final_hash
    assert selectors.verify(closed).ok
    result = selectors.tally(closed)
    assert result.participants == 14 and result.quorum_met
    assert current.status == MeetingStatus.VOTING and not current.online_binds
    assert selectors.voters_of(owner, current).count() == 1
    assert board.kind == MeetingKind.BOARD and board.online_binds
    assert selectors.tally(board).question(board.questions.get().pk).adopted
    assert seed_demo() == ""  # once
    assert chairman
