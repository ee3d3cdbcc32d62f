"""Project-wide pytest fixtures. Factories live in each app's tests/factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _caches_clear():
    """Rolled-back test transactions send no signals: start every test with cold calendar and LOCAL-rule caches."""
    from sunshine.core.calendar import calendar_cache_clear
    from sunshine.core.local_rules import local_rule_cache_clear

    calendar_cache_clear()
    local_rule_cache_clear()
    yield
    calendar_cache_clear()
    local_rule_cache_clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request speaks English in tests (messages are asserted on their
    msgids); pages still choose their language per request, zh-Hans by default."""
    from django.utils import translation

    with translation.override("en"):
        yield
