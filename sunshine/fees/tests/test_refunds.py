"""Findings → refund orders (清退) → refunds → verification; the FEE-6 veto; figures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.core.figures import Period, figure_value
from sunshine.core.local_rules import local_rule_set
from sunshine.core.seams import FeeViolationConfirmed, fee_violation_confirmed
from sunshine.fees.models import Finding, RefundOrder, SchoolYearVeto
from sunshine.fees.services import (
    finding_confirm,
    finding_dismiss,
    ledger_audit,
    ledger_import,
    refund_order_issue,
    refund_order_report,
    refund_order_return,
    refund_order_verify,
    refund_record,
)
from sunshine.fees.tests.test_audit import csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(world):
    world.file(world.primary, "meals", 90000)
    lines = ["S1,张三,讲义费,30,2026-09-01,R1", "S2,李四,学费,800,2026-09-01,R2", "S3,王五,伙食费,950,2026-09-01,R3"]
    ledger_import(school=world.primary, term=world.term, file=csv_file(lines), actor=world.clerk)
    ledger_audit(school=world.primary, term=world.term, actor=world.reviewer)
    return {f.kind: f for f in Finding.objects.all()}


def test_fee6_confirmed_finding_vetoes_the_school_year(world, findings):
    """FEE-6: any confirmed illegal fee vetoes the school's annual advanced rating."""
    finding_dismiss(finding=findings["above_standard"], actor=world.reviewer, reason="meals price rose, refiled")
    assert not SchoolYearVeto.objects.exists()
    finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    finding_confirm(finding=findings["compulsory"], actor=world.reviewer)
    veto = SchoolYearVeto.objects.get()
    assert veto.school == world.primary and veto.school_year == "2026-2027"


def test_fee6_confirmed_finding_is_told_to_the_evaluation_veto_seam(world, findings):
    """FEE-6 → OVS-2: each confirmed illegal fee reaches ``fee_violation_confirmed`` with
    the school, the school year and the finding — no student in it. (No module subscribes
    yet; the evaluation's own contract test comes with it.)"""
    heard: list[tuple[FeeViolationConfirmed, object]] = []
    with fee_violation_confirmed.subscribed(lambda payload, *, actor: heard.append((payload, actor))):
        finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
        finding_dismiss(finding=findings["compulsory"], actor=world.reviewer, reason="已核实为误录")
    ((payload, actor),) = heard
    finding = findings["prohibited"]
    assert payload == FeeViolationConfirmed(
        school_id=world.primary.pk, school_year="2026-2027", finding_id=finding.pk, finding_label=payload.finding_label
    )
    assert payload.rule_id == "FEE-6" and actor == world.reviewer
    assert finding.item_name in payload.finding_label and finding.student_name not in payload.finding_label


def test_a_failing_veto_subscriber_undoes_the_confirmation(world, findings):
    def failing(payload: FeeViolationConfirmed, /, *, actor: object) -> None:
        raise RuntimeError("evaluation unavailable")

    with fee_violation_confirmed.subscribed(failing), pytest.raises(RuntimeError):
        finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    findings["prohibited"].refresh_from_db()
    assert findings["prohibited"].status == Finding.Status.OPEN and not SchoolYearVeto.objects.exists()


def test_fee6_veto_is_local(world, findings):
    local_rule_set(actor=None, key="FEE-6-veto", value=False)
    heard: list[FeeViolationConfirmed] = []
    with fee_violation_confirmed.subscribed(lambda payload, *, actor: heard.append(payload)):
        finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    assert not SchoolYearVeto.objects.exists() and heard == []


def test_refund_order_to_verification_and_figures(world, findings):
    """FEE-1: illegal fees are refunded on the bureau's order; the figures count them."""
    with pytest.raises(ValidationError):
        refund_order_issue(school=world.primary, term=world.term, actor=world.reviewer)  # nothing confirmed
    finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    finding_confirm(finding=findings["compulsory"], actor=world.reviewer)
    order = refund_order_issue(school=world.primary, term=world.term, actor=world.reviewer)
    assert order.lines.count() == 2 and "〔" in order.number
    with pytest.raises(ValidationError):  # each finding is ordered once
        refund_order_issue(school=world.primary, term=world.term, actor=world.reviewer)
    with pytest.raises(ValidationError):
        refund_order_report(order=order, actor=world.clerk)  # refunds not recorded yet
    today = timezone.localdate()
    first, second = order.lines.order_by("student_no")
    with pytest.raises(ValidationError):
        refund_record(line=first, actor=world.clerk, refunded_fen=first.amount_fen + 1, refunded_on=today)
    refund_record(line=first, actor=world.clerk, refunded_fen=first.amount_fen, refunded_on=today)
    refund_record(line=second, actor=world.clerk, refunded_fen=50000, refunded_on=today)
    refund_order_report(order=order, actor=world.clerk)
    refund_order_return(order=order, actor=world.reviewer, reason="李四 not refunded in full")
    refund_record(line=second, actor=world.clerk, refunded_fen=second.amount_fen, refunded_on=today)
    refund_order_report(order=order, actor=world.clerk)
    refund_order_verify(order=order, actor=world.reviewer)
    assert RefundOrder.objects.get().status == RefundOrder.Status.VERIFIED
    with pytest.raises(ValidationError):
        refund_record(line=second, actor=world.clerk, refunded_fen=0, refunded_on=today)

    this_year = Period.year(today.year)

    def value(key, *, period=this_year, organization=world.bureau):
        return figure_value(f"fees.{key}", period=period, organization=organization).value

    assert value("findings_confirmed") == 2
    assert value("refunds_ordered") == (3000 + 80000) / 100  # shown in yuan, stored in fen
    assert value("refunded") == (3000 + 80000) / 100
    assert value("schools_affected") == 1 and value("schools_vetoed") == 1
    # A school's figures are its own; the other school has none.
    assert value("findings_confirmed", organization=world.primary) == 2
    assert value("findings_confirmed", organization=world.senior) == 0
    assert value("refunds_ordered", organization=world.senior) == 0
    assert value("findings_confirmed", period=Period.year(2000)) == 0
    assert value("refunds_ordered", period=Period.year(2000)) == 0


def test_fee1_refund_order_shows_deadline_finding_progress_and_its_issued_notice(world, findings):
    """FEE-1: the order carries the LOCAL FEE-1-refund deadline, each line its finding,
    the progress in lines and amounts; the 清退通知书 is issued under the order's number
    and only the bureau and the school read it."""
    import io

    import docx
    from django.urls import reverse

    from sunshine.core.clocks import deadline
    from sunshine.core.issued import document_for
    from sunshine.core.testing import user_with_role
    from sunshine.fees.refund_notice import REFUND_DOCUMENT
    from sunshine.fees.tests.test_views import client_of
    from sunshine.orgs.models import Role
    from sunshine.orgs.tests.factories import SchoolFactory

    finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    finding_confirm(finding=findings["compulsory"], actor=world.reviewer)
    order = refund_order_issue(school=world.primary, term=world.term, actor=world.reviewer)
    issued = document_for(order, kind=REFUND_DOCUMENT)
    assert issued is not None and issued.number == order.number and "清退" in order.number
    due = deadline("FEE-1-refund", order.issued_at).due_date
    first = order.lines.order_by("student_no").first()
    refund_record(line=first, actor=world.clerk, refunded_fen=first.amount_fen, refunded_on=timezone.localdate())

    page = client_of(world.clerk).get(reverse("fees:refund-detail", args=[order.pk]))
    assert page.status_code == 200
    progress = page.context["progress"]
    assert progress["due"].due_date == due and (progress["lines_done"], progress["lines_total"]) == (1, 2)
    body = page.content.decode()
    assert due.isoformat() in body and findings["prohibited"].get_kind_display() in body
    listing = client_of(world.reviewer).get(reverse("fees:refund-list"))
    assert listing.status_code == 200 and order.number in listing.content.decode()

    notice = client_of(world.clerk).get(reverse("fees:refund-notice", args=[order.pk]))
    assert notice.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(notice.streaming_content))).paragraphs)
    assert order.number in text and world.primary.name in text
    stranger = user_with_role(Role.SCHOOL_CLERK, organization=SchoolFactory(parent=world.bureau))
    assert client_of(stranger).get(reverse("fees:refund-notice", args=[order.pk])).status_code == 404


def test_fee1_refund_notice_previewed_before_issue_records_nothing(world, findings):
    import io

    import docx
    from django.urls import reverse

    from sunshine.core.models import IssuedDocument
    from sunshine.fees.models import LedgerUpload
    from sunshine.fees.tests.test_views import client_of

    finding_confirm(finding=findings["prohibited"], actor=world.reviewer)
    ledger = LedgerUpload.objects.get()
    url = reverse("fees:refund-preview", args=[ledger.pk])
    response = client_of(world.reviewer).get(url)
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "（预览）" in text and world.primary.name in text
    assert not RefundOrder.objects.exists() and not IssuedDocument.objects.filter(kind="fees.refund").exists()
    assert client_of(world.clerk).get(url).status_code == 403  # the school cannot issue, nor preview
