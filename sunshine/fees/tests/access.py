"""Fees' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

Every record belongs to school A of the matrix's district: its clerk and principal
manage it, the bureau's fee reviewer reviews it, the leader reads it; the clerk of
school B reaches none of it (object scoping)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sunshine.core.actors import SYSTEM
from sunshine.core.clocks import SHANGHAI
from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.fees import services
from sunshine.fees.models import CatalogueItem, FeeDeclaration, FeeNotice, Finding, LedgerUpload, RefundOrder
from sunshine.fees.tests.factories import TermFactory
from sunshine.orgs.models import Role

SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})
SCHOOL_STAFF = frozenset({*SCHOOL_A, OTHER_SCHOOL_CLERK})
REVIEWER = frozenset({Role.FEE_REVIEWER})
READERS = frozenset({*SCHOOL_A, Role.FEE_REVIEWER, Role.LEADER})  # of school A's records
WORKBENCH = frozenset({*READERS, OTHER_SCHOOL_CLERK})
FORM_ERROR = (400, 403, 404)  # school B's clerk: school A is not among the form's choices


def term(d: District) -> Any:
    def build(d: District) -> Any:
        t = TermFactory(bureau=d.bureau)
        services.catalogue_seed(term=t, actor=SYSTEM)
        return t

    return d.once("fees.term", build)


def before_registration(t: Any) -> datetime:
    """FEE-5: a moment in good time for the term's notice (ten days before registration)."""
    return datetime.combine(t.registration_date - timedelta(days=10), time(9), SHANGHAI)


def item(d: District, code: str) -> CatalogueItem:
    return CatalogueItem.objects.get(term=term(d), code=code)


def declared(d: District) -> FeeDeclaration:
    return d.once(
        "fees.declared",
        lambda d: services.fee_declare(
            actor=d.user(Role.SCHOOL_CLERK), school=d.school, term=term(d), item=item(d, "uniform"), standard_fen=20000
        ),
    )


def filed(d: District) -> FeeDeclaration:
    def build(d: District) -> FeeDeclaration:
        line = services.fee_declare(
            actor=d.user(Role.SCHOOL_CLERK), school=d.school, term=term(d), item=item(d, "meals"), standard_fen=90000
        )
        reviewer = d.user(Role.FEE_REVIEWER)
        services.fee_declaration_approve(
            declaration=line, actor=reviewer, approving_body="区发改局", document_number="区发改〔2026〕1号"
        )
        return services.fee_declaration_file(declaration=line, actor=reviewer)

    return d.once("fees.filed", build)


def notice(d: District) -> FeeNotice:
    filed(d)
    return d.once(
        "fees.notice",
        lambda d: services.fee_notice_generate(school=d.school, term=term(d), actor=d.user(Role.SCHOOL_CLERK)),
    )


def published(d: District) -> FeeNotice:
    return d.once(
        "fees.published",
        lambda d: services.fee_notice_publish(
            notice=notice(d), actor=d.user(Role.SCHOOL_CLERK), now=before_registration(term(d))
        ),
    )


def ledger_file(name: str = "台账.csv") -> SimpleUploadedFile:
    rows = [
        "学号,姓名,收费项目,金额(元),收费日期,票据号",
        "S1,张三,讲义费,30,2026-09-01,R1",
        "S2,李四,学费,800,2026-09-01,R2",
    ]
    return SimpleUploadedFile(name, ("\n".join(rows) + "\n").encode(), content_type="text/csv")


def ledger(d: District) -> LedgerUpload:
    def build(d: District) -> LedgerUpload:
        filed(d)
        upload = services.ledger_import(
            school=d.school, term=term(d), file=ledger_file(), actor=d.user(Role.SCHOOL_CLERK)
        )
        services.ledger_audit(school=d.school, term=term(d), actor=d.user(Role.FEE_REVIEWER))
        return upload

    return d.once("fees.ledger", build)


def finding(d: District) -> Finding:
    ledger(d)
    return d.once("fees.finding", lambda d: Finding.objects.filter(school=d.school).order_by("pk").first())


def confirmed_ledger(d: District) -> LedgerUpload:
    """The ledger with one finding confirmed and not yet ordered (a refund to preview)."""
    upload = ledger(d)
    found = finding(d)
    if found.status == Finding.Status.OPEN:
        services.finding_confirm(finding=found, actor=d.user(Role.FEE_REVIEWER))
    return upload


def refund_order(d: District) -> RefundOrder:
    def build(d: District) -> RefundOrder:
        reviewer = d.user(Role.FEE_REVIEWER)
        ledger(d)
        first = Finding.objects.filter(school=d.school).order_by("-pk").first()
        services.finding_confirm(finding=first, actor=reviewer)  # type: ignore[arg-type]
        return services.refund_order_issue(school=d.school, term=term(d), actor=reviewer)

    return d.once("fees.refund", build)


def _status(model: Any, get: Any) -> Any:
    return lambda d: model.objects.get(pk=get(d).pk).status


ACCESS = [
    # Public
    Rule("fees:school-list", frozenset(VISITORS), setup=published),
    Rule("fees:school-notice", frozenset(VISITORS), kwargs=lambda d: {"code": published(d).school.code}),
    Rule("fees:notice-poster", frozenset(VISITORS), kwargs=lambda d: {"pk": published(d).pk}),
    Rule("fees:notice-complain", frozenset(VISITORS), kwargs=lambda d: {"pk": published(d).pk}),
    Rule(
        "fees:notice-complain",
        frozenset(VISITORS),
        method=POST,
        kwargs=lambda d: {"pk": published(d).pk},
        data={"title": ""},
        ok_status=400,
        label="form error",
    ),
    # Staff
    Rule("fees:workbench", WORKBENCH, setup=ledger),
    Rule("fees:declaration-create", SCHOOL_STAFF, setup=term),
    Rule(
        "fees:declaration-create",
        SCHOOL_A,
        method=POST,
        data=lambda d: {
            "school": d.school.pk,
            "term": term(d).pk,
            "item": item(d, "insurance").pk,
            "standard": "50",
            "unit": "year",
            "scope": "all",
        },
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: FeeDeclaration.objects.count(),
        done=lambda d: FeeDeclaration.objects.filter(item__code="insurance", school=d.school).exists(),
        label="school A",
    ),
    Rule("fees:declaration-review", READERS, kwargs=lambda d: {"pk": declared(d).pk}),
    Rule(
        "fees:declaration-review",
        REVIEWER,
        method=POST,
        kwargs=lambda d: {"pk": declared(d).pk},
        data={"action": "approve", "approving_body": "区发改局", "document_number": "区发改〔2026〕2号"},
        ok_status=302,
        state=_status(FeeDeclaration, declared),
        done=lambda d: FeeDeclaration.objects.get(pk=declared(d).pk).status == FeeDeclaration.Status.APPROVED,
        label="approve",
    ),
    Rule("fees:notice-staff", READERS, kwargs=lambda d: {"school": d.school.pk, "term": term(d).pk}),
    Rule(
        "fees:notice-staff",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"school": notice(d).school_id, "term": term(d).pk},
        data={"action": "publish", "late_reason": "校舍维修推迟公示"},  # FEE-5: registration is over
        ok_status=302,
        state=_status(FeeNotice, notice),
        done=lambda d: FeeNotice.objects.get(pk=notice(d).pk).status == FeeNotice.Status.PUBLISHED,
        label="publish",
    ),
    Rule("fees:ledger-upload", frozenset({*SCHOOL_STAFF, Role.FEE_REVIEWER}), setup=term),
    Rule(
        "fees:ledger-upload",
        frozenset({*SCHOOL_A, Role.FEE_REVIEWER}),
        method=POST,
        data=lambda d: {"school": filed(d).school_id, "term": term(d).pk, "file": ledger_file()},
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: LedgerUpload.objects.count(),
        done=lambda d: LedgerUpload.objects.filter(school=d.school).exists(),
        label="school A",
    ),
    Rule("fees:ledger-detail", READERS, kwargs=lambda d: {"pk": ledger(d).pk}),
    Rule("core:file-download", READERS, kwargs=lambda d: {"pk": ledger(d).stored_file_id}, label="a fee ledger"),
    Rule(
        "fees:ledger-detail",
        REVIEWER,
        method=POST,
        kwargs=lambda d: {"pk": ledger(d).pk},
        data={"action": "refund"},
        ok_status=302,
        state=lambda d: RefundOrder.objects.count(),
        label="refund order",
    ),
    Rule(
        "fees:finding-action",
        REVIEWER,
        method=POST,
        kwargs=lambda d: {"pk": finding(d).pk},
        data={"action": "confirm"},
        ok_status=302,
        state=_status(Finding, finding),
        done=lambda d: Finding.objects.get(pk=finding(d).pk).status == Finding.Status.CONFIRMED,
    ),
    Rule("fees:finding-export", WORKBENCH, setup=ledger),
    Rule("fees:refund-list", WORKBENCH, setup=refund_order),
    Rule("fees:refund-preview", REVIEWER, kwargs=lambda d: {"pk": confirmed_ledger(d).pk}),
    Rule("fees:refund-detail", READERS, kwargs=lambda d: {"pk": refund_order(d).pk}),
    Rule("fees:refund-notice", READERS, kwargs=lambda d: {"pk": refund_order(d).pk}),
    Rule(
        "fees:refund-detail",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": refund_order(d).pk},
        data=lambda d: {
            "action": "record",
            "line": refund_order(d).lines.get().pk,
            "refunded": "30",
            "refunded_on": "2026-09-10",
        },
        ok_status=302,
        state=lambda d: list(refund_order(d).lines.values_list("refunded_on", flat=True)),
        done=lambda d: refund_order(d).lines.get().refunded_on is not None,
        label="record a refund",
    ),
    Rule("fees:catalogue", WORKBENCH, setup=term),
    Rule(
        "fees:catalogue",
        REVIEWER,
        method=POST,
        data=lambda d: {
            "term": term(d).pk,
            "code": "art",
            "name": "艺术特长服务费",
            "category": "service",
            "restriction": "none",
        },
        ok_status=302,
        state=lambda d: CatalogueItem.objects.count(),
        done=lambda d: CatalogueItem.objects.filter(code="art").exists(),
        label="add an item",
    ),
]
