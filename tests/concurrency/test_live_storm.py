"""Members acting at once against a live multi-worker server (see ``conftest.live``).

One storm of 1,000 requests in a shuffled order over 16 client connections at a time, every
kind mixed with the others:

* 200 ballots: each of 50 members votes and changes the vote three times (the same register
  line four times, 50 lines of one meeting): one link of the chain each, the tally exactly the
  last decision of every line (by the chain's order, read from the receipt each answer names);
* 200 meter readings: four submissions per member (the same register) over 50 registers: every
  one kept, exactly one current per register, the last one to commit;
* 200 online payments through the test provider (four per member, on the same account): each
  confirmed by the member's "bank page" and delivered again by the provider's webhook at the
  same time (400 requests): one ledger payment per payment, one stored event delivered twice,
  every balance moved by exactly the sum paid;
* 200 comments: four per member on their own repair request: every one stored once, with its
  event.

No answer is a 5xx: a serialisation failure or a deadlock is handled where it can happen.
"""

from __future__ import annotations

import http.client
import random
import re
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

ROUNDS = 4
CLIENTS = 16
CHOICES = ("for", "against", "abstain")
RECEIPT = re.compile(r"/voting/[0-9a-f-]{36}/receipts/(\d+)/$")

pytestmark = pytest.mark.xdist_group("concurrency")


def _send(port, host, method, path, *, cookie="", fields=None, body=None, headers=None):
    """``(status, location, text)`` of one request on a connection of its own."""
    head = {"Host": host, **(headers or {})}
    if cookie:
        head["Cookie"] = cookie
    if fields is not None:
        body = urllib.parse.urlencode(fields).encode()
        head["Content-Type"] = "application/x-www-form-urlencoded"
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection_.request(method, path, body=body, headers=head)
        answer = connection_.getresponse()
        text = answer.read().decode("utf-8", "replace")
        return answer.status, answer.getheader("Location", ""), text
    finally:
        connection_.close()


def _payments(association, seeded):
    """Four online payments per member, confirmed (waiting at the test provider's page); the
    webhook's body and signature for each, as the provider would send them."""
    from billing.payments import selectors, services
    from billing.payments.models import OnlinePayment
    from billing.payments.providers import provider_for
    from billing.payments.providers.test import HEADER, sign

    made = []
    with tenant_context(association):
        provider = provider_for(selectors.settings_row(), "test")
        users = {str(u.pk): u for u in _users(seeded)}
        for n, member in enumerate(seeded.members):
            for r in range(ROUNDS):
                user = users[member.user_id]
                with transaction.atomic():
                    payment = services.start_payment(
                        actor=user,
                        account_id=uuid.UUID(member.account_id),
                        amount=Decimal(f"{100 + r * 10 + n % 10}.{(n * 7 + r) % 100:02d}"),
                    )
                services.checkout(
                    actor=user, payment=payment, return_url="http://x/", notification_url="n"
                )
                payment = OnlinePayment.objects.get(pk=payment.pk)
                body = provider.body(payment, "succeeded", event_id=f"test-{payment.pk}-pay")
                made.append((member, payment, body, {HEADER: sign(body, provider.secret)}))
    return made


def _users(seeded):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=[m.user_id for m in seeded.members])


def _balances(accounts) -> dict:
    from tenants.ledger.models import Balance

    rows = Balance.objects.filter(account_id__in=accounts).values_list("account_id", "amount")
    found = {str(pk): amount for pk, amount in rows}
    return {pk: found.get(pk, Decimal("0")) for pk in accounts}


def test_a_storm_of_ballots_readings_payments_and_comments(live, django_db_blocker):
    server, association, seeded = live
    host = f"{association.get_primary_domain().domain}:{server.port}"
    rng = random.Random(19)
    started = time.monotonic()
    with django_db_blocker.unblock():
        payments = _payments(association, seeded)
        print(f"# 200 payments made in {time.monotonic() - started:.1f} s")
        with tenant_context(association):
            accounts = [m.account_id for m in seeded.members]
            balances_before = _balances(accounts)
        connection.set_schema_to_public()

    jobs = []
    plans = {}
    for n, member in enumerate(seeded.members):
        token = {"csrfmiddlewaretoken": member.csrf}
        for r in range(ROUNDS):
            choice = {field: rng.choice(CHOICES) for field in member.ballot_fields}
            plans[(n, r)] = choice
            jobs.append(
                (
                    "ballot",
                    (n, r),
                    "POST",
                    f"/voting/{seeded.meeting_id}/ballot/",
                    member.cookie(),
                    token | choice,
                    None,
                )
            )
            readings = {f"{register}": str(20 + n + r * 100) for register in member.registers}
            fields = token | {f"r-{k}": v for k, v in readings.items()} | {"confirm": "on"}
            jobs.append(("reading", (n, r), "POST", "/meters/", member.cookie(), fields, None))
            jobs.append(
                (
                    "comment",
                    (n, r),
                    "POST",
                    f"/dispatch/requests/{member.request_id}/comment/",
                    member.cookie(),
                    token | {"text": f"Комментарий {n}-{r}: вода всё ещё капает."},
                    None,
                )
            )
    for member, payment, body, signature in payments:
        jobs.append(
            (
                "checkout",
                str(payment.pk),
                "POST",
                f"/money/online/{payment.pk}/test-checkout/",
                member.cookie(),
                {"csrfmiddlewaretoken": member.csrf, "action": "pay"},
                None,
            )
        )
        jobs.append(("webhook", str(payment.pk), "POST", "/payments/webhooks/test/", "", None,
                     (body, signature | {"Content-Type": "application/json"})))  # fmt: skip
    rng.shuffle(jobs)
    assert Counter(job[0] for job in jobs) == {
        "ballot": 200,
        "reading": 200,
        "comment": 200,
        "checkout": 200,
        "webhook": 200,
    }

    def run(job):
        kind, key, method, path, cookie, fields, raw = job
        if raw is not None:
            status, location, text = _send(
                server.port, host, method, path, body=raw[0], headers=raw[1]
            )
        else:
            status, location, text = _send(
                server.port, host, method, path, cookie=cookie, fields=fields
            )
        return kind, key, status, location, text

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(run, jobs))
    print(f"# the storm: {len(jobs)} requests in {time.monotonic() - started:.1f} s")

    # Every answer the one a single request would get: a redirect (the webhook's 200).
    wrong = [
        (kind, key, status, location, text[:300])
        for kind, key, status, location, text in answers
        if status != (200 if kind == "webhook" else 302)
    ]
    assert not wrong, f"{len(wrong)} answers were not as expected: {wrong[:5]}\n{server.log_tail()}"
    assert "Traceback" not in server.log_tail(200)

    with django_db_blocker.unblock(), tenant_context(association):
        _check_ballots(seeded, plans, answers)
        _check_readings(seeded)
        _check_payments(seeded, payments, balances_before)
        _check_comments(seeded)
    with django_db_blocker.unblock():
        connection.set_schema_to_public()


def _check_ballots(seeded, plans, answers):
    from tenants.voting import selectors
    from tenants.voting.models import ChainEntry, Meeting

    meeting = Meeting.objects.get(pk=seeded.meeting_id)
    seqs = {}
    for kind, key, _status, location, _text in answers:
        if kind == "ballot":
            match = RECEIPT.search(location)
            assert match, location
            seqs[key] = int(match.group(1))
    # One link each, none lost, none twice: 1..200 without a gap.
    assert sorted(seqs.values()) == list(range(1, 201))
    assert ChainEntry.objects.filter(meeting=meeting).count() == 200
    assert selectors.verify(meeting).ok
    # The count: every line's last decision by the chain's order, weighted by its line.
    voters = {str(v.pk): v for v in meeting.voters.all()}
    expected = defaultdict(lambda: dict.fromkeys(CHOICES, Fraction(0)))
    for n, member in enumerate(seeded.members):
        last = max(range(ROUNDS), key=lambda r, n=n: seqs[(n, r)])
        for field, choice in plans[(n, last)].items():
            question = field.split("-q-")[1]
            expected[question][choice] += voters[member.voter_id].weight
    # A mixed owners' meeting counts online decisions as opinions (463-ФЗ): the same count.
    tally = selectors.tally(meeting, opinions=True)
    for question in meeting.questions.all():
        result = tally.question(question.pk)
        want = expected[str(question.pk)]
        assert (result.votes_for, result.against, result.abstain) == (
            want["for"],
            want["against"],
            want["abstain"],
        )


def _check_readings(seeded):
    from tenants.meters.models import Reading

    registers = [register for m in seeded.members for register in m.registers]
    rows = list(Reading.objects.filter(register_id__in=registers))
    assert len(rows) == 200
    by_register = defaultdict(list)
    for row in rows:
        by_register[str(row.register_id)].append(row)
    for n, member in enumerate(seeded.members):
        for register in member.registers:
            kept = by_register[register]
            assert sorted(int(r.value) for r in kept) == [20 + n + r * 100 for r in range(ROUNDS)]
            current = [r for r in kept if r.superseded_at is None]
            assert len(current) == 1
            assert current[0].pk == max(kept, key=lambda r: r.submitted_at).pk


def _check_payments(seeded, payments, balances_before):
    from billing.payments.models import OnlinePayment, Status, WebhookEvent
    from tenants.ledger.payments.models import Payment

    ids = [payment.pk for _member, payment, _body, _sig in payments]
    assert set(OnlinePayment.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.SUCCEEDED
    }
    events = WebhookEvent.objects.filter(event_id__in=[f"test-{pk}-pay" for pk in ids])
    assert events.count() == 200
    assert set(events.values_list("deliveries", flat=True)) == {2}
    accounts = [m.account_id for m in seeded.members]
    posted = Payment.objects.filter(account_id__in=accounts)
    assert posted.count() == 200
    paid = defaultdict(Decimal)
    for member, payment, _body, _sig in payments:
        paid[member.account_id] += payment.amount
    for account, amount in paid.items():
        assert sum(p.amount for p in posted if str(p.account_id) == account) == amount
    after = _balances(accounts)
    moved = {k: abs(after[k] - balances_before[k]) for k in accounts}
    assert moved == dict(paid)


def _check_comments(seeded):
    from tenants.dispatch.models import Comment, Event, EventAction

    requests = [m.request_id for m in seeded.members]
    comments = list(Comment.objects.filter(request_id__in=requests))
    assert len(comments) == 200
    expected = {
        f"Комментарий {n}-{r}: вода всё ещё капает."
        for n in range(len(seeded.members))
        for r in range(ROUNDS)
    }
    assert {c.text for c in comments} == expected
    assert (
        Event.objects.filter(request_id__in=requests, action=EventAction.COMMENTED).count() == 200
    )
