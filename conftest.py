"""Project-wide pytest fixtures. Factories live in each app's tests/factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _calendar_cache_clear():
    """Rolled-back test transactions send no signals: start every test with a cold calendar cache."""
    from sunshine.core.calendar import calendar_cache_clear

    calendar_cache_clear()
    yield
    calendar_cache_clear()
