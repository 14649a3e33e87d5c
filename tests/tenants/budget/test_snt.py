"""An СНТ (``beta``): contributions per сотка and per member, an online decision
(217-ФЗ ст. 17.1), the financial-economic justification (ст. 14 ч. 8)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from tenants.budget import services
from tenants.budget.models import Article, Basis, DecisionForm, Status
from tenants.ledger.models import Tariff
from tests.tenants.budget.support import make_estimate, registry


def test_per_sotka_rate_and_an_online_decision(beta, make_user, client_of):
    chairman = make_user(beta, roles=["chairman"])
    from tests.tenants.residents.factories import make_premises

    make_premises(kind="plot", area="600.00")
    make_premises(kind="plot", area="900.00")  # 15 сотки in all
    estimate = make_estimate(
        lines=(
            (Article.MAINTENANCE, "Дороги", "90000.00", Basis.SOTKA),
            (Article.MANAGEMENT, "Бухгалтер", "36000.00", Basis.PREMISES),
        )
    )
    assert estimate.sotki == Decimal("15.00") and estimate.premises_count == 2
    services.publish(estimate, actor=chairman)
    services.put_to_meeting(estimate, actor=chairman)
    services.record_decision(
        estimate,
        actor=chairman,
        adopted=True,
        decided_on=datetime.date(2025, 12, 1),
        form=DecisionForm.ONLINE,
        protocol_number="7",
        rates_from=datetime.date(2026, 1, 1),
    )
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED
    services.apply_rates(estimate, actor=chairman)
    # 90000 / 15 сотки / 12 = 500 ₽ a сотка a month; 36000 / 2 / 12 = 1500 ₽ a plot a month
    rates = {t.service.code: (t.rate, t.service.method) for t in Tariff.objects.all()}
    assert rates == {
        "budget-sotka": (Decimal("500.0000"), "membership"),
        "budget-premises": (Decimal("1500.0000"), "fixed"),
    }
    pdf = client_of(beta, user=chairman).get(reverse("budget:justification", args=[estimate.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_per_member_counts_the_register_of_members(in_beta):
    registry("600.00")
    estimate = make_estimate(lines=((Article.RESERVE, "Резерв", "1200.00", Basis.MEMBER),))
    # no member admitted yet: no base, no rate (never a division by zero)
    assert estimate.members_count == 0
    [rate] = services.arithmetic.rates(
        list(estimate.lines.all()), services.arithmetic.bases_of(estimate)
    )
    assert rate.rate is None
