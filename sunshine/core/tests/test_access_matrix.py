"""Every visitor through every route: the access matrix.

Each app lists its routes in ``sunshine/<app>/tests/access.py`` as ``ACCESS``, a list
of :class:`sunshine.core.testing.Rule` — GET and POST, with real objects built in one
district (:class:`sunshine.core.testing.District`) where the visitors hold their roles,
so object-level scoping (another school's record, the accused school's own case) is
tested, not only the role. Each rule is walked for every visitor: no account, a public
account, each organisation role with 2FA passed, and a clerk of the district's other
school. The allowed get their page (or their action's result); the others are turned
away (login redirect, 403 or 404) and a refused POST changes nothing. A route with no
row fails :func:`test_every_route_has_a_row`.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sunshine.core.models import AuditEntry, StatusChange
from sunshine.core.testing import ANONYMOUS, POST, VISITORS, District, Rule

# Routes that are not the platform's: Django's admin (reached through admin:index, whose
# row checks that only the system administrator enters), the language switch (i18n).
# Static and media files are served by the web server, not by a URL pattern here.
NOT_OURS_NAMESPACES = frozenset({"admin"})
NOT_OURS_NAMES = frozenset({"set_language"})


def collect_rules() -> list[Rule]:
    rules: list[Rule] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sunshine."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError:
            continue
        rules.extend(module.ACCESS)
    return rules


def named_routes() -> set[str]:
    """Every named URL pattern of the platform, ``namespace:name``."""

    def walk(patterns: list[Any], namespaces: tuple[str, ...]) -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                if not NOT_OURS_NAMESPACES & set(inner):
                    names |= walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in NOT_OURS_NAMES:
                names.add(":".join((*namespaces, pattern.name)))
        return names

    return walk(get_resolver().url_patterns, ())


RULES = collect_rules()
CASES = [(rule, who) for rule in RULES for who in VISITORS]


def test_every_route_has_a_row():
    covered = {rule.url_name for rule in RULES}
    missing = sorted(named_routes() - covered)
    assert not missing, "routes without a row in any tests/access.py: " + ", ".join(missing)


def test_rows_name_real_routes_and_visitors():
    routes = named_routes() | {"admin:index"}
    assert {rule.url_name for rule in RULES} <= routes
    for rule in RULES:
        assert rule.allowed <= set(VISITORS), rule


@pytest.fixture
def district(db: None) -> District:
    return District()


def _snapshot(rule: Rule, district: District) -> tuple[Any, ...]:
    state = rule.state(district) if rule.state is not None else None
    return AuditEntry.objects.count(), StatusChange.objects.count(), state


@pytest.mark.parametrize(("rule", "who"), CASES, ids=[f"{rule}-{who}" for rule, who in CASES])
def test_access(rule: Rule, who: str, district: District):
    client = district.client(who)
    url = rule.url(district)
    payload = rule.payload(district)
    before = _snapshot(rule, district) if rule.method == POST else None
    response = client.post(url, payload) if rule.method == POST else client.get(url, payload)
    if who in rule.allowed:
        assert response.status_code in rule.ok_statuses(), f"{who} should reach {rule} ({response.status_code})"
        if rule.done is not None:
            assert rule.done(district), f"{rule} by {who} did not take effect"
        return
    if response.status_code == 302 and (who == ANONYMOUS or 302 in rule.denied_status):
        targets = [reverse("accounts:login")] + ([reverse(rule.redirect_to)] if rule.redirect_to else [])
        assert any(response["Location"].startswith(t) for t in targets), f"{who} sent elsewhere by {rule}"
    else:
        assert response.status_code in rule.denied_status, f"{who} must not reach {rule} ({response.status_code})"
    if before is not None:
        assert _snapshot(rule, district) == before, f"{rule} refused to {who} changed the database"
