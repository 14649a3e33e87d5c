"""Fixtures of the notification tests: people in ``alpha`` and a helper to write and deliver."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.notifications.declaration import ANNOUNCEMENT, EMERGENCY


@pytest.fixture
def chairman(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN], language="ru")


@pytest.fixture
def owner(alpha, make_user):
    return make_user(alpha, roles=[Role.OWNER], email="owner-notify@example.test", language="ru")


@pytest.fixture
def neighbour(alpha, make_user):
    return make_user(alpha, roles=[Role.RESIDENT], email="neighbour@example.test")


@pytest.fixture
def announce(in_alpha, chairman):
    """``announce(recipients, kind=ANNOUNCEMENT, **fields)``: notify as the chairman."""
    from tenants.notifications import services

    def send(recipients, kind=ANNOUNCEMENT, **fields):
        fields.setdefault("subject", "Отключение воды 5 июня")
        fields.setdefault("body", "С 10:00 до 14:00 не будет холодной воды.")
        return services.notify(actor=chairman, kind=kind, recipients=recipients, **fields)

    return send


__all__ = ["ANNOUNCEMENT", "EMERGENCY"]
