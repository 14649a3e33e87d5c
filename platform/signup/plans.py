"""The plans as first sold on the landing page (roubles a month, ``Decimal``).

The plans are data now (``billing.plans.models.Plan``, seeded from ``PLANS`` by its migration
``0002_seed_plans``); the landing page and the portal read them from there. A new association
starts on «Старт» (``DEFAULT_PLAN``); moving to a paid plan is billing's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    monthly_price: Decimal
    max_premises: int
    features: tuple[str, ...]

    @property
    def is_free(self) -> bool:
        return self.monthly_price == 0

    @property
    def price_display(self) -> str:
        """``1 490`` with a no-break space between thousands, as Russian prices are written."""
        return f"{self.monthly_price:,.0f}".replace(",", "\u00a0")


PLANS = (
    Plan(
        "start",
        _("Start"),
        Decimal("0"),
        50,
        (
            _("Members' accounts, balance and receipts"),
            _("Meter readings and requests"),
            _("News and documents"),
        ),
    ),
    Plan(
        "house",
        _("House"),
        Decimal("1490"),
        300,
        (
            _("Everything in Start"),
            _("Accruals, payments and penalties"),
            _("Receipts with a payment QR code"),
            _("Online meetings and votes"),
        ),
    ),
    Plan(
        "quarter",
        _("Quarter"),
        Decimal("3990"),
        1500,
        (
            _("Everything in House"),
            _("Several buildings or a large СНТ"),
            _("The yearly estimate and its execution"),
            _("Exports for the accountant, priority support"),
        ),
    ),
)
DEFAULT_PLAN = "start"
