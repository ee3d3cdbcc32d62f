"""Every role through every view: the access matrix.

Each app lists its views in ``sunshine/<app>/tests/access.py`` as ``ACCESS``, a list
of :class:`sunshine.core.testing.Rule`. This test walks every rule for every kind of visitor (no account,
a public account, each organisation role with 2FA passed) and checks that the allowed
get their page and the others are turned away (login redirect, 403 or 404) — never a
200, never a 500. A new module extends the matrix by adding its ``access.py``.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from sunshine.core.testing import ANONYMOUS, EVERYONE, Rule, client_for


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


RULES = collect_rules()
CASES = [(rule, who) for rule in RULES for who in EVERYONE]


def test_the_matrix_is_not_empty():
    assert len(RULES) >= 4


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "who"), CASES, ids=[f"{rule}-{who}" for rule, who in CASES])
def test_access(rule: Rule, who: str):
    client, _user = client_for(who)
    response = client.get(reverse(rule.url_name, kwargs=rule.kwargs))
    if who in rule.allowed:
        assert response.status_code == rule.ok_status, f"{who} should reach {rule.url_name}"
    elif who == ANONYMOUS:
        assert response.status_code in (302, 403, 404), f"anonymous must not reach {rule.url_name}"
        if response.status_code == 302:
            assert reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code in (403, 404), f"{who} must not reach {rule.url_name} ({response.status_code})"
