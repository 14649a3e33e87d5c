from __future__ import annotations

import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch):
    """``today(date)``: the association's local date the meters' code sees (window, checks)."""

    def set_today(day: datetime.date) -> datetime.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return set_today
