"""LOCAL rules (rules.md): defaults of rules.md, changed only by the system administrator,
validated, audited, and read by the code that enforces them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sunshine.core.clocks import clock_get
from sunshine.core.local_rules import (
    EXAM_SUBJECTS,
    LOCAL_RULES,
    PERIOD_DEFAULT,
    IndicatorWeight,
    ScoreThresholds,
    local_rule,
    local_rule_for_period,
    local_rule_set,
)
from sunshine.core.models import AuditEntry, LocalRuleValue
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_every_local_rule_of_rules_md_has_its_default():
    """FEE-5, FEE-6, OVS-1, OVS-2, OVS-3, FND-1, ENR-2, ENR-3: the LOCAL defaults of rules.md;
    plus the bureau settings under a national rule (OPN-1's automatic hand-over, PET-7's
    look-back, PET-2's look-back for linking repeat petitions)."""
    assert {rule.rule for rule in LOCAL_RULES.values()} == {
        "FEE-1", "FEE-5", "FEE-6", "OVS-1", "OVS-2", "OVS-3", "OVS-4", "OVS-5", "FND-1", "ENR-2", "ENR-3", "ENR-4",
        "DEC-3", "OPN-1", "PET-2", "PET-6", "PET-7",
    }  # fmt: skip
    # OVS-4, OVS-5, ENR-4, DEC-3 (quorum: more than half; two thirds for appointments; principal last).
    assert (local_rule("OVS-4"), local_rule("OVS-4-verify")) == (30, 10)
    assert (local_rule("OVS-5-receipt"), local_rule("OVS-5-study")) == (3, 15)
    assert (local_rule("ENR-4-advance"), local_rule("ENR-4-results")) == (15, 3)
    assert local_rule("DEC-3-quorum") == 0.5 and round(local_rule("DEC-3-quorum-appointments"), 2) == 0.67
    assert local_rule("DEC-3-principal-last") is True
    assert local_rule("OPN-1-auto-severity") == 60
    assert local_rule("FEE-5-collection") == 14
    assert local_rule("OVS-1-amber-share") == 0.3
    assert local_rule("OVS-3-threshold-fen") == 500_000 * 100
    assert local_rule("FND-1-alert-lag-pp") == 10
    assert local_rule("ENR-2-quota-floor-margin") == 20
    assert local_rule("FEE-6-veto") is True
    assert local_rule("PET-2-repeat-lookback-days") == 90


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


# --- structured values: lists and tables -------------------------------------------------


def test_enr2_tiebreak_is_a_list_of_subjects_in_order():
    """ENR-2 (LOCAL): the tie-break subject order is an ordered list from the exam
    subjects; ``local_rule`` returns a tuple of str, the default while unset."""
    assert local_rule("ENR-2-tiebreak") == ("语文", "数学", "英语", "物理", "化学")
    assert LOCAL_RULES["ENR-2-tiebreak"].kind == "list"
    local_rule_set(actor=None, key="ENR-2-tiebreak", value="数学\n语文，英语、物理")
    assert local_rule("ENR-2-tiebreak") == ("数学", "语文", "英语", "物理")
    assert LocalRuleValue.objects.get(key="ENR-2-tiebreak").value == ["数学", "语文", "英语", "物理"]
    assert set(local_rule("ENR-2-tiebreak")) <= set(EXAM_SUBJECTS)


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        ("数学, 数学, 语文", "重复"),  # no subject twice
        ("数学, 美术", "美术"),  # not one of the exam subjects
        (" , \n", "至少"),  # empty
        (42, "不是"),  # not a list
    ],
)
def test_a_bad_list_is_refused_in_chinese_and_changes_nothing(raw, fault):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        local_rule_set(actor=None, key="ENR-2-tiebreak", value=raw)
    assert fault in " ".join(caught.value.messages)
    assert not LocalRuleValue.objects.exists()
    assert not AuditEntry.objects.filter(action="core.local_rule_set").exists()
    assert local_rule("ENR-2-tiebreak") == LOCAL_RULES["ENR-2-tiebreak"].default


def test_ovs1_score_thresholds_is_a_table_of_rows_per_period():
    """OVS-1 (LOCAL): thresholds per period: a table of frozen rows; the most specific
    period wins (2026-Q1, then 2026, then the default row *)."""
    assert local_rule("OVS-1-score-thresholds") == (ScoreThresholds(period="*", green_min=90, amber_min=70),)
    local_rule_set(actor=None, key="OVS-1-score-thresholds", value="*, 90, 70\n2026, 85, 60\n2026-Q3，95，80")
    rows = local_rule("OVS-1-score-thresholds")
    assert rows[1] == ScoreThresholds(period="2026", green_min=85, amber_min=60)
    with pytest.raises(AttributeError):
        rows[1].green_min = 1  # type: ignore[misc]  # frozen
    assert local_rule_for_period("OVS-1-score-thresholds", "2026-Q3")[0].green_min == 95
    assert local_rule_for_period("OVS-1-score-thresholds", "2026-Q1")[0].green_min == 85
    assert local_rule_for_period("OVS-1-score-thresholds", "2027-Q1")[0].period == PERIOD_DEFAULT
    assert LocalRuleValue.objects.get(key="OVS-1-score-thresholds").value[2] == {
        "period": "2026-Q3",
        "green_min": 95,
        "amber_min": 80,
    }


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        ("2026, 90, 70", "默认"),  # no default row
        ("*, 90, 70\n*, 80, 60", "一行"),  # a period twice
        ("*, 70, 90", "黄色"),  # amber above green
        ("*, 90", "列"),  # a column missing
        ("*, 九十, 70", "数字"),  # not a number
        ("*, 190, 70", "之间"),  # out of range
        ("*, 90, 70\n2026-Q5, 90, 70", "时段"),  # not a period
        ("", "至少"),
    ],
)
def test_a_bad_thresholds_table_is_refused_in_chinese_and_changes_nothing(raw, fault):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        local_rule_set(actor=None, key="OVS-1-score-thresholds", value=raw)
    assert fault in " ".join(caught.value.messages)
    assert not LocalRuleValue.objects.exists()
    assert local_rule("OVS-1-score-thresholds") == LOCAL_RULES["OVS-1-score-thresholds"].default


def test_ovs2_weights_per_period_add_up_to_100():
    """OVS-2 (LOCAL): indicator weights per period, each period adding up to 100."""
    default = local_rule_for_period("OVS-2-weights", "2026")
    assert sum(row.weight for row in default) == 100
    local_rule_set(actor=None, key="OVS-2-weights", value="*, 师德师风, 60\n*, 规范收费, 40\n2026, 师德师风, 100")
    assert local_rule_for_period("OVS-2-weights", "2026") == (
        IndicatorWeight(period="2026", indicator="师德师风", weight=100),
    )
    assert {r.indicator: r.weight for r in local_rule_for_period("OVS-2-weights", "2025")} == {
        "师德师风": 60,
        "规范收费": 40,
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        local_rule_set(actor=None, key="OVS-2-weights", value="*, 师德师风, 60\n*, 规范收费, 20\n*, 规范收费, 10")
    text = " ".join(caught.value.messages)
    assert "90" in text and "100" in text and "规范收费" in text  # the sum, and the indicator listed twice
    assert local_rule_for_period("OVS-2-weights", "2025")[0].weight == 60  # unchanged


def test_pet7_lookback_is_a_number_of_days_with_for_ever_by_default():
    """PET-7 (LOCAL look-back): 0 (for ever) by default; a number of days when set."""
    assert local_rule("PET-7-lookback-days") == 0
    local_rule_set(actor=None, key="PET-7-lookback-days", value="365")
    assert local_rule("PET-7-lookback-days") == 365
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="PET-7-lookback-days", value="-1")


def test_a_structured_change_is_audited_with_old_and_new():
    _client, admin_user = client_for(Role.SYSTEM_ADMIN)
    local_rule_set(actor=admin_user, key="ENR-2-tiebreak", value="数学, 语文")
    local_rule_set(actor=admin_user, key="OVS-1-score-thresholds", value="*, 80, 60")
    first, second = AuditEntry.objects.filter(action="core.local_rule_set").order_by("pk")
    assert first.data == {
        "key": "ENR-2-tiebreak",
        "old": ["语文", "数学", "英语", "物理", "化学"],
        "new": ["数学", "语文"],
    }
    assert second.data == {
        "key": "OVS-1-score-thresholds",
        "old": [{"period": "*", "green_min": 90, "amber_min": 70}],
        "new": [{"period": "*", "green_min": 80, "amber_min": 60}],
    }


def test_system_admin_edits_a_table_in_the_admin_as_rows_of_text():
    """The admin shows the rule's default as rows to edit; the change is saved typed and audited."""
    client, admin_user = client_for(Role.SYSTEM_ADMIN)
    add = reverse("admin:core_localrulevalue_add")
    form = client.get(add, {"key": "OVS-1-score-thresholds"}).content.decode()
    assert "*, 90, 70" in form  # the default, ready to edit
    response = client.post(add, {"key": "OVS-1-score-thresholds", "value": "*, 90, 70\r\n2026-Q3, 80, 50"}, follow=True)
    assert response.status_code == 200
    assert local_rule_for_period("OVS-1-score-thresholds", "2026-Q3")[0] == ScoreThresholds("2026-Q3", 80, 50)
    entry = AuditEntry.objects.filter(action="core.local_rule_set").get()
    assert entry.actor == admin_user and entry.data["new"][1] == {"period": "2026-Q3", "green_min": 80, "amber_min": 50}
    # Editing the saved value shows it as rows again, and the list shows it line by line.
    row = LocalRuleValue.objects.get(key="OVS-1-score-thresholds")
    change = client.get(reverse("admin:core_localrulevalue_change", args=[row.pk])).content.decode()
    assert "2026-Q3, 80, 50" in change
    changelist = client.get(reverse("admin:core_localrulevalue_changelist")).content.decode()
    assert "<div>2026-Q3, 80, 50</div>" in changelist and "ENR-2-tiebreak" in changelist  # unset rules listed too
    response = client.post(
        reverse("admin:core_localrulevalue_change", args=[row.pk]),
        {"key": "OVS-1-score-thresholds", "value": "*, 95, 75"},
        follow=True,
    )
    assert local_rule("OVS-1-score-thresholds") == (ScoreThresholds("*", 95, 75),)


def test_a_bad_table_in_the_admin_shows_the_fault_under_the_field_and_changes_nothing():
    client, _admin = client_for(Role.SYSTEM_ADMIN)
    response = client.post(
        reverse("admin:core_localrulevalue_add"),
        {"key": "OVS-1-score-thresholds", "value": "*, 90, 70\n2026, 60, 80"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["value"] and "2026" in errors["value"][0]
    assert not LocalRuleValue.objects.exists()
    assert not AuditEntry.objects.filter(action="core.local_rule_set").exists()


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.LEADER])
def test_other_roles_cannot_change_a_structured_rule(role):
    client, _user = client_for(role)
    response = client.post(reverse("admin:core_localrulevalue_add"), {"key": "ENR-2-tiebreak", "value": "数学"})
    assert response.status_code in (302, 403)
    assert not LocalRuleValue.objects.exists()
    assert local_rule("ENR-2-tiebreak") == LOCAL_RULES["ENR-2-tiebreak"].default
