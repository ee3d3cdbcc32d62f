"""A city's shared cache (``sunshine.core.cache``): sessions read from Redis without a
database query, and a Redis that does not answer costs a miss, never a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from sunshine.core import city

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/5"
DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _redis(location: str) -> dict:
    return {"default": {"BACKEND": "sunshine.core.cache.TolerantRedisCache", "LOCATION": location}}


def _store():
    from django.contrib.sessions.backends.cached_db import SessionStore

    return SessionStore


@pytest.fixture
def redis_up():
    if not city.redis_answers():
        pytest.skip("no Redis on this machine")  # CI's machine runs one
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    yield
    redis.Redis.from_url(REDIS).flushdb()


def test_a_session_viewed_again_is_read_from_redis_without_a_database_query(redis_up):
    with override_settings(CACHES=_redis(REDIS), SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        store = _store()
        session = store()
        session["petitions.track"] = {"pk": 7, "until": 2_000_000_000}
        session.save()
        with CaptureQueriesContext(connection) as queries:
            again = store(session.session_key)
            assert again["petitions.track"] == {"pk": 7, "until": 2_000_000_000}
        assert len(queries) == 0
        # The database keeps the record: with the copy gone, the session is still there.
        from django.core.cache import cache

        cache.delete(again.cache_key)
        assert store(session.session_key)["petitions.track"]["pk"] == 7
        # A session ended is gone from both.
        store(session.session_key).delete()
        assert store(session.session_key).load() == {}


def test_a_redis_that_does_not_answer_is_a_miss_and_sessions_come_from_the_database():
    with override_settings(CACHES=_redis(DOWN), SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        from django.core.cache import cache

        assert cache.get("anything", "missed") == "missed"
        assert cache.get("anything", default="missed") == "missed"
        cache.set("anything", 1)  # skipped, no error
        assert cache.add("anything", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        store = _store()
        session = store()
        session["x"] = 1
        session.save()
        assert store(session.session_key)["x"] == 1  # from its row
        # A deletion is never skipped: a copy left behind would outlive a sign-out.
        with pytest.raises(Exception) as failed:
            store(session.session_key).delete()
        assert "redis" in type(failed.value).__module__ or isinstance(failed.value, OSError)


def test_the_city_stack_shares_its_redis_when_one_answers(monkeypatch):
    monkeypatch.setattr(city, "redis_answers", lambda timeout=0.5: True)
    assert city.city_env()["SUNSHINE_REDIS_URL"] == city.REDIS
    monkeypatch.setattr(city, "redis_answers", lambda timeout=0.5: False)
    assert "SUNSHINE_REDIS_URL" not in city.city_env()


def test_a_password_reset_ends_a_staff_session_whose_copy_is_in_redis(redis_up):
    """A reset ends a person's sessions by what each request checks against the database
    (the password's hash kept in the session, the devices), so the session's copy in
    Redis does not outlive it: the next page is the login, not the workbench."""
    from sunshine.accounts.services import password_reset_issue
    from sunshine.core.testing import client_for, user_with_role
    from sunshine.orgs.models import Role

    with override_settings(CACHES=_redis(REDIS), SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        client, person = client_for(Role.DISCIPLINE_INSPECTOR)
        assert client.get("/workbench/").status_code == 200
        from django.core.cache import cache

        assert cache.get(_store().cache_key_prefix + client.session.session_key) is not None  # kept in Redis
        password_reset_issue(actor=user_with_role(Role.SECURITY_ADMIN), user=person)
        answer = client.get("/workbench/")
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
