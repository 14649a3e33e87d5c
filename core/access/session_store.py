"""Sessions in Redis written through to the database, surviving a Redis outage.

Django's ``cached_db`` store already reads past a failing cache, but not its refill after a
database read, ``exists`` or ``delete``: with Redis unreachable a signed-in member's request
would fail. Here every cache call that fails is logged (the error's class only) and the database
answers, so pages keep serving and limits that need Redis fail closed on their own
(core/access/views.py).

``ReadAheadMiddleware`` (core/access/middleware.py) reads the session's cache entry in the
request's one ``MGET`` and hands it over (``read_ahead``): ``load`` then takes it instead of a
``GET`` of its own (found or not: a miss goes to the table as before).
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    _read_ahead: tuple[str, object] | None = None

    def read_ahead(self, data) -> None:
        """What the request's ``MGET`` found under this session's cache key (None: nothing)."""
        self._read_ahead = (self.session_key, data)

    def _from_cache(self):
        ahead, self._read_ahead = self._read_ahead, None
        if ahead is not None and ahead[0] == self.session_key:
            return ahead[1]
        try:
            return self._cache.get(self.cache_key)
        except Exception as error:
            logger.warning("session cache unavailable (%s)", type(error).__name__)
            return None

    def load(self):
        data = self._from_cache()
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception as error:
            logger.warning("session cache unavailable (%s)", type(error).__name__)
        return data

    def exists(self, session_key):
        try:
            if self.cache_key_prefix + session_key in self._cache:
                return True
        except Exception as error:
            logger.warning("session cache unavailable (%s)", type(error).__name__)
        return cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        key = session_key or self.session_key
        try:
            if key is not None:
                self._cache.delete(self.cache_key_prefix + key)
        except Exception as error:
            logger.warning("session cache unavailable (%s)", type(error).__name__)
        cached_db.DBStore.delete(self, session_key)
