"""The demo association pays online through the test provider (no money moves), so
``make run`` shows a member paying a receipt and the balance changing."""

from __future__ import annotations

from billing.payments import selectors


def seed_demo() -> str:
    row = selectors.settings_row()
    if row is not None and row.provider:
        return ""
    from billing.payments import services

    services.save_settings(actor=None, provider="test")
    return "online payments through the test provider"
