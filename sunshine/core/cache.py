"""A city's shared cache: Redis, through Django's own backend, that never takes a page
down with it.

With ``SUNSHINE_REDIS_URL`` set (``make city`` sets it to the machine's Redis), every app
server shares one cache (the live figures, the dashboard's sections, a filer's case page
made once per state of the case) and keeps a copy of each session beside its row
(``cached_db``), so a page viewed again reads its session without a database query.
The database stays the record of every session. When Redis does not answer within
``SOCKET_SECONDS``, a read is a miss and a write is skipped (logged once a minute): a
session is then read from the database, a page or a figure made afresh. A deletion is
never skipped: it fails with its error, since a session's copy left behind would
outlive the session's end (a sign-out)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

SOCKET_SECONDS = 0.25
_last_warning = [0.0]


def _tolerant[F: Callable[..., Any]](missed: Callable[..., Any]) -> Callable[[F], F]:
    """Run the cache operation; when Redis cannot be reached, answer ``missed(*args)``."""

    def wrap(operation: F) -> F:
        @functools.wraps(operation)
        def run(self: TolerantRedisCache, *args: Any, **kwargs: Any) -> Any:
            from redis.exceptions import ConnectionError as RedisDown
            from redis.exceptions import TimeoutError as RedisSlow

            try:
                return operation(self, *args, **kwargs)
            except (RedisDown, RedisSlow, OSError) as exc:
                now = time.monotonic()
                if now - _last_warning[0] > 60:
                    _last_warning[0] = now
                    logger.warning("cache: Redis did not answer (%s); reading from the database", exc)
                return missed(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


class TolerantRedisCache(RedisCache):
    """Django's Redis cache whose unanswered reads are misses and unanswered writes
    no-ops; deletions are Django's own."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {"socket_connect_timeout": SOCKET_SECONDS, "socket_timeout": SOCKET_SECONDS}
        super().__init__(server, {**params, "OPTIONS": {**options, **params.get("OPTIONS", {})}})

    get = _tolerant(_default)(RedisCache.get)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
