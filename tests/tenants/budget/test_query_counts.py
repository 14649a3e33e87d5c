"""Pinned query counts (tests/query_counts.py): the estimate page and the execution page cost
the same for 2 lines and for 12 (with an expenditure in every month)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.budget.models import Article, Expenditure, Line
from tests.factories import UserFactory
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.budget.support import approve, make_estimate, registry

pytestmark = pytest.mark.django_db


def _grow(estimate):
    def grow_to(size):
        for index in range(Line.objects.filter(estimate=estimate).count(), size):
            # approved: written behind the services (the hash check flags it; the counts don't care)
            line = Line.objects.create(
                estimate=estimate,
                article=Article.MAINTENANCE,
                name=f"L{index}",
                planned=Decimal("1200.00"),
            )
            Expenditure.objects.bulk_create(
                Expenditure(
                    line=line, supplier="S", spent_on=datetime.date(2026, m, 1), amount=Decimal(1)
                )
                for m in range(1, 13)
            )

    return grow_to


def test_the_estimate_and_execution_pages(in_alpha, alpha, client_of):
    chairman = UserFactory(roles=["chairman", "board_member"])
    registry("100.00")
    estimate = make_estimate(lines=((Article.RESERVE, "R", "1.00", "area"),))
    approve(estimate)
    client = client_of(alpha, chairman)
    page = f"/budget/{estimate.pk}/"
    execution = f"/budget/{estimate.pk}/execution/"
    found = counts_at((2, 12), _grow(estimate), lambda: query_count(client, page))
    assert found[2] == found[12], queries_text(client, page)
    found = counts_at((2, 12), _grow(estimate), lambda: query_count(client, execution))
    assert found[2] == found[12], queries_text(client, execution)
