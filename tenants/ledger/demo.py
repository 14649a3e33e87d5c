"""The demo association's year of money (filled in below)."""

from __future__ import annotations


def seed_demo() -> str:
    return "ledger: nothing yet"
