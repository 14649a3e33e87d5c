from __future__ import annotations

# Imported fixtures: pytest finds them in this conftest.
from tests.tenants.shared_fixtures import _english, client_of, today  # noqa: F401
