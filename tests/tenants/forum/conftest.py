from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the catalogue translates them to Russian)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_of(client_of):
    """Clients that read the portal in English (the language switch's cookie)."""

    def make(*args, **kwargs):
        client = client_of(*args, **kwargs)
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def forum(in_alpha):
    from tests.tenants.forum.support import Forum

    return Forum.make()
