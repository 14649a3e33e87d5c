"""Fixtures several tenant apps' test folders share: a folder's ``conftest.py`` imports the ones
it uses (``from tests.tenants.shared_fixtures import _english, client_of  # noqa: F401``).

* ``_english`` (autouse): messages are compared in English (the catalogue translates them to
  Russian); a module that checks the Russian text overrides it with its own fixture;
* ``client_of``: the suite's ``client_of``, its clients reading the portal in English (the
  language switch's cookie);
* ``today``: ``today(date)`` sets the association's local date the code sees
  (``timezone.localdate``: periods, windows, checks).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch):
    """``today(date)``: the association's local date the code sees (window, checks)."""

    def set_today(day: datetime.date) -> datetime.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return set_today


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
