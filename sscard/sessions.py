"""Sessions read from the shared cache and kept in the database (Django's cached_db),
still usable while the cache is down.

Every page reads the session; from Redis that costs less than a database query. The
database stays the record, so a cache outage must not log anyone out or take pages
down: reads and writes fall back to the database. The one thing that must not half
happen is ending a session (logging out): its cached copy is removed first, and while
the cache cannot be reached the logout fails and the session stays whole, so a copy
left in the cache can never bring an ended session back.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unavailable; reading the database", exc_info=True)
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:
            logger.warning("session cache unavailable; not filled", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unavailable; asking the database", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # First the cache (raising if it cannot be reached), then the record.
        self._cache.delete(self.cache_key_prefix + session_key)
        super(cached_db.SessionStore, self).delete(session_key)
