"""Pinned query counts (tests/query_counts.py): the ballot page costs the same for one register
line and for several; the board's register and results cost the same for few voters and many."""

from __future__ import annotations

import pytest

from tenants.voting import services
from tenants.voting.rules import MeetingForm
from tests.factories import UserFactory
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import draft, owned, use_kind

pytestmark = pytest.mark.django_db


def _meeting_with(building):
    """A meeting voting now over ``building`` after ``grow`` made its premises."""
    import datetime

    from django.utils import timezone

    from tenants.voting.models import Meeting, MeetingStatus

    now = timezone.now()
    meeting = draft(
        building=building,
        form=MeetingForm.MIXED,
        now=now,
        starts_at=now + datetime.timedelta(days=11),
        ends_at=now + datetime.timedelta(days=20),
        questions=(("Первый", "majority_present"), ("Второй", "two_thirds_all")),
    )
    services.publish_notice(meeting, actor=None, now=now)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(hours=1), status=MeetingStatus.NOTICE
    )
    meeting.refresh_from_db()
    return services.open_voting(meeting, actor=None, now=now)


def test_the_ballot_page(monkeypatch, in_alpha, alpha, client_of):
    use_kind(monkeypatch, "tszh")
    member = UserFactory(roles=["owner"])
    building = BuildingFactory()
    client = client_of(alpha, member)
    state = {}

    def grow_to(size):
        while state.get("lines", 0) < size:
            owned(building, "40.00", users={0: member})
            state["lines"] = state.get("lines", 0) + 1
        state["meeting"] = _meeting_with(building)

    def measure():
        return query_count(client, f"/voting/{state['meeting'].pk}/ballot/")

    found = counts_at((1, 4), grow_to, measure)
    # The signed-in base of 2, the meeting, the reader's owner records, their lines, their
    # current decisions, the agenda.
    assert found[1] == found[4], queries_text(client, f"/voting/{state['meeting'].pk}/ballot/")
    assert found == {1: 7, 4: 7}, queries_text(client, f"/voting/{state['meeting'].pk}/ballot/")


@pytest.mark.parametrize("page", ["register", "results"])
def test_the_boards_register_and_results(monkeypatch, in_alpha, alpha, client_of, page):
    from django.core.files.uploadedfile import SimpleUploadedFile

    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman"])
    building = BuildingFactory()
    client = client_of(alpha, chairman)
    state = {"lines": 0}

    def grow_to(size):
        while state["lines"] < size:
            owned(building, "40.00")
            state["lines"] += 1
        meeting = _meeting_with(building)
        questions = list(meeting.questions.all())
        for voter in meeting.voters.all():
            services.enter_paper(
                actor=chairman,
                voter=voter,
                choices={q.pk: "for" for q in questions},
                scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
            )
        state["meeting"] = meeting

    def measure():
        return query_count(client, f"/voting/{state['meeting'].pk}/{page}/")

    found = counts_at((2, 12), grow_to, measure)
    # The signed-in base of 2, the meeting, then: the register's lines, their owner records (one
    # key wave, warm), who took part, the accepted representatives; the results' register
    # weights, agenda (twice: the count and the rows), the current decisions and the joint
    # owners' decisions, the opinions' count (with its joint owners' decisions too) where
    # online does not bind.
    expected = {"register": 7, "results": 12}[page]
    assert found == {2: expected, 12: expected}, queries_text(
        client, f"/voting/{state['meeting'].pk}/{page}/"
    )
