"""The cache when Redis is down: a miss, never an error (docs/operations.md, "When a dependency
is down").

``TolerantRedisCache`` is Django's ``RedisCache`` whose reads answer "not cached" and whose
writes are dropped while Redis cannot be reached, so every page keeps serving from the database:
sessions (``cached_db``) are read from and written to their table, memos are recomputed. One
warning a minute per process says so (no keys, no values in it).

Rate limits must not degrade that way (a login limit that forgets its counts is no limit): they
use the ``ratelimit`` alias, a plain ``RedisCache`` whose errors propagate, and the views refuse
the request while it is down (``RateLimitStoreDown``, core/access/views.py).
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
WARN_EVERY = 60.0
_last_warning = 0.0


def redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _warn(operation: str) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        logger.warning("cache: Redis unreachable (%s); serving without the cache", operation)


def _tolerant(fallback):
    """Run the cache operation; on a Redis connection error answer ``fallback(args)``."""

    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except redis_errors():
                _warn(method.__name__)
                return fallback(*args, **kwargs)

        return run

    return wrap


def _default(key, default=None, version=None):
    return default


def _failed_increment(*args, **kwargs):
    # What Django's other backends raise for a key that is not there; django-ratelimit and
    # callers of incr() treat it as "no count".
    raise ValueError("the cache is unavailable")


class TolerantRedisCache(RedisCache):
    @_tolerant(_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_tolerant(lambda *a, **k: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_tolerant(lambda *a, **k: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_tolerant(lambda *a, **k: False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_tolerant(lambda *a, **k: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_tolerant(lambda data, *a, **k: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_tolerant(lambda *a, **k: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_tolerant(lambda *a, **k: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_tolerant(lambda *a, **k: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_tolerant(_failed_increment)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_tolerant(lambda *a, **k: False)
    def clear(self):
        return super().clear()
