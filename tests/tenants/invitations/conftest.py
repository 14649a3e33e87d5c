"""Fixtures of the invitation tests: a small register in ``alpha`` and the board's client."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tests.tenants.invitations.helpers import Register, build_register


@pytest.fixture
def register(in_alpha) -> Register:
    return build_register(in_alpha)


@pytest.fixture
def chairman(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN])


@pytest.fixture
def board(alpha, chairman, client_of):
    """The chairman's client (second factor passed)."""
    return client_of(alpha, chairman)
