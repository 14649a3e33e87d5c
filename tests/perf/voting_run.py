"""Run inside a Django process (see bench_voting): counting a meeting of 10,000 voters × 10
questions.

``python tests/perf/voting_run.py VOTERS QUESTIONS`` creates an association with one online
members' meeting (one vote per member, as an СНТ's), a register of VOTERS lines and one chain
entry per line with a decision on each of the QUESTIONS (VOTERS × QUESTIONS ballots, a proper
hash chain); then times the count (``selectors.tally``: the current decision of every line on
every question, summed as exact fractions) and the chain's verification. Prints one JSON line.
"""

from __future__ import annotations

import datetime
import json
import statistics
import sys
import time
from fractions import Fraction

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from associations.models import Association  # noqa: E402
from associations.services import create_association  # noqa: E402
from tenants.voting import chain, selectors  # noqa: E402
from tenants.voting.models import (  # noqa: E402
    Ballot,
    ChainEntry,
    Meeting,
    MeetingStatus,
    Question,
    Source,
    Voter,
)

BATCH = 1000
CHOICES = ("for", "against", "abstain", "for", "for")


def _populate(voters: int, questions: int) -> Meeting:
    now = timezone.now()
    meeting = Meeting.objects.create(
        number=1,
        kind="members",
        form="online",
        rule_version="snt-members-2022-07",
        title="Бенчмарк подсчёта",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
        online_basis="Устав п. 9",
        status=MeetingStatus.VOTING,
        total_votes=str(voters),
        register_date=timezone.localdate(),
    )
    agenda = Question.objects.bulk_create(
        Question(meeting=meeting, number=n + 1, text=f"Вопрос {n + 1}", threshold=threshold)
        for n, threshold in zip(
            range(questions), ["majority_present", "two_thirds_present"] * questions, strict=False
        )
    )
    prev = chain.genesis_hash(meeting.pk)
    seq = 0
    for start in range(0, voters, BATCH):
        lines = Voter.objects.bulk_create(
            Voter(meeting=meeting, kind="member", weight_numerator=1, position=n, owner_ids=[])
            for n in range(start, min(voters, start + BATCH))
        )
        entries, ballots = [], []
        for line in lines:
            seq += 1
            choices = {q.pk: CHOICES[(seq + q.number) % len(CHOICES)] for q in agenda}
            salt = chain.new_salt()
            text = chain.content(
                meeting_id=meeting.pk,
                voter_id=line.pk,
                premises_id=None,
                share="1/1",
                source=Source.ONLINE,
                cast_at=now,
                choices=choices,
            )
            commitment = chain.commit(salt, text)
            entry = ChainEntry(
                meeting=meeting,
                seq=seq,
                voter=line,
                cast_at=now,
                source=Source.ONLINE,
                salt=salt,
                commitment=commitment,
                prev_hash=prev,
                entry_hash=chain.link(prev, commitment),
            )
            prev = entry.entry_hash
            entries.append(entry)
            ballots += [
                Ballot(
                    entry=entry,
                    meeting=meeting,
                    voter=line,
                    question_id=question_id,
                    choice=choice,
                    seq=seq,
                    source=Source.ONLINE,
                )
                for question_id, choice in choices.items()
            ]
        ChainEntry.objects.bulk_create(entries)
        Ballot.objects.bulk_create(ballots, batch_size=5000)
    return meeting


def run(voters: int, questions: int) -> dict:
    slug = f"bench-voting-{voters}"
    if Association.objects.filter(slug=slug).exists():
        raise SystemExit(f"the association {slug} exists: the benchmark needs an empty one")
    association = create_association(name=f"СНТ «Бенчмарк голосования {voters}»", slug=slug)
    with tenant_context(association):
        started = time.perf_counter()
        with transaction.atomic():
            meeting = _populate(voters, questions)
        populate = time.perf_counter() - started
        counts = []
        for _ in range(3):
            started = time.perf_counter()
            result = selectors.tally(meeting)
            counts.append(time.perf_counter() - started)
        started = time.perf_counter()
        verification = selectors.verify(meeting)
        verify = time.perf_counter() - started
    sums_exact = all(
        row.votes_for + row.against + row.abstain == Fraction(voters) for row in result.questions
    )
    return {
        "voters": voters,
        "questions": questions,
        "ballots": voters * questions,
        "populate_s": populate,
        "count_s": statistics.median(counts),
        "verify_s": verify,
        "participants": result.participants,
        "quorum": result.quorum_met,
        "sums_exact": sums_exact,
        "chain_ok": verification.ok,
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), int(sys.argv[2]))), flush=True)
