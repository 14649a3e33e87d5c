"""Progress of a running import, kept in the cache (its transaction is invisible until it ends)."""

from __future__ import annotations

import time

from django.core.cache import cache

from tenants.imports.selectors import (
    PROGRESS_TTL,
    progress_key,
)


def set_progress(job_id, done: int, total: int) -> None:
    """Progress lives in the cache: the import's own transaction is invisible until it ends."""
    cache.set(progress_key(job_id), {"done": done, "total": max(total, 1)}, PROGRESS_TTL)


class _Progress:
    def __init__(self, job_id, total: int):
        self.job_id, self.total, self.done = job_id, max(total, 1), 0
        self._last = 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last > 0.3 or self.done >= self.total:
            self._last = now
            set_progress(self.job_id, min(self.done, self.total), self.total)
