"""Project-wide pytest fixtures. Factories live in each app's tests/factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _caches_clear():
    """Rolled-back test transactions send no signals: start every test with cold calendar and
    LOCAL-rule caches, and nothing in Django's caches (live figures kept a minute, pages kept whole)."""
    from django.core.cache import caches

    from sunshine.core.calendar import calendar_cache_clear
    from sunshine.core.local_rules import local_rule_cache_clear

    calendar_cache_clear()
    local_rule_cache_clear()
    for kept in caches.all():
        kept.clear()
    yield
    calendar_cache_clear()
    local_rule_cache_clear()
    for kept in caches.all():
        kept.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request speaks English in tests (messages are asserted on their
    msgids); pages still choose their language per request, zh-Hans by default."""
    from django.utils import translation

    with translation.override("en"):
        yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright, for the browser tests of every app. Fails
    (never skips) when it is missing.

    Request it after the fixtures that touch the database: while Playwright's event loop
    runs, the ORM uses a context-local connection, which is closed here in that context so
    that PostgreSQL can drop the test database afterwards."""
    import os
    from pathlib import Path

    from django.db import connections

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: install Debian's 'chromium' package (make browser-deps)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()
