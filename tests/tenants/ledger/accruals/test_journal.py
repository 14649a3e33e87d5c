"""The journal is append-only; the running balance equals the sum of the journal; a closed
month refuses charges and a correction lands in an open month naming it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tenants.ledger import services
from tenants.ledger.models import AppendOnlyError, Balance, Entry, EntryKind
from tests.factories import UserFactory
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import make_premises

MAY = datetime.date(2025, 5, 1)
JUNE = datetime.date(2025, 6, 1)


@pytest.fixture
def account(in_alpha):
    return make_premises().accounts.get()


def test_an_entry_is_never_updated_or_deleted(account):
    service = add_service()
    entry, created = services.post_entry(
        actor=None,
        account=account,
        kind=EntryKind.CHARGE,
        period=MAY,
        amount=Decimal("10"),
        service=service,
    )
    assert created
    entry.amount = Decimal("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).delete()
    assert Entry.objects.get(pk=entry.pk).amount == Decimal("10.00")


def _posted(account):
    entry, _created = services.post_entry(
        actor=None,
        account=account,
        kind=EntryKind.CHARGE,
        period=MAY,
        amount=Decimal("10"),
        service=add_service(),
    )
    return entry


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = 1 WHERE id = %s",
        "UPDATE ledger_entry SET reason = 'edited' WHERE id = %s",
        "DELETE FROM ledger_entry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_edits_of_the_journal(account, statement):
    """Around the ORM (raw SQL, a console), the table's trigger still refuses."""
    entry = _posted(account)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    assert Entry.objects.get(pk=entry.pk).amount == Decimal("10.00")


def test_deleting_the_author_only_clears_the_author(account):
    """Django's on_delete=SET_NULL is the one update the trigger lets through, and only alone."""
    author = UserFactory(roles=["accountant"])
    entry, _created = services.post_entry(
        actor=author,
        account=account,
        kind=EntryKind.CHARGE,
        period=MAY,
        amount=Decimal("10"),
        service=add_service(),
    )
    assert Entry.objects.get(pk=entry.pk).author_id == author.pk
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE ledger_entry SET author_id = NULL, amount = 2 WHERE id = %s", [entry.pk]
        )
    author.delete()
    kept = Entry.objects.get(pk=entry.pk)
    assert (kept.author_id, kept.amount) == (None, Decimal("10.00"))


def test_balance_is_the_sum_of_the_journal(account):
    service = add_service()
    for kind, amount in [
        (EntryKind.CHARGE, "1234.565"),  # half a kopeck up
        (EntryKind.PAYMENT, "-1000"),
        (EntryKind.PENALTY, "3.10"),
    ]:
        services.post_entry(
            actor=None,
            account=account,
            kind=kind,
            period=MAY,
            amount=Decimal(amount),
            service=service if kind == EntryKind.CHARGE else None,
        )
    balance = Balance.objects.get(account=account)
    assert balance.amount == Decimal("237.67")
    assert sum(e.amount for e in Entry.objects.filter(account=account)) == balance.amount
    assert services.recompute_balance(account.pk).amount == balance.amount


def test_a_payment_from_the_same_source_posts_once(account):
    first, created = services.post_entry(
        actor=None,
        account=account,
        kind=EntryKind.PAYMENT,
        period=MAY,
        amount=Decimal("-50"),
        source="bank_statement",
        source_id="2025-05-03/17",
    )
    again, created_again = services.post_entry(
        actor=None,
        account=account,
        kind=EntryKind.PAYMENT,
        period=MAY,
        amount=Decimal("-50"),
        source="bank_statement",
        source_id="2025-05-03/17",
    )
    assert created and not created_again and again.pk == first.pk
    assert Balance.objects.get(account=account).amount == Decimal("-50.00")


def test_a_closed_month_refuses_charges_and_corrections_land_in_an_open_one(account):
    service = add_service()
    services.close_period(MAY, actor=None)
    with pytest.raises(ValidationError, match="closed"), translation.override("en"):
        services.post_entry(
            actor=None,
            account=account,
            kind=EntryKind.CHARGE,
            period=MAY,
            amount=Decimal("10"),
            service=service,
        )
    with pytest.raises(ValidationError):
        services.start_run(MAY, actor=None, queue=False)
    assert not Entry.objects.filter(account=account).exists()
    entry = services.post_recalculation(
        actor=None,
        account=account,
        service=service,
        corrects_period=MAY,
        amount=Decimal("-5"),
        reason="Meter reading corrected",
    )
    assert entry.period == JUNE and entry.corrects_period == MAY
    assert entry.kind == EntryKind.RECALCULATION


def test_a_tariff_is_never_rewritten(account):
    service = add_service(rate="10")
    services.accrue(MAY, actor=None)
    with pytest.raises(ValidationError):
        services.add_tariff(actor=None, service=service, valid_from=MAY, rate=Decimal("12"))
    with pytest.raises(ValidationError):
        services.add_tariff(actor=None, service=service, valid_from=JUNE, rate=Decimal("-1"))
    tariff = service.tariffs.get()
    tariff.rate = Decimal("11")
    with pytest.raises(AppendOnlyError):
        tariff.save()


def test_balances_of_many_accounts_agree_with_each_account_page(
    in_alpha, django_assert_num_queries
):
    from tenants.ledger import selectors

    service = add_service()
    accounts = [make_premises().accounts.get() for _ in range(3)]
    for n, each in enumerate(accounts):
        for kind, period, amount in [
            (EntryKind.CHARGE, MAY, "100"),
            (EntryKind.CHARGE, JUNE, f"{50 + n}"),
            (EntryKind.PAYMENT, JUNE, "-80"),
        ]:
            services.post_entry(
                actor=None,
                account=each,
                kind=kind,
                period=period,
                amount=Decimal(amount),
                service=service if kind == EntryKind.CHARGE else None,
            )
    holding = accounts[0].holdings.first()
    accesses = [selectors.AccountAccess(a) for a in accounts] + [
        selectors.AccountAccess(accounts[0], frozenset({holding.pk}))
    ]
    # Balances, entries, and the due-date rule in force once for June, not per account: its
    # settings rows (then kept in the shared cache); the legal form is the routed association's.
    with django_assert_num_queries(3):
        found = selectors.balances(accesses)
    for access, row in zip(accesses, found, strict=True):
        page = selectors.account_page(access)
        assert (row.balance, row.due_on) == (page.balance, page.due_on)
    assert found[0].balance == Decimal("70.00")
