"""Oversight's services with their rules, on a real database and real files."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from sunshine.core.actors import SYSTEM
from sunshine.core.figures import Period, figure_value
from sunshine.core.issued import document_for
from sunshine.core.local_rules import local_rule_set
from sunshine.core.models import AuditEntry, Supervision
from sunshine.core.supervision import supervision_list_of
from sunshine.oversight import services
from sunshine.oversight.bulletin import BULLETIN_DOCUMENT
from sunshine.oversight.models import (
    Evaluation,
    Indicator,
    IndicatorValue,
    Inspection,
    RectificationItem,
    SchoolScore,
    Veto,
)

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def order_for(world, *, due=None, label="petitions.case:1"):
    return services.rectification_order_create(
        organization=world.school,
        issuer=world.bureau,
        source_label=label,
        items=[("食堂账目未公示", due, "OVS-4")],
        actor=world.inspector,
    )


def clocks(item, rule):
    return [s for s in supervision_list_of(item) if s.rule_id == rule]


# --- rectification -------------------------------------------------------------------------


def test_reported_is_not_fixed_only_verified_closes(world):
    item = order_for(world).items.get()
    services.rectification_report(item=item, actor=world.clerk, text="已在校务公开栏公示", files=[png()])
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.REPORTED and item.evidence.count() == 1
    (ovs4,) = clocks(item, "OVS-4")
    assert ovs4.status == Supervision.Status.ANSWERED  # the school's clock stopped, not closed
    (check,) = clocks(item, "OVS-4-verify")
    assert check.organization == world.bureau and check.status == Supervision.Status.OPEN
    period = Period.year(timezone.localdate().year)
    assert figure_value("oversight.rectification_verified", period=period, organization=world.bureau).value == 0

    services.rectification_verify(item=item, actor=world.inspector, accept=True)
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.VERIFIED and item.verified_on_time
    assert [s.status for s in supervision_list_of(item).order_by("pk")] == [Supervision.Status.CLOSED] * 2
    assert figure_value("oversight.rectification_verified", period=period, organization=world.bureau).value == 1


def test_a_refused_report_goes_back_with_its_reason(world):
    item = order_for(world).items.get()
    services.rectification_report(item=item, actor=world.clerk, text="已整改")
    with pytest.raises(ValidationError):
        services.rectification_verify(item=item, actor=world.inspector, accept=False, reason="")
    services.rectification_verify(item=item, actor=world.inspector, accept=False, reason="未见公示照片")
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.OPEN
    assert clocks(item, "OVS-4")[0].status == Supervision.Status.OPEN


def test_reopen_needs_a_reason_and_runs_a_new_clock(world):
    item = order_for(world).items.get()
    services.rectification_report(item=item, actor=world.clerk, text="已整改")
    services.rectification_verify(item=item, actor=world.inspector, accept=True)
    with pytest.raises(ValidationError):
        services.rectification_reopen(item=item, actor=world.inspector, reason=" ")
    services.rectification_reopen(item=item, actor=world.inspector, reason="复查发现问题反弹")
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.OPEN and not item.verified_on_time
    assert [s.status for s in clocks(item, "OVS-4")] == [Supervision.Status.CLOSED, Supervision.Status.OPEN]


def test_only_the_unit_reports_and_only_the_issuer_verifies(world):
    item = order_for(world).items.get()
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.rectification_report(item=item, actor=world.other_clerk, text="x")
    services.rectification_report(item=item, actor=world.clerk, text="已整改")
    with pytest.raises(PermissionDenied):
        services.rectification_verify(item=item, actor=world.clerk, accept=True)
    with pytest.raises(PermissionDenied):
        services.rectification_order_create(
            organization=world.school,
            issuer=world.bureau,
            source_label="x:1",
            items=[("x", None, "OVS-4")],
            actor=world.clerk,
        )
    assert AuditEntry.objects.count() > before


def test_a_late_report_is_verified_but_not_on_time(world):
    item = order_for(world).items.get()
    RectificationItem.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    Supervision.objects.filter(rule_id="OVS-4").update(
        started_at=timezone.now() - timedelta(days=40), due_at=timezone.now() - timedelta(days=2)
    )
    item.refresh_from_db()
    services.rectification_report(item=item, actor=world.clerk, text="已整改")
    services.rectification_verify(item=item, actor=world.inspector, accept=True)
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.VERIFIED and not item.verified_on_time
    period = Period.year(timezone.localdate().year)
    rate = figure_value("oversight.rectification_on_time_rate", period=period, organization=world.school)
    assert (rate.numerator, rate.denominator) == (0, 1)


# --- supervisors ---------------------------------------------------------------------------


def appointment(world):
    today = timezone.localdate()
    return services.appointment_create(
        bureau=world.bureau,
        user=world.supervisor,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        schools=[world.school],
        actor=world.leader,
    )


def test_a_covert_visit_is_hidden_from_the_school_until_filed_and_its_findings_sealed(world):
    from sunshine.oversight import access

    a = appointment(world)
    inspection = services.inspection_open(
        appointment=a,
        school=world.school,
        mode=Inspection.Mode.COVERT,
        visited_on=timezone.localdate(),
        items_checked="课后服务收费\n食堂",
        actor=world.supervisor,
    )
    finding = services.finding_add(
        inspection=inspection, text="课后服务费未公示", photos=[png()], actor=world.supervisor
    )
    assert not access.inspections_visible_to(world.clerk).exists()
    assert access.inspections_visible_to(world.inspector).exists()
    with pytest.raises(ValidationError):
        services.finding_to_order(finding=finding, actor=world.inspector)
    services.inspection_file(inspection=inspection, actor=world.supervisor)
    finding.refresh_from_db()
    assert len(finding.seal) == 64 and finding.seal == services.finding_seal(finding)
    assert access.inspections_visible_to(world.clerk).get() == inspection
    with pytest.raises(ValidationError):
        services.finding_add(inspection=inspection, text="补充", actor=world.supervisor)
    order = services.finding_to_order(finding=finding, actor=world.inspector)
    assert order.organization == world.school and order.items.get().text == "课后服务费未公示"
    # a finding altered after filing no longer matches its seal
    finding.text = "改过的"
    assert finding.seal != services.finding_seal(finding)


def test_a_visit_outside_scope_or_term_is_refused(world):
    a = appointment(world)
    with pytest.raises(ValidationError):
        services.inspection_open(
            appointment=a,
            school=world.other,
            mode="open",
            visited_on=timezone.localdate(),
            items_checked="x",
            actor=world.supervisor,
        )
    with pytest.raises(ValidationError):
        services.inspection_open(
            appointment=a,
            school=world.school,
            mode="open",
            visited_on=timezone.localdate() + timedelta(days=400),
            items_checked="x",
            actor=world.supervisor,
        )
    with pytest.raises(PermissionDenied):
        services.inspection_open(
            appointment=a,
            school=world.school,
            mode="open",
            visited_on=timezone.localdate(),
            items_checked="x",
            actor=world.leader,
        )


# --- evaluation, bulletin, advanced units -----------------------------------------------------


def evaluation(world, school_year="2026-2027"):
    year = timezone.localdate().year
    indicator_set = services.indicator_set_create(bureau=world.bureau, period=str(year), actor=world.inspector)
    return services.evaluation_create(indicator_set=indicator_set, actor=world.inspector, school_year=school_year)


def test_indicators_come_from_the_local_weights_with_real_sources(world):
    e = evaluation(world)
    indicators = {i.name: i for i in e.indicator_set.indicators.all()}
    assert sum(i.weight for i in indicators.values()) == 100
    assert indicators["整改落实"].source == "oversight.rectification_on_time_rate"
    assert indicators["规范收费"].source == "fees.findings_confirmed"
    assert indicators["师德师风"].source == Indicator.MANUAL


def test_scores_show_their_working_and_colour(world):
    e = evaluation(world)
    item = order_for(world).items.get()  # school: one item due, verified late → 0 % on time
    RectificationItem.objects.filter(pk=item.pk).update(due_on=timezone.localdate())
    services.rectification_report(item=item, actor=world.clerk, text="已整改")
    manual = e.indicator_set.indicators.get(name="师德师风")
    services.indicator_value_enter(
        evaluation=e, indicator=manual, school=world.other, raw=Decimal(80), note="师德考核表", actor=world.inspector
    )
    with pytest.raises(ValidationError):
        services.indicator_value_enter(
            evaluation=e, indicator=manual, school=world.other, raw=Decimal(80), note="", actor=world.inspector
        )
    services.evaluation_compute(evaluation=e, actor=world.inspector)
    scores = {s.school_id: s for s in SchoolScore.objects.filter(evaluation=e)}
    other, school = scores[world.other.pk], scores[world.school.pk]
    indicators = list(e.indicator_set.indicators.all())
    working = {w["indicator"]: w for w in other.lines(indicators)}
    assert working["师德师风"] == {"indicator": "师德师风", "raw": "80.00", "weight": 15, "points": "12.00"}
    assert other.score == sum(Decimal(w["points"]) for w in working.values())
    school_working = {w["indicator"]: w for w in school.lines(indicators)}
    assert school_working["整改落实"]["raw"] == "0.00" and school_working["整改落实"]["points"] == "0.00"
    assert school_working["师德师风"]["points"] == "0.00"  # not scored by hand: no points
    assert school.score == Decimal("70.00") and school.rag == "amber"  # 100 − 15 − 15; amber at 70
    assert other.score == Decimal("97.00") and other.rag == "green"
    assert (other.rank, school.rank) == (1, 2)


def test_the_bulletin_is_issued_as_a_published_word_document(world):
    e = evaluation(world)
    with pytest.raises(ValidationError):
        services.evaluation_issue(evaluation=e, actor=world.inspector)
    services.evaluation_compute(evaluation=e, actor=world.inspector)
    services.evaluation_issue(evaluation=e, actor=world.inspector)
    e.refresh_from_db()
    assert e.status == Evaluation.Status.ISSUED
    document = document_for(e, kind=BULLETIN_DOCUMENT)
    assert document is not None and document.published
    with document.file.file.open("rb") as fh:
        text = "\n".join(
            [p.text for p in Document(io.BytesIO(fh.read())).paragraphs]
            + [
                c.text
                for t in Document(io.BytesIO(document.file.file.open("rb").read())).tables
                for r in t.rows
                for c in r.cells
            ]
        )
    assert document.number in text and "第一实验小学" in text and "师德师风15" in text
    with pytest.raises(ValidationError):
        services.evaluation_compute(evaluation=e, actor=world.inspector)


def test_last_place_and_an_illegal_fee_are_vetoed_from_the_advanced_list(world):
    from sunshine.orgs.tests.factories import SchoolFactory

    third = SchoolFactory(parent=world.bureau, name="第三中学")
    e = evaluation(world)
    manual = e.indicator_set.indicators.get(name="师德师风")
    for school, raw in ((world.school, 100), (world.other, 90), (third, 10)):
        services.indicator_value_enter(
            evaluation=e, indicator=manual, school=school, raw=Decimal(raw), note="考核表", actor=world.inspector
        )
    services.fee_violation_receive(
        services.FeeViolationConfirmed(
            school_id=world.school.pk, school_year="2026-2027", finding_id=1, finding_label="违规收取资料费"
        ),
        actor=SYSTEM,
    )
    services.evaluation_compute(evaluation=e, actor=world.inspector)
    services.evaluation_issue(evaluation=e, actor=world.inspector)
    advanced = services.advanced_list_publish(evaluation=e, places=2, actor=world.inspector)
    assert [s["name"] for s in advanced.schools] == ["第二实验小学"]  # the best is vetoed (fee), the last too
    last = Veto.objects.get(school=third)
    assert last.reason == Veto.Reason.LAST_PLACE and "3" in last.evidence


def test_a_veto_is_appealed_in_time_and_decided_by_the_bureau(world):
    services.fee_violation_receive(
        services.FeeViolationConfirmed(
            school_id=world.school.pk, school_year="2026-2027", finding_id=1, finding_label="x"
        ),
        actor=SYSTEM,
    )
    veto = Veto.objects.get()
    with pytest.raises(PermissionDenied):
        services.veto_appeal(veto=veto, actor=world.other_clerk, text="不服")
    Veto.objects.filter(pk=veto.pk).update(appeal_due_on=timezone.localdate() - timedelta(days=1))
    veto.refresh_from_db()
    with pytest.raises(ValidationError):
        services.veto_appeal(veto=veto, actor=world.clerk, text="不服")
    Veto.objects.filter(pk=veto.pk).update(appeal_due_on=timezone.localdate())
    veto.refresh_from_db()
    services.veto_appeal(veto=veto, actor=world.clerk, text="收费已退还并经物价部门认定合规")
    services.veto_decide(veto=veto, actor=world.leader, lift=True, decision="经复核，认定有误")
    veto.refresh_from_db()
    assert veto.status == Veto.Status.LIFTED


def test_the_last_place_veto_follows_the_local_rule(world):
    local_rule_set(actor=None, key="OVS-2-veto", value="no")
    e = evaluation(world)
    services.evaluation_compute(evaluation=e, actor=world.inspector)
    services.evaluation_issue(evaluation=e, actor=world.inspector)
    advanced = services.advanced_list_publish(evaluation=e, places=5, actor=world.inspector)
    assert len(advanced.schools) == 2 and not Veto.objects.exists()


# --- circulars --------------------------------------------------------------------------------


def test_a_circular_is_confirmed_received_then_studied_and_a_revision_reopens_both(world):
    circular = services.circular_issue(
        bureau=world.bureau,
        number="区教〔2026〕12号",
        title="关于进一步规范办学行为的通知",
        body="",
        forwarded=False,
        schools=[world.school, world.other],
        actor=world.inspector,
    )
    confirmation = circular.confirmations.get(school=world.school)
    assert [s.rule_id for s in supervision_list_of(confirmation)] == ["OVS-5-receipt"]
    with pytest.raises(ValidationError):
        services.circular_confirm_study(
            confirmation=confirmation, actor=world.clerk, studied_on=timezone.localdate(), attendees=30, minutes="学习"
        )
    services.circular_confirm_receipt(confirmation=confirmation, actor=world.clerk)
    services.circular_confirm_study(
        confirmation=confirmation,
        actor=world.clerk,
        studied_on=timezone.localdate(),
        attendees=30,
        minutes="全体教师学习",
    )
    period = Period.year(timezone.localdate().year)
    rate = figure_value("oversight.circular_completion_rate", period=period, organization=world.bureau)
    assert (rate.numerator, rate.denominator) == (1, 2)
    services.circular_revise(circular=circular, actor=world.inspector, body="修订后", reason="更正附件")
    confirmation.refresh_from_db()
    assert confirmation.version == 2 and confirmation.received_at is None and confirmation.studied_at is None
    open_clocks = [s.rule_id for s in supervision_list_of(confirmation) if s.status == Supervision.Status.OPEN]
    assert open_clocks == ["OVS-5-receipt"]


# --- talks ------------------------------------------------------------------------------------


def test_talks_are_kept_by_discipline_and_counted(world):
    with pytest.raises(PermissionDenied):
        services.talk_record(
            bureau=world.bureau,
            kind="talk",
            person="张某",
            unit=world.school,
            held_on=timezone.localdate(),
            held_by="纪检组",
            reason="x",
            linked="",
            actor=world.clerk,
        )
    services.talk_record(
        bureau=world.bureau,
        kind="sanction",
        person="张某",
        unit=world.school,
        held_on=timezone.localdate(),
        held_by="区教育局纪检组",
        reason="违规收费",
        linked="",
        actor=world.inspector,
    )
    period = Period.year(timezone.localdate().year)
    assert figure_value("oversight.sanctions", period=period, organization=world.bureau).value == 1
    assert IndicatorValue.objects.count() == 0


def test_red_schools_of_an_issued_evaluation_are_ordered_to_rectify_once(world):
    e = evaluation(world)
    with pytest.raises(ValidationError):
        services.evaluation_rectify_red(evaluation=e, actor=world.inspector)
    local_rule_set(actor=None, key="OVS-1-score-thresholds", value="*, 100, 95")  # everyone below 95 is red
    services.evaluation_compute(evaluation=e, actor=world.inspector)
    services.evaluation_issue(evaluation=e, actor=world.inspector)
    assert services.evaluation_rectify_red(evaluation=e, actor=world.inspector) == 2
    assert services.evaluation_rectify_red(evaluation=e, actor=world.inspector) == 0
    order = services.RectificationOrder.objects.get(organization=world.school)
    assert order.source == "evaluation" and order.items.filter(text__startswith="师德师风").exists()
