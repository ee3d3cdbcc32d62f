"""LOCAL rules (rules.md): defaults of rules.md, changed only by the system administrator,
validated, audited, and read by the code that enforces them."""

import pytest
from django.urls import reverse

from sunshine.core.clocks import clock_get
from sunshine.core.local_rules import LOCAL_RULES, local_rule
from sunshine.core.models import AuditEntry, LocalRuleValue
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_every_local_rule_of_rules_md_has_its_default():
    """FEE-5, FEE-6, OVS-1, OVS-2, OVS-3, FND-1, ENR-2, ENR-3: the LOCAL defaults of rules.md;
    plus the one bureau setting under a national rule (OPN-1's automatic hand-over)."""
    assert {rule.rule for rule in LOCAL_RULES.values()} == {
        "FEE-5", "FEE-6", "OVS-1", "OVS-2", "OVS-3", "FND-1", "ENR-2", "ENR-3", "OPN-1",
    }  # fmt: skip
    assert local_rule("OPN-1-auto-severity") == 60
    assert local_rule("FEE-5-collection") == 14
    assert local_rule("OVS-1-amber-share") == 0.3
    assert local_rule("OVS-3-threshold-fen") == 500_000 * 100
    assert local_rule("FND-1-alert-lag-pp") == 10
    assert local_rule("ENR-2-quota-floor-margin") == 20
    assert local_rule("FEE-6-veto") is True


def test_system_admin_changes_a_local_rule_in_the_admin_and_it_is_audited():
    client, admin_user = client_for(Role.SYSTEM_ADMIN)
    response = client.post(
        reverse("admin:core_localrulevalue_add"), {"key": "FEE-5-collection", "value": "21"}, follow=True
    )
    assert response.status_code == 200
    assert LocalRuleValue.objects.get(key="FEE-5-collection").value == 21
    assert clock_get("FEE-5-collection").length == 21
    entry = AuditEntry.objects.filter(action="core.local_rule_set").get()
    assert entry.actor == admin_user
    assert entry.data == {"key": "FEE-5-collection", "old": 14, "new": 21}


def test_a_bad_value_in_the_admin_is_refused_and_changes_nothing():
    client, _admin = client_for(Role.SYSTEM_ADMIN)
    response = client.post(reverse("admin:core_localrulevalue_add"), {"key": "OVS-1-amber-share", "value": "1.5"})
    assert response.status_code == 200  # the form again, with the error
    assert "OVS-1-amber-share" in response.content.decode()
    assert not LocalRuleValue.objects.exists()
    assert not AuditEntry.objects.filter(action="core.local_rule_set").exists()


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.LEADER])
def test_other_roles_cannot_change_local_rules(role):
    client, _user = client_for(role)
    response = client.post(reverse("admin:core_localrulevalue_add"), {"key": "FEE-5-collection", "value": "21"})
    assert response.status_code in (302, 403)
    assert not LocalRuleValue.objects.exists()
