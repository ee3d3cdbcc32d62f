"""The quarterly inspection (季度检查): DIS-2 completeness, DIS-1 timeliness, OVS-1
red/amber/green with the period's thresholds, the bulletin, and a school's own gaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from sunshine.core.clocks import Rag, score_rag
from sunshine.core.local_rules import local_rule_set, period_name
from sunshine.core.testing import login_verified, user_with_role
from sunshine.disclosure import services
from sunshine.disclosure.models import Inspection, RequiredItem
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import SchoolFactory

from .conftest import District

pytestmark = pytest.mark.django_db
SCHOOL_CATEGORIES = [
    "basic-facts",
    "school-rules",
    "plans",
    "enrollment",
    "fees",
    "hiring",
    "finances",
    "safety",
    "tenders",
]
SCHOOL_ITEMS = 10  # DIS-2: enrollment carries two items (the five disclosures; student aid)


def _publish(d: District, school, clerk, principal, code: str, *, late: bool = False) -> None:
    info = timezone.localdate() - timedelta(days=60 if late else 1)
    doc = services.document_create(
        actor=clerk,
        organization=school,
        category=d.category(code),
        title=f"{school.name}{code}公开",
        body="<p>内容</p>",
        info_date=info,
    )
    services.document_submit(actor=clerk, document=doc)
    services.document_publish(actor=principal, document=doc)


def test_quarterly_scores_and_ratings(district: District):
    d = district
    assert RequiredItem.objects.filter(org_kind="school").count() == SCHOOL_ITEMS
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for code in SCHOOL_CATEGORIES:  # the model school: everything, on time
        _publish(d, d.school, d.clerk, d.principal, code)
    third = SchoolFactory(parent=d.bureau, name="示范区第三小学")
    clerk3 = user_with_role(Role.SCHOOL_CLERK, organization=third)
    head3 = user_with_role(Role.PRINCIPAL, organization=third)
    for code in SCHOOL_CATEGORIES[:6]:  # six categories (seven items of ten), one of them late
        _publish(d, third, clerk3, head3, code, late=(code == "fees"))
    # d.other_school publishes nothing.

    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    results = {r.school_id: r for r in inspection.results.all()}
    best, middle, worst = results[d.school.pk], results[third.pk], results[d.other_school.pk]
    assert (best.completeness, best.timeliness, best.score, best.rag) == (100, 100, 100, "green")
    assert (middle.completeness, middle.timeliness, middle.score, middle.rag) == (70, 83, 75, "amber")
    assert [m["item"] for m in middle.missing] == [
        str(i.label)
        for i in RequiredItem.objects.filter(org_kind="school", category__code__in=["finances", "safety", "tenders"])
    ]
    assert len(middle.late) == 1 and middle.late[0]["title"].endswith("fees公开")
    # DIS-2: publishing nothing scores nothing, on timeliness too.
    assert (worst.completeness, worst.timeliness, worst.score, worst.rag) == (0, 0, 0, "red")
    assert len(worst.missing) == SCHOOL_ITEMS

    assert (inspection.green_min, inspection.amber_min) == (90, 70)  # the default lines, recorded


def test_ovs1_inspection_colours_come_from_the_lines_of_the_period(district: District):
    """OVS-1 (LOCAL): the inspection's red/amber/green is core.clocks.score_rag with the
    lines the bureau set for the period in OVS-1-score-thresholds; another period keeps
    the default lines. The lines in force are recorded on the inspection."""
    d = district
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for code in SCHOOL_CATEGORIES[:6]:  # 70% complete, all on time: score 82
        _publish(d, d.school, d.clerk, d.principal, code)
    local_rule_set(
        actor=None,
        key="OVS-1-score-thresholds",
        value=f"*, 90, 70\n{period_name(year, quarter)}, 80, 40\n{year - 1}, 99, 95",
    )
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    results = {r.school_id: r for r in inspection.results.all()}
    assert results[d.school.pk].score == 82 and results[d.school.pk].rag == Rag.GREEN  # 82 ≥ this period's 80
    assert results[d.other_school.pk].score == 0 and results[d.other_school.pk].rag == Rag.RED  # published nothing
    assert (inspection.green_min, inspection.amber_min) == (80, 40)
    for result in results.values():
        assert result.rag == score_rag(result.score, period=period_name(year, quarter))
    earlier = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year - 1, quarter=quarter)
    assert (earlier.green_min, earlier.amber_min) == (99, 95)  # the year's row
    assert {r.rag for r in earlier.results.all()} == {Rag.RED}
    # A published inspection keeps the lines it was computed with.
    services.inspection_publish(actor=d.officer, inspection=inspection)
    local_rule_set(actor=None, key="OVS-1-score-thresholds", value="*, 100, 100")
    inspection.refresh_from_db()
    assert (inspection.green_min, inspection.amber_min) == (80, 40)
    assert inspection.results.get(school=d.school).rag == Rag.GREEN


def test_bulletin_is_published_and_then_final(district: District, client: Client):
    d = district
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=2026, quarter=3)
    url = reverse("disclosure:bulletin", kwargs={"pk": inspection.pk})
    assert client.get(url).status_code == 404
    services.inspection_publish(actor=d.officer, inspection=inspection, summary="各校须于下季度补齐缺项。")
    page = client.get(url)
    assert page.status_code == 200 and "各校须于下季度补齐缺项" in page.content.decode()
    assert d.other_school.name in page.content.decode()
    assert inspection.status == Inspection.Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.inspection_run(actor=d.officer, bureau=d.bureau, year=2026, quarter=3)


def test_only_bureau_staff_run_inspections(district: District):
    with pytest.raises(PermissionDenied):
        services.inspection_run(actor=district.principal, bureau=district.bureau, year=2026, quarter=3)


def test_school_sees_its_own_gaps_on_the_workbench(district: District):
    d = district
    _publish(d, d.school, d.clerk, d.principal, "fees")
    client = Client()
    login_verified(client, d.clerk)
    page = client.get(reverse("disclosure:workbench")).content.decode()
    assert d.school.name in page and d.other_school.name not in page
    gaps = services.organization_gaps(
        d.school, year=timezone.localdate().year, quarter=(timezone.localdate().month - 1) // 3 + 1
    )
    assert gaps.present == 1 and len(gaps.missing) == SCHOOL_ITEMS - 1
    with translation.override("zh-hans"):
        for missing in gaps.missing:  # stored as the msgid, shown translated
            assert gettext(missing["item"]) in page


def test_dis2_checklists_have_every_item_of_the_rule(district: District):
    """DIS-2: the bureau's list includes licensing and services; a school's includes
    student aid and tender results."""
    bureau = set(RequiredItem.objects.filter(org_kind="bureau").values_list("category__code", flat=True))
    assert bureau >= {
        "rules",
        "functions",
        "services",
        "budgets",
        "admin-fees",
        "procurement",
        "policies",
        "hiring",
    }
    school = set(RequiredItem.objects.filter(org_kind="school").values_list("category__code", flat=True))
    assert school == set(SCHOOL_CATEGORIES)
    assert RequiredItem.objects.filter(org_kind="school", category__code="enrollment").count() == 2


def test_dis2_the_bureau_is_inspected_like_a_school(district: District):
    """DIS-2: the inspection scores the bureau on its own checklist, with the schools."""
    d = district
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    _publish(d, d.bureau, d.officer, d.leader, "services")
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    own = inspection.results.get(school=d.bureau)
    assert own.required == RequiredItem.objects.filter(org_kind="bureau").count()
    assert own.present == 1 and own.timeliness == 100
    assert "services" not in {m["category"] for m in own.missing}


def test_dis1_publication_clock_is_supervised_until_published(district: District):
    """DIS-1: information created (or changed) and not yet published runs the
    20-working-day clock as a core supervision of its organisation; publication closes
    it; a draft left past its deadline counts as late in the inspection."""
    from sunshine.core.clocks import deadline
    from sunshine.core.models import Supervision
    from sunshine.core.supervision import supervision_get_active, supervision_list_of

    d = district
    info = timezone.localdate() - timedelta(days=2)
    doc = services.document_create(
        actor=d.clerk, organization=d.school, category=d.category("plans"), title="学期工作计划", info_date=info
    )
    clock = supervision_get_active(item=doc, rule_id="DIS-1")
    assert clock is not None and clock.organization == d.school
    assert clock.due_at == deadline("DIS-1", clock.started_at).due
    services.document_submit(actor=d.clerk, document=doc)
    services.document_publish(actor=d.principal, document=doc)
    assert supervision_get_active(item=doc, rule_id="DIS-1") is None
    assert supervision_list_of(doc).get().status == Supervision.Status.CLOSED
    services.document_revise(actor=d.clerk, document=doc)  # changed: the clock runs again
    assert supervision_get_active(item=doc, rule_id="DIS-1") is not None

    stale = services.document_create(
        actor=d.other_clerk,
        organization=d.other_school,
        category=d.category("plans"),
        title="逾期未公开的计划",
        info_date=timezone.localdate() - timedelta(days=45),
    )
    today = timezone.localdate()
    gaps = services.organization_gaps(d.other_school, year=today.year, quarter=(today.month - 1) // 3 + 1)
    due = deadline("DIS-1", stale.info_date).due_date
    if (due.month - 1) // 3 == (today.month - 1) // 3 and due < today:
        assert [late["title"] for late in gaps.late] == ["逾期未公开的计划"] and gaps.timeliness == 0
