from __future__ import annotations

import pytest

# Imported fixtures: pytest finds them in this conftest.
from tests.tenants.shared_fixtures import _english, client_of  # noqa: F401


@pytest.fixture
def forum(in_alpha):
    from tests.tenants.forum.support import Forum

    return Forum.make()
