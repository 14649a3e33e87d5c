"""The estimate's lifecycle, its frozen hash, the tariffs it sets, expenditures and refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.budget import selectors, services
from tenants.budget.models import (
    Article,
    Basis,
    DecisionForm,
    Estimate,
    ImmutableError,
    Status,
    Version,
)
from tenants.ledger.models import Service, Tariff
from tests.tenants.budget.support import approve, make_estimate, registry


def test_bases_come_from_the_registry(in_alpha):
    registry("50.00", "70.50")
    estimate = make_estimate()
    assert estimate.total_area == Decimal("120.50")
    assert estimate.premises_count == 2


def test_a_negative_line_is_refused_and_nothing_written(in_alpha):
    estimate = make_estimate(lines=())
    with pytest.raises(ValidationError) as refused:
        services.add_line(estimate, actor=None, article=Article.MAINTENANCE, name="X", planned="-1")
    assert "cannot be negative" in str(refused.value)
    assert not estimate.lines.exists()


def test_per_sotka_is_for_gardening_partnerships_only(in_alpha):
    estimate = make_estimate(lines=())
    with pytest.raises(ValidationError):
        services.add_line(
            estimate,
            actor=None,
            article=Article.MAINTENANCE,
            name="X",
            planned="1",
            basis=Basis.SOTKA,
        )


def test_versions_keep_every_state_and_the_diff_says_who_and_why(in_alpha, make_user, alpha):
    chairman = make_user(alpha, roles=["chairman"])
    registry("100.00")
    estimate = make_estimate(actor=chairman)
    services.publish(estimate, actor=chairman)
    with pytest.raises(ValidationError):
        services.revise(estimate, actor=chairman, reason="nothing")  # nothing changed
    line = estimate.lines.get(name="Уборка")
    services.update_line(line, actor=chairman, planned=Decimal("130000.00"))
    with pytest.raises(ValidationError):
        services.revise(estimate, actor=chairman, reason="  ")
    version = services.revise(estimate, actor=chairman, reason="Новый договор")
    assert version.number == 2
    first, second = selectors.versions_of(estimate)
    assert first.content["lines"] != second.content["lines"]
    [change] = services_diff(first, second)
    assert change.fields == {"planned": ("120000.00", "130000.00")}
    assert second.reason == "Новый договор" and second.created_by == chairman
    with pytest.raises(ImmutableError):
        second.reason = "rewritten"
        second.save()


def services_diff(a, b):
    from tenants.budget import arithmetic

    return arithmetic.diff(a.content, b.content)


def test_approved_estimate_is_frozen_and_a_raw_update_is_flagged(in_alpha):
    registry("100.00")
    estimate = make_estimate()
    approve(estimate)
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED
    assert len(estimate.approved_hash) == 64
    assert services.verify(estimate).intact
    line = estimate.lines.get(name="Уборка")
    with pytest.raises(ValidationError) as refused:
        services.update_line(line, actor=None, planned=Decimal("1.00"))
    assert "frozen" in str(refused.value)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE budget_line SET planned = 1.00 WHERE id = %s", [line.pk])
    check = services.verify(estimate)
    assert not check.intact
    assert check.recomputed != estimate.approved_hash
    assert check.altered == ["Уборка"]
    with pytest.raises(ValidationError):
        services.apply_rates(estimate, actor=None)
    assert not Tariff.objects.exists()


def test_adopted_decision_sets_the_tariffs_from_its_date(in_alpha, make_user, alpha):
    accountant = make_user(alpha, roles=["chairman"])
    registry("600.00", "400.00")  # 1000 m², 2 premises
    estimate = make_estimate()
    approve(estimate, actor=accountant, rates_from=datetime.date(2026, 2, 1))
    tariffs = services.apply_rates(estimate, actor=accountant)
    rates = {t.service.code: t.rate for t in tariffs}
    # (120000 + 240000) / 1000 / 12 = 30; 60000 / 1000 / 12 = 5; 12000 / 2 / 12 = 500
    assert rates == {
        "budget-area": Decimal("30.0000"),
        "budget-premises": Decimal("500.0000"),
        "budget-area-capital": Decimal("5.0000"),
    }
    assert {t.valid_from for t in tariffs} == {datetime.date(2026, 2, 1)}
    assert Service.objects.get(code="budget-area-capital").is_capital_repair
    estimate.refresh_from_db()
    assert estimate.status == Status.APPLIED
    with pytest.raises(ValidationError):
        services.apply_rates(estimate, actor=accountant)


def test_a_decision_not_adopted_sets_no_tariffs(in_alpha):
    registry("100.00")
    estimate = make_estimate()
    services.publish(estimate, actor=None)
    services.put_to_meeting(estimate, actor=None)
    services.record_decision(
        estimate,
        actor=None,
        adopted=False,
        decided_on=datetime.date(2025, 12, 1),
        protocol_number="2",
    )
    with pytest.raises(ValidationError) as refused:
        services.apply_rates(estimate, actor=None)
    assert "adopted" in str(refused.value)
    assert not Tariff.objects.exists()
    assert Estimate.objects.get(pk=estimate.pk).status == Status.DISCUSSION


def test_a_tszh_does_not_approve_online(in_alpha):
    registry("100.00")
    estimate = make_estimate()
    services.publish(estimate, actor=None)
    services.put_to_meeting(estimate, actor=None)
    with pytest.raises(ValidationError) as refused:
        services.record_decision(
            estimate,
            actor=None,
            adopted=True,
            decided_on=datetime.date(2025, 12, 1),
            form=DecisionForm.ONLINE,
            protocol_number="3",
        )
    assert "145" in str(refused.value)
    assert not Version.objects.filter(estimate=estimate, kind="approved").exists()


def test_expenditures_against_an_approved_line_and_not_in_a_closed_month(in_alpha):
    from tenants.ledger import services as ledger

    registry("100.00")
    estimate = make_estimate()
    approve(estimate)
    line = estimate.lines.get(name="Уборка")
    services.post_expenditure(
        line, actor=None, supplier="ООО «А»", spent_on=datetime.date(2026, 3, 5), amount="10500.00"
    )
    ledger.close_period(datetime.date(2026, 4, 1), actor=None)
    with pytest.raises(ValidationError) as refused:
        services.post_expenditure(
            line, actor=None, supplier="ООО «А»", spent_on=datetime.date(2026, 4, 5), amount="1"
        )
    assert "closed" in str(refused.value)
    with pytest.raises(ValidationError):
        services.post_expenditure(
            line, actor=None, supplier="ООО «А»", spent_on=datetime.date(2026, 5, 5), amount="-1"
        )
    with pytest.raises(ValidationError):
        services.post_expenditure(
            line, actor=None, supplier="X", spent_on=datetime.date(2025, 5, 5), amount="1"
        )
    services.post_expenditure(
        line, actor=None, supplier="ООО «Б»", spent_on=datetime.date(2026, 12, 1), amount="200000"
    )
    result = selectors.execution(estimate)
    row = next(r for r in result.lines if r.line.pk == line.pk)
    assert row.months[2] == Decimal("10500.00")
    assert row.quarters[0] == Decimal("10500.00")
    assert row.fact == Decimal("210500.00")
    assert row.over and result.over_lines == [row]
    assert result.months[2].fact == Decimal("10500.00")
    # the plan a month: 432000 / 12 = 36000.00
    assert result.months[0].planned == Decimal("36000.00")


def test_refreshing_the_registrys_totals_while_edited_only(in_alpha):
    registry("100.00")
    estimate = make_estimate()
    registry("50.00")
    services.refresh_bases(estimate, actor=None)
    estimate.refresh_from_db()
    assert estimate.total_area == Decimal("150.00") and estimate.premises_count == 2
    approve(estimate)
    registry("10.00")
    with pytest.raises(ValidationError):
        services.refresh_bases(estimate, actor=None)
    estimate.refresh_from_db()
    assert estimate.total_area == Decimal("150.00")


def test_members_are_told_of_the_publication_and_the_approval(in_alpha, make_user, alpha):
    from tenants.notifications.models import Message

    make_user(alpha, roles=["owner"])
    registry("100.00")
    estimate = make_estimate()
    approve(estimate)
    kinds = list(Message.objects.order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["budget.published", "budget.approved"]


def test_an_expenditure_is_cancelled_while_its_month_is_open(in_alpha):
    from tenants.ledger import services as ledger

    registry("100.00")
    estimate = make_estimate()
    approve(estimate)
    line = estimate.lines.first()
    june = services.post_expenditure(
        line, actor=None, supplier="А", spent_on=datetime.date(2026, 6, 3), amount="5.00"
    )
    july = services.post_expenditure(
        line, actor=None, supplier="Б", spent_on=datetime.date(2026, 7, 3), amount="7.00"
    )
    services.cancel_expenditure(july, actor=None)
    ledger.close_period(datetime.date(2026, 6, 1), actor=None)
    with pytest.raises(ValidationError) as refused:
        services.cancel_expenditure(june, actor=None)
    assert "closed" in str(refused.value)
    assert list(line.expenditures.values_list("amount", flat=True)) == [Decimal("5.00")]
