"""core.throttle: atomic counters (concurrent guesses cannot pass the limit), a growing
wait instead of a long lock-out, the client's address only from trusted proxies, and
secrets handed to the next page sealed in the session."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.test import RequestFactory, override_settings
from django.utils import timezone

from sunshine.core.crypto import session_secret_pop, session_secret_put
from sunshine.core.models import ThrottleCounter
from sunshine.core.throttle import (
    Throttled,
    ThrottlePolicy,
    client_address,
    guess_checked,
    throttle_give_back,
    throttle_take,
)

POLICY = ThrottlePolicy("test", free=10, delays=(30, 60, 120), window=3600)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory test database refuses concurrent writers outright (table locked); CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_exceed_the_limit() -> None:
    """Issue 12: the old check-then-record let 12 guesses through instead of 10. Twenty
    threads reserve at once: exactly ``free`` are allowed (an UPDATE … count + 1 WHERE
    count < free — on PostgreSQL the row lock, on SQLite the write lock)."""
    throttle_take(POLICY, "warm-up")  # the row of another subject: tables exist
    barrier = threading.Barrier(20)
    allowed: list[bool] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            barrier.wait()
            decision = throttle_take(POLICY, "198.51.100.1")
            with lock:
                allowed.append(decision.allowed)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 20
    assert allowed.count(True) == POLICY.free


@pytest.mark.django_db
def test_the_wait_grows_and_a_right_code_costs_nothing() -> None:
    now = timezone.now()
    for i in range(POLICY.free):
        decision = throttle_take(POLICY, "a", now=now)
        assert decision.allowed and decision.remaining == POLICY.free - i - 1
    refused = throttle_take(POLICY, "a", now=now)
    assert not refused.allowed and refused.retry_at == now + timedelta(seconds=30)
    later = now + timedelta(seconds=31)
    assert throttle_take(POLICY, "a", now=later).allowed
    assert throttle_take(POLICY, "a", now=later).retry_at == later + timedelta(seconds=60)  # growing
    # A right code is given back: it does not use up the address's attempts.
    fresh = throttle_take(POLICY, "b", now=now)
    throttle_give_back(fresh)
    assert ThrottleCounter.objects.filter(key=fresh.key).get().count == 0


@pytest.mark.django_db
def test_guess_checked_refuses_even_the_right_code_while_waiting() -> None:
    for i in range(10):
        assert guess_checked(scope="t", code=f"{i:016d}", address="192.0.2.1", lookup=lambda: None).found is None
    with pytest.raises(Throttled):
        guess_checked(scope="t", code="1" * 16, address="192.0.2.1", lookup=lambda: "case")
    # One code tried from many addresses is held up too (per code).
    for n in range(5):
        guess_checked(scope="t", code="7" * 16, address=f"192.0.2.{10 + n}", lookup=lambda: None)
    with pytest.raises(Throttled):
        guess_checked(scope="t", code="7" * 16, address="192.0.2.99", lookup=lambda: None)
    assert not ThrottleCounter.objects.filter(key__contains="192.0.2").exists()  # no address stored


@override_settings(SUNSHINE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_client_address_reads_forwarded_for_only_from_a_trusted_proxy() -> None:
    rf = RequestFactory()
    # A client sending its own header is not believed.
    assert client_address(rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "203.0.113.5"
    # Behind the proxy: the client, not the proxy; a forged left-hand part is skipped.
    behind = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.3")
    assert client_address(behind) == "203.0.113.5"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.2"


def test_client_address_without_trusted_proxies_is_remote_addr() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="::ffff:192.0.2.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "192.0.2.7"


def test_session_secrets_are_sealed_expire_and_are_read_once() -> None:
    session: dict[str, object] = {}
    session_secret_put(session, "k", {"code": "1234567812345678"})
    assert "1234567812345678" not in str(session)
    assert session_secret_pop(session, "k") == {"code": "1234567812345678"}
    assert session_secret_pop(session, "k") is None
    session_secret_put(session, "k", {"code": "1"}, seconds=-1)
    assert session_secret_pop(session, "k") is None
    session["k"] = session.get("other", "not a sealed value")
    assert session_secret_pop(session, "k") is None
