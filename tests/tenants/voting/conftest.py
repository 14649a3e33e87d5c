from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the catalogue translates them to Russian); a module
    that checks the Russian text overrides this with its own fixture."""
    from django.utils import translation

    with translation.override("en"):
        yield
