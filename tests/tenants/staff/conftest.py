"""Fixtures of the staff tests: a chairman (also a board member, as the signup makes one) in
``alpha`` and their client."""

from __future__ import annotations

import pytest

from core.access.roles import Role


@pytest.fixture
def chairman(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER], email="chair@example.test")


@pytest.fixture
def board(alpha, chairman, client_of):
    """The chairman's client (second factor passed)."""
    return client_of(alpha, chairman)
