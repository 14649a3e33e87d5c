import pytest


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    """Tests run on 20 June 2025 unless they say otherwise."""
    import datetime

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2025, 6, 20))
