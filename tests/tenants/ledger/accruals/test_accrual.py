"""The monthly accrual run: each method with worked numbers, benefits, rounding, the split of a
month between two holders by days, capital-repair arrears passing to the new owner (ЖК РФ
ст. 158 ч. 3), and a second run of the same month changing nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.ledger import services
from tenants.ledger.models import AccrualRun, Balance, Entry, EntryKind, Method, RunStatus
from tenants.residents import services as registry
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import make_premises

APRIL = datetime.date(2025, 4, 1)
MAY = datetime.date(2025, 5, 1)


def charges(account, service=None):
    rows = Entry.objects.filter(account=account, kind=EntryKind.CHARGE)
    if service is not None:
        rows = rows.filter(service=service)
    return list(rows.order_by("period", "id"))


def test_area_resident_fixed_plot_and_contributions(in_alpha):
    premises = make_premises(area="54.30", registered_residents=3)
    account = premises.accounts.get()
    area = add_service(Method.AREA, "31.47")  # 54.30 × 31.47 = 1708.821 → 1708.82
    resident = add_service(Method.RESIDENT, "105.155")  # 3 × 105.155 = 315.465 → 315.47
    fixed = add_service(Method.FIXED, "250")
    plot = add_service(Method.PLOT, "120")  # 0.543 сотки × 120 = 65.16
    target = add_service(Method.TARGET, "1500")
    run = services.accrue(MAY, actor=None)
    assert run.status == RunStatus.POSTED
    amounts = {e.service_id: e.amount for e in charges(account)}
    assert amounts == {
        area.pk: Decimal("1708.82"),
        resident.pk: Decimal("315.47"),
        fixed.pk: Decimal("250.00"),
        plot.pk: Decimal("65.16"),
        target.pk: Decimal("1500.00"),
    }
    explained = charges(account, resident)[0].calculation
    assert explained["base"] == {"kind": "residents", "value": "3", "unit": "persons"}
    assert explained["tariff"]["valid_from"] == "2025-01-01"
    assert explained["unrounded"] == "315.465"
    assert explained["rounding"] == "ROUND_HALF_UP 0.01"
    assert Balance.objects.get(account=account).amount == sum(amounts.values())


def test_the_tariff_in_force_on_the_first_day_and_a_benefit(in_alpha):
    account = make_premises(area="60").accounts.get()
    service = add_service(Method.AREA, "10")
    services.add_tariff(actor=None, service=service, valid_from=MAY, rate=Decimal("12.5"))
    services.add_benefit(
        actor=None,
        account=account,
        service=service,
        kind="percent",
        value=Decimal("50"),
        started_on=datetime.date(2025, 1, 1),
        basis="Ветеран труда",
    )
    services.accrue(APRIL, actor=None)
    services.accrue(MAY, actor=None)
    april, may = charges(account)
    assert april.amount == Decimal("300.00")  # 60 × 10 × 50 %
    assert may.amount == Decimal("375.00")  # 60 × 12.5 × 50 %
    assert may.calculation["tariff"]["valid_from"] == "2025-05-01"
    assert may.calculation["benefit"]["kind"] == "percent"
    assert may.calculation["benefit"]["amount"] == "375"


def test_a_second_run_of_the_month_changes_nothing(in_alpha):
    account = make_premises(area="40").accounts.get()
    add_service(Method.AREA, "10")
    first = services.accrue(MAY, actor=None)
    second = services.accrue(MAY, actor=None)
    assert first.posted_entries == 1 and second.posted_entries == 0
    assert len(charges(account)) == 1
    assert Balance.objects.get(account=account).amount == Decimal("400.00")
    assert second.summary["changed_count"] == 1  # against April (nothing then)


def test_a_run_under_way_refuses_another(in_alpha):
    make_premises()
    add_service()
    services.start_run(MAY, actor=None, queue=False)
    with pytest.raises(ValidationError, match="under way"), translation.override("en"):
        services.start_run(MAY, actor=None, queue=False)
    assert AccrualRun.objects.filter(period=MAY).count() == 1


def test_a_month_split_between_holders_by_days_and_capital_repair_passes(in_alpha):
    account = make_premises(area="50").accounts.get()
    upkeep = add_service(Method.AREA, "31")
    capital = add_service(Method.AREA, "15", is_capital_repair=True)
    services.accrue(APRIL, actor=None)  # the former holder: 1550 + 750, unpaid
    former = registry.current_holding(account)
    registry.change_holder(
        account, holder={"full_name": "Новый Владелец"}, on=datetime.date(2025, 5, 11), actor=None
    )
    new = registry.current_holding(account)
    services.accrue(MAY, actor=None)
    may = [e for e in charges(account) if e.period == MAY]
    by = {(e.holding_id, e.service_id): e.amount for e in may}
    # 10 days of 31 for the former holder, 21 for the new one
    assert by[(former.pk, upkeep.pk)] == Decimal("500.00")  # 1550 × 10 / 31
    assert by[(new.pk, upkeep.pk)] == Decimal("1050.00")  # 1550 × 21 / 31
    assert by[(former.pk, capital.pk)] == Decimal("241.94")  # 750 × 10 / 31 = 241.935…
    assert by[(new.pk, capital.pk)] == Decimal("508.06")
    transfers = Entry.objects.filter(account=account, kind=EntryKind.TRANSFER)
    moved = {(e.holding_id, e.amount) for e in transfers}
    # April's 750 and May's 241.94 of capital repair pass; April's upkeep stays the former's
    assert moved == {(former.pk, Decimal("-991.94")), (new.pk, Decimal("991.94"))}

    def owed(holding):
        return sum(e.amount for e in Entry.objects.filter(account=account, holding=holding))

    assert owed(former) == Decimal("1550.00") + Decimal("500.00")
    assert owed(new) == Decimal("1050.00") + Decimal("508.06") + Decimal("991.94")
    assert Balance.objects.get(account=account).amount == owed(former) + owed(new)
    services.accrue(MAY, actor=None)  # again: nothing passes twice
    assert Entry.objects.filter(account=account, kind=EntryKind.TRANSFER).count() == 2
