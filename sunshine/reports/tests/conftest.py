import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_live_figures():
    """Live charts are kept five minutes; each test starts with none kept."""
    cache.clear()
    yield
    cache.clear()
