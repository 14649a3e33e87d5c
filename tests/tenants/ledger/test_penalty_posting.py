"""Posting penalties from the journal with the seeded tables (key rate capped at 9,5 %)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tenants.ledger import penalty_posting
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.payments import services
from tenants.ledger.payments.models import KeyRate, PenaltyLimit
from tenants.ledger.services import post_entry
from tests.factories import UserFactory
from tests.tenants.residents.factories import make_premises

D = datetime.date


def test_posted_monthly_never_twice_and_stopped_by_payment(in_alpha):
    accountant = UserFactory(roles=["accountant"])
    account = make_premises().accounts.get()
    post_entry(
        actor=accountant,
        account=account,
        kind=EntryKind.CHARGE,
        period=D(2025, 1, 1),
        amount=Decimal("10000.00"),
        booked_on=D(2025, 1, 31),
    )
    # Due 10 February 2025; 11 April is day 60: 30 days × 10 000 × 9,5 % / 300 = 95,00.
    made = penalty_posting.post_penalties(actor=accountant, account=account, on=D(2025, 4, 11))
    assert [e.amount for e in made] == [Decimal("95.00")]
    assert made[0].kind == EntryKind.PENALTY
    again = penalty_posting.post_penalties(actor=accountant, account=account, on=D(2025, 4, 11))
    assert again == []

    services.record_payment(
        actor=accountant,
        account=account,
        amount=Decimal("10000.00"),
        paid_on=D(2025, 4, 21),
        source="bank",
        source_id="п/п 1",
    )
    # Paid on day 70: the penalty ends there (40 days: 126,67), recomputed at that day's rate;
    # the difference is a recalculation naming January.
    (recalculation,) = penalty_posting.post_penalties(
        actor=accountant, account=account, on=D(2025, 6, 1)
    )
    assert recalculation.kind == EntryKind.RECALCULATION
    assert recalculation.corrects_period == D(2025, 1, 1)
    assert recalculation.amount == Decimal("31.67")
    total = sum(e.amount for e in Entry.objects.filter(account=account, source="penalty"))
    assert total == Decimal("126.67")


def test_the_tables_are_seeded_as_data(in_alpha):
    assert KeyRate.objects.filter(starts_on=D(2024, 10, 28), rate=Decimal("21")).exists()
    assert PenaltyLimit.objects.filter(cap__isnull=True).count() == 2
    table = penalty_posting.rate_table()
    assert table.day_rate(D(2025, 5, 1), table.key_rate_on(D(2025, 5, 1))) == Decimal("9.5")
    assert penalty_posting.charter_terms(D(2025, 5, 1)) is None
