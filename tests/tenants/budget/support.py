"""Estimates for tests, made through the services. Call inside a tenant schema (``in_alpha``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tenants.budget import services
from tenants.budget.models import Article, Basis, DecisionForm
from tests.tenants.residents.factories import make_premises

#: (article, name, planned, basis)
LINES = (
    (Article.MAINTENANCE, "Уборка", "120000.00", Basis.AREA),
    (Article.SALARIES, "Зарплата", "240000.00", Basis.AREA),
    (Article.MANAGEMENT, "Банк", "12000.00", Basis.PREMISES),
    (Article.CAPITAL_REPAIR, "Капремонт", "60000.00", Basis.AREA),
)


def registry(*areas: str):
    """Premises of these areas (m²)."""
    return [make_premises(area=area) for area in areas]


def make_estimate(year: int = 2026, lines=LINES, actor=None):
    estimate = services.create_estimate(actor=actor, year=year)
    for order, (article, name, planned, basis) in enumerate(lines):
        services.add_line(
            estimate,
            actor=actor,
            article=article,
            name=name,
            planned=Decimal(planned),
            basis=basis,
            order=order,
        )
    return estimate


def approve(estimate, actor=None, decided_on=datetime.date(2025, 12, 10), rates_from=None):
    services.publish(estimate, actor=actor)
    services.put_to_meeting(estimate, actor=actor)
    return services.record_decision(
        estimate,
        actor=actor,
        adopted=True,
        decided_on=decided_on,
        form=DecisionForm.MIXED,
        protocol_number="1/2025",
        rates_from=rates_from or datetime.date(2026, 1, 1),
    )
