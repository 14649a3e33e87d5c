"""The beat schedule: the platform's own entries (settings) plus every app's declared periodic
jobs (``core.extensions``), composed when beat reads it, after the apps are loaded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class BeatSchedule(Mapping):
    """``CELERY_BEAT_SCHEDULE``: the entries given here, then the apps' declared ones."""

    def __init__(self, entries: Mapping[str, dict] | None = None):
        self._own = dict(entries or {})

    def update(self, entries: Mapping[str, dict]) -> None:
        self._own.update(entries)

    def _entries(self) -> dict[str, dict]:
        from django.apps import apps

        if not apps.ready:
            return dict(self._own)
        from core.extensions import beat_schedule

        declared = beat_schedule()
        clash = set(declared) & set(self._own)
        if clash:
            raise ValueError(f"beat entries declared twice: {sorted(clash)}")
        return {**self._own, **declared}

    def __getitem__(self, name: str) -> dict:
        return self._entries()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __len__(self) -> int:
        return len(self._entries())

    def __repr__(self) -> str:
        return f"BeatSchedule({self._entries()!r})"
