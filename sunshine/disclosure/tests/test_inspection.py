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
SCHOOL_CATEGORIES = ["basic-facts", "school-rules", "plans", "enrollment", "fees", "hiring", "finances", "safety"]


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
    assert RequiredItem.objects.filter(org_kind="school").count() == len(SCHOOL_CATEGORIES)
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for code in SCHOOL_CATEGORIES:  # the model school: everything, on time
        _publish(d, d.school, d.clerk, d.principal, code)
    third = SchoolFactory(parent=d.bureau, name="示范区第三小学")
    clerk3 = user_with_role(Role.SCHOOL_CLERK, organization=third)
    head3 = user_with_role(Role.PRINCIPAL, organization=third)
    for code in SCHOOL_CATEGORIES[:6]:  # six of eight, one of them late
        _publish(d, third, clerk3, head3, code, late=(code == "fees"))
    # d.other_school publishes nothing.

    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    results = {r.school_id: r for r in inspection.results.all()}
    best, middle, worst = results[d.school.pk], results[third.pk], results[d.other_school.pk]
    assert (best.completeness, best.timeliness, best.score, best.rag) == (100, 100, 100, "green")
    assert (middle.completeness, middle.timeliness, middle.score, middle.rag) == (75, 83, 78, "amber")
    assert [m["item"] for m in middle.missing] == [
        str(i.label) for i in RequiredItem.objects.filter(org_kind="school", category__code__in=["finances", "safety"])
    ]
    assert len(middle.late) == 1 and middle.late[0]["title"].endswith("fees公开")
    assert (worst.completeness, worst.score, worst.rag) == (0, 40, "red")
    assert len(worst.missing) == 8

    assert (inspection.green_min, inspection.amber_min) == (90, 70)  # the default lines, recorded


def test_ovs1_inspection_colours_come_from_the_lines_of_the_period(district: District):
    """OVS-1 (LOCAL): the inspection's red/amber/green is core.clocks.score_rag with the
    lines the bureau set for the period in OVS-1-score-thresholds; another period keeps
    the default lines. The lines in force are recorded on the inspection."""
    d = district
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for code in SCHOOL_CATEGORIES[:6]:  # 75% complete, all on time: score 85
        _publish(d, d.school, d.clerk, d.principal, code)
    local_rule_set(
        actor=None,
        key="OVS-1-score-thresholds",
        value=f"*, 90, 70\n{period_name(year, quarter)}, 80, 40\n{year - 1}, 99, 95",
    )
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    results = {r.school_id: r for r in inspection.results.all()}
    assert results[d.school.pk].score == 85 and results[d.school.pk].rag == Rag.GREEN  # 85 ≥ this period's 80
    assert results[d.other_school.pk].score == 40 and results[d.other_school.pk].rag == Rag.AMBER
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
    assert gaps.present == 1 and len(gaps.missing) == 7
    with translation.override("zh-hans"):
        for missing in gaps.missing:  # stored as the msgid, shown translated
            assert gettext(missing["item"]) in page
