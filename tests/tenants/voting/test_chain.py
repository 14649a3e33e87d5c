"""Tamper evidence: the chain verifies, a vote receipt checks out, the database refuses edits,
and an edit that slips past the trigger is found where it was made."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from tenants.voting import chain, selectors, services
from tenants.voting.models import Ballot, ChainEntry
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import AFTER, DURING, line_of, owned, use_kind, voting


@pytest.fixture
def online_meeting(monkeypatch, in_alpha):
    """An СНТ-like online meeting (binding) with three members voting from their logins."""
    use_kind(monkeypatch, "snt")
    building = BuildingFactory()
    logins = [UserFactory(roles=["owner"]) for _ in range(3)]
    owners = [owned(building, "600.00", members=True, users={0: u})[1][0] for u in logins]
    meeting = voting(
        kind=MeetingKind.MEMBERS,
        form=MeetingForm.ONLINE,
        online_basis="Устав п. 9.3",
        questions=(
            ("Смета", Threshold.MAJORITY_PRESENT),
            ("Правление", Threshold.MAJORITY_PRESENT),
        ),
    )
    q1, q2 = meeting.questions.order_by("number")
    entries = []
    for login, owner, choice in zip(logins, owners, ("for", "against", "abstain"), strict=True):
        line = line_of(meeting, owner)
        entries.append(
            services.cast(
                actor=login, voter=line, choices={q1.pk: choice, q2.pk: "for"}, now=DURING
            )
        )
    return meeting, entries


def maintenance():
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('tszh.voting_maintenance', 'on', true)")


def test_the_chain_verifies_and_each_vote_receipt_checks_out(online_meeting):
    meeting, entries = online_meeting
    result = selectors.verify(meeting)
    assert result.ok and result.entries == 3
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == chain.genesis_hash(meeting.pk)
    assert entries[1].prev_hash == entries[0].entry_hash
    for entry in entries:
        receipt = selectors.vote_receipt(entry)
        assert chain.check_receipt(receipt, entry)
        assert receipt.salt not in receipt.content
        forged = chain.VoteReceipt(
            receipt.meeting_id,
            receipt.seq,
            receipt.entry_hash,
            receipt.salt,
            receipt.content.replace('"for"', '"against"', 1),
        )
        assert not chain.check_receipt(forged, entry)


def test_the_published_hashes_do_not_reveal_choices(online_meeting):
    """Two identical decisions commit to different hashes (the salt)."""
    meeting, entries = online_meeting
    assert len({e.commitment for e in entries}) == 3
    texts = [selectors.vote_receipt(e).content for e in entries]
    assert all("Смета" not in text for text in texts)  # ids, not words


def test_the_database_refuses_to_edit_or_delete_a_ballot(online_meeting):
    meeting, entries = online_meeting
    ballot = Ballot.objects.filter(entry=entries[0]).first()
    refused = pytest.raises(IntegrityError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE voting_ballot SET choice = 'against' WHERE id = %s", [ballot.pk])
    refused = pytest.raises(IntegrityError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM voting_chainentry WHERE id = %s", [entries[2].pk])


def test_an_edited_ballot_row_is_found_where_it_was_made(online_meeting):
    meeting, entries = online_meeting
    ballot = Ballot.objects.filter(entry=entries[1]).order_by("question__number").first()
    maintenance()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE voting_ballot SET choice = 'for' WHERE id = %s", [ballot.pk])
    result = selectors.verify(meeting)
    assert not result.ok
    assert [(b.seq, b.code) for b in result.breaks] == [(2, "content")]
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 chain"):
        call_command("verify_votes", schema="alpha", stdout=out)
    assert f"meeting {meeting.number}" in out.getvalue()
    assert "BROKEN at entry 2" in out.getvalue()


def test_an_edited_link_breaks_the_next_one_and_a_removed_tail_the_final_hash(online_meeting):
    meeting, entries = online_meeting
    meeting = services.close_meeting(meeting, actor=None, now=AFTER)
    assert meeting.final_hash == entries[2].entry_hash
    assert selectors.verify(meeting).ok
    maintenance()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE voting_chainentry SET cast_at = cast_at + interval '1 second' WHERE id = %s",
            [entries[0].pk],
        )
    assert [(b.seq, b.code) for b in selectors.verify(meeting).breaks] == [(1, "content")]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE voting_chainentry SET cast_at = cast_at - interval '1 second' WHERE id = %s",
            [entries[0].pk],
        )
        cursor.execute("DELETE FROM voting_ballot WHERE entry_id = %s", [entries[2].pk])
        cursor.execute("DELETE FROM voting_chainentry WHERE id = %s", [entries[2].pk])
    result = selectors.verify(meeting)
    assert [(b.seq, b.code) for b in result.breaks] == [(None, "final")]


def test_a_vote_after_closing_is_refused_and_nothing_is_stored(online_meeting):
    meeting, entries = online_meeting
    services.close_meeting(meeting, actor=None, now=AFTER)
    line = entries[0].voter
    login = line.entries.first()
    question = meeting.questions.first()
    owner_login = UserFactory._meta.model.objects.get(pk=login.entered_by)
    with pytest.raises(Exception, match="closed"):
        services.cast(actor=owner_login, voter=line, choices={question.pk: "for"}, now=AFTER)
    assert ChainEntry.objects.filter(meeting=meeting).count() == 3


def test_erasing_a_former_owner_never_breaks_the_chain(monkeypatch, in_alpha):
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.residents import services as registry
    from tenants.residents.models import Holding

    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman"])
    building = BuildingFactory()
    flat, (seller,) = owned(building, "50.00")
    owned(building, "50.00")
    meeting = voting(actor=chairman, building=building, form=MeetingForm.MIXED)
    question = meeting.questions.get()
    services.enter_paper(
        actor=chairman,
        voter=line_of(meeting, seller),
        choices={question.pk: "for"},
        scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
        now=DURING,
    )
    before = selectors.tally(meeting).question(question.pk).votes_for
    old = Holding.objects.get(pk=seller.holding_id)
    registry.change_holder(
        flat.accounts.get(), holder={"full_name": "Новый"}, on=datetime.date(2026, 2, 1)
    )
    registry.erase_holder(old, actor=None)
    assert selectors.verify(meeting).ok
    assert selectors.tally(meeting).question(question.pk).votes_for == before == 50
    rows = {row.voter.pk: row for row in selectors.register_rows(meeting)}
    assert rows[line_of(meeting, seller).pk].names == []
