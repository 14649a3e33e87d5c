"""200 decisions and changes at once, in real threads against committed data: the chain stays
one unbroken line and the count is exact (area × share as fractions)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction

from tenants.voting import selectors, services
from tenants.voting.models import Ballot, ChainEntry, Meeting, Source
from tests.factories import UserFactory

VOTERS = 50
ROUNDS = 4  # a decision and three changes each: 200 submissions
SHARES = (Fraction(1), Fraction(1, 3), Fraction(2, 7))


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha, monkeypatch):
    from tenants.files.models import StoredFile
    from tests.tenants.meters.support import audit_ids
    from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises
    from tests.tenants.voting.support import remove_committed_building, use_kind, voting

    use_kind(monkeypatch, "tszh")
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            chairman = UserFactory(roles=["chairman"])
            building = BuildingFactory()
            premises, owners = [], []
            for index in range(VOTERS):
                place = make_premises(building, area=f"{30 + index}.{index % 100:02d}")
                premises.append(place)
                owners.append(make_owner(place, share=SHARES[index % len(SHARES)]))
            meeting = voting(actor=chairman, building=building)
        try:
            yield chairman, meeting, owners
        finally:
            connection.set_tenant(alpha)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('tszh.voting_maintenance', 'on', false)")
                cursor.execute("DELETE FROM voting_ballot WHERE meeting_id = %s", [meeting.pk])
                cursor.execute("DELETE FROM voting_chainentry WHERE meeting_id = %s", [meeting.pk])
                cursor.execute("SELECT set_config('tszh.voting_maintenance', '', false)")
            Meeting.objects.filter(pk=meeting.pk).delete()
            StoredFile.objects.filter(purpose="voting.paper_decision").delete()
            remove_committed_building(building, users=[chairman], audit_before=audit_before)
            connection.set_schema_to_public()
            cache.clear()


def test_200_concurrent_decisions_and_changes_are_counted_exactly(committed, alpha):
    chairman, meeting, owners = committed
    question = meeting.questions.get()
    lines = [next(v for v in meeting.voters.all() if o.pk in v.owner_ids) for o in owners]
    rng = random.Random(15)
    plans = [[rng.choice(["for", "against", "abstain"]) for _ in range(ROUNDS)] for _ in lines]

    def enter(index):
        """One voter's decision and its changes, in order; voters race each other."""
        try:
            connection.set_tenant(alpha)
            for choice in plans[index]:
                services.enter_paper(
                    actor=chairman,
                    voter=lines[index],
                    choices={question.pk: choice},
                    scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
                    now=meeting.starts_at,
                )
            return None
        except Exception as error:  # noqa: BLE001 - the result under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        errors = [e for e in pool.map(enter, range(VOTERS)) if e is not None]

    assert not errors, errors
    connection.set_tenant(alpha)
    assert ChainEntry.objects.filter(meeting=meeting).count() == VOTERS * ROUNDS
    assert sorted(ChainEntry.objects.filter(meeting=meeting).values_list("seq", flat=True)) == list(
        range(1, VOTERS * ROUNDS + 1)
    )
    assert Ballot.objects.filter(meeting=meeting, source=Source.PAPER).count() == 200
    assert selectors.verify(meeting).ok

    expected = {"for": Fraction(0), "against": Fraction(0), "abstain": Fraction(0)}
    for line, plan in zip(lines, plans, strict=True):
        expected[plan[-1]] += line.weight
    result = selectors.tally(meeting).question(question.pk)
    assert (result.votes_for, result.against, result.abstain) == (
        expected["for"],
        expected["against"],
        expected["abstain"],
    )
    assert result.votes_for + result.against + result.abstain == sum(v.weight for v in lines)
    assert result.present == sum(v.weight for v in lines)
