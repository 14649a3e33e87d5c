"""The demo association's year of money (filled in below)."""

from __future__ import annotations


def seed_demo() -> str:
    from tenants.ledger.payments.demo import seed_payments

    return f"ledger: {seed_payments()}"
