"""The demo's estimates: last year's approved and applied, this year's draft, expenditures."""

from __future__ import annotations

from django.utils import timezone

from tenants.budget.demo import seed_demo
from tenants.budget.models import Estimate, Expenditure, Status
from tests.tenants.budget.support import registry


def test_the_demo_gives_an_applied_estimate_a_draft_and_expenditures(in_alpha):
    registry("50.00", "60.00")
    assert seed_demo().startswith("Demo estimates")
    year = timezone.localdate().year
    last = Estimate.objects.get(year=year)
    assert last.status == Status.APPLIED and last.approved_hash
    assert Estimate.objects.get(year=year + 1).status == Status.DRAFT
    assert Expenditure.objects.filter(line__estimate=last).exists()
    assert seed_demo() == ""  # once
