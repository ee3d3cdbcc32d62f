"""Every fees write checks the actor's right inside the service: called directly (as a
command or a task would), a wrong role, another school's staff, the public and a
forgotten ``None`` are refused with PermissionDenied and nothing changes; the system
(``core.actors.SYSTEM``) is accepted only where a command or task acts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from sunshine.core.actors import SYSTEM
from sunshine.core.models import AuditEntry
from sunshine.core.testing import user_with_role
from sunshine.fees import services
from sunshine.fees.models import CatalogueItem, FeeDeclaration, FeeNotice, Finding, LedgerUpload, RefundOrder
from sunshine.fees.tests.access import before_registration
from sunshine.fees.tests.factories import TermFactory
from sunshine.fees.tests.test_audit import csv_file
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(world: Any) -> dict[str, Any]:
    """A declared line, a filed line with a draft notice, a ledger with open findings, an
    issued refund order: one of everything a write acts on, all of ``world.primary``."""
    declared = services.fee_declare(
        actor=world.clerk, school=world.primary, term=world.term, item=world.item("uniform"), standard_fen=20000
    )
    filed = world.file(world.primary, "meals", 90000)
    notice = services.fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    lines = ["S1,张三,讲义费,30,2026-09-01,R1", "S2,李四,学费,800,2026-09-01,R2", "S3,王五,伙食费,950,2026-09-01,R3"]
    services.ledger_import(school=world.primary, term=world.term, file=csv_file(lines), actor=world.clerk)
    services.ledger_audit(school=world.primary, term=world.term, actor=world.reviewer)
    confirmed = Finding.objects.get(kind="compulsory")
    services.finding_confirm(finding=confirmed, actor=world.reviewer)
    order = services.refund_order_issue(school=world.primary, term=world.term, actor=world.reviewer)
    return {
        "declared": declared,
        "filed": filed,
        "notice": notice,
        "finding": Finding.objects.get(kind="prohibited"),
        "order": order,
        "line": order.lines.get(),
        "spare_term": TermFactory(bureau=world.bureau, school_year="2027-2028"),
    }


REVIEWER_ONLY = "reviewer"
SCHOOL_ONLY = "school"
EITHER = "either"
# What a command or task does: the system may (and is tested doing so below).
SYSTEM_MAY = frozenset({"catalogue_copy", "ledger_audit"})

# (service, who may call it, the call with a given actor)
CALLS: list[tuple[str, str, Callable[[Any, dict[str, Any], Any], Any]]] = [
    ("catalogue_item_create", REVIEWER_ONLY, lambda w, o, a: services.catalogue_item_create(
        term=w.term, actor=a, code="art", name="艺术特长服务费", category="service")),
    ("catalogue_copy", REVIEWER_ONLY, lambda w, o, a: services.catalogue_copy(
        source=w.term, target=o["spare_term"], actor=a)),
    ("fee_declare", SCHOOL_ONLY, lambda w, o, a: services.fee_declare(
        actor=a, school=w.primary, term=w.term, item=w.item("insurance"), standard_fen=5000)),
    ("fee_declaration_approve", REVIEWER_ONLY, lambda w, o, a: services.fee_declaration_approve(
        declaration=o["declared"], actor=a, approving_body="区发改局", document_number="区发改〔2026〕1号")),
    ("fee_declaration_reject", REVIEWER_ONLY, lambda w, o, a: services.fee_declaration_reject(
        declaration=o["declared"], actor=a, reason="no basis")),
    ("fee_declaration_file", REVIEWER_ONLY, lambda w, o, a: services.fee_declaration_file(
        declaration=o["declared"], actor=a)),
    ("fee_declaration_settle", SCHOOL_ONLY, lambda w, o, a: services.fee_declaration_settle(
        declaration=o["filed"], actor=a, actual_cost_fen=1)),
    ("fee_notice_generate", SCHOOL_ONLY, lambda w, o, a: services.fee_notice_generate(
        school=w.primary, term=w.term, actor=a)),
    ("fee_notice_publish", SCHOOL_ONLY, lambda w, o, a: services.fee_notice_publish(
        notice=o["notice"], actor=a, now=before_registration(w.term)
    )),
    ("fee_notice_withdraw", SCHOOL_ONLY, lambda w, o, a: services.fee_notice_withdraw(notice=o["notice"], actor=a)),
    ("ledger_import", EITHER, lambda w, o, a: services.ledger_import(
        school=w.primary, term=w.term, file=csv_file(["S9,赵六,伙食费,900,2026-09-01,R9"]), actor=a)),
    ("ledger_audit", EITHER, lambda w, o, a: services.ledger_audit(school=w.primary, term=w.term, actor=a)),
    ("finding_confirm", REVIEWER_ONLY, lambda w, o, a: services.finding_confirm(finding=o["finding"], actor=a)),
    ("finding_dismiss", REVIEWER_ONLY, lambda w, o, a: services.finding_dismiss(
        finding=o["finding"], actor=a, reason="refiled")),
    ("refund_order_issue", REVIEWER_ONLY, lambda w, o, a: services.refund_order_issue(
        school=w.primary, term=w.term, actor=a)),
    ("refund_record", SCHOOL_ONLY, lambda w, o, a: services.refund_record(
        line=o["line"], actor=a, refunded_fen=1, refunded_on=timezone.localdate())),
    ("refund_order_report", SCHOOL_ONLY, lambda w, o, a: services.refund_order_report(order=o["order"], actor=a)),
    ("refund_order_verify", REVIEWER_ONLY, lambda w, o, a: services.refund_order_verify(order=o["order"], actor=a)),
    ("refund_order_return", REVIEWER_ONLY, lambda w, o, a: services.refund_order_return(
        order=o["order"], actor=a, reason="again")),
]  # fmt: skip


def _snapshot() -> tuple[Any, ...]:
    return (
        AuditEntry.objects.count(),
        sorted(FeeDeclaration.objects.values_list("pk", "status", "actual_cost_fen")),
        sorted(FeeNotice.objects.values_list("pk", "status")),
        sorted(Finding.objects.values_list("pk", "status")),
        sorted(RefundOrder.objects.values_list("pk", "status")),
        LedgerUpload.objects.count(),
        CatalogueItem.objects.count(),
    )


def _outsiders(world: Any, allowed: str) -> dict[str, Any]:
    """Everyone who must be refused: the other school's clerk, the wrong side of the
    bureau, a reviewer of another bureau, other staff, the public, None and the system."""
    other_bureau = BureauFactory()
    refused = {
        "other school's clerk": world.senior_clerk,
        "reviewer of another bureau": user_with_role(Role.FEE_REVIEWER, bureau=other_bureau),
        "leader": user_with_role(Role.LEADER, organization=world.bureau),
        "department staff": user_with_role(Role.DEPARTMENT_STAFF, bureau=world.bureau),
        "public": UserFactory(),
        "None": None,
        "system": SYSTEM,
    }
    if allowed == REVIEWER_ONLY:
        refused["the school's own clerk"] = world.clerk
    if allowed == SCHOOL_ONLY:
        refused["the bureau's fee reviewer"] = world.reviewer
    return refused


@pytest.mark.parametrize(("name", "allowed", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_a_write_refuses_whoever_has_no_right_to_it(world, objects, name, allowed, call):
    refused = _outsiders(world, allowed)
    if name in SYSTEM_MAY:
        del refused["system"]
    for label, actor in refused.items():
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            call(world, objects, actor)
        assert _snapshot() == before, f"{name} changed data for {label}"


def test_the_refusal_is_in_chinese(world, objects):
    with override("zh-hans"), pytest.raises(PermissionDenied) as caught:
        services.fee_declare(
            actor=world.senior_clerk, school=world.primary, term=world.term, item=world.item("meals"), standard_fen=1
        )
    assert "无权" in str(caught.value)


def test_the_system_may_seed_and_audit_but_nobody_else_by_accident(world):
    spring = TermFactory(bureau=world.bureau, school_year="2027-2028")
    assert services.catalogue_seed(term=spring, actor=SYSTEM) > 0
    assert services.ledger_audit(school=world.primary, term=world.term, actor=SYSTEM) == 0
    for actor in (None, world.clerk, user_with_role(Role.FEE_REVIEWER, bureau=BureauFactory())):
        with pytest.raises(PermissionDenied):
            services.catalogue_seed(term=TermFactory(bureau=world.bureau, school_year="2028-2029"), actor=actor)
