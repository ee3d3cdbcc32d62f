"""Funds' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The district's fee reviewer (in the finance department) is the finance staff; the
department staff member (the office) is the project's certifier; leaders read and may
order rectifications; school A's clerk and principal read school A's allocations; school
B's clerk reaches none of school A's records (object scoping)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sunshine.core.actors import SYSTEM
from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.funds import services
from sunshine.funds.models import Allocation, Disbursement, Fund, LagAlert, ProgressCertification
from sunshine.funds.tests.conftest import World, evidence, make_world
from sunshine.orgs.models import Role

FINANCE = frozenset({Role.FEE_REVIEWER})
BUREAU_READERS = frozenset({Role.FEE_REVIEWER, Role.DEPARTMENT_STAFF, Role.LEADER})
SCHOOL_A = frozenset({Role.PRINCIPAL, Role.SCHOOL_CLERK})
READERS_A = frozenset({*BUREAU_READERS, *SCHOOL_A})  # of school A's records
WORKBENCH = frozenset({*READERS_A, OTHER_SCHOOL_CLERK})
RECTIFIERS = frozenset({Role.FEE_REVIEWER, Role.LEADER})


def world(d: District) -> World:
    return d.once("funds.world", make_world)


def paid(d: District) -> World:
    def build(d: District) -> World:
        w = world(d)
        services.disbursement_record(
            actor=w.finance, allocation=w.a, paid_on=date(2026, 1, 20), amount_fen=1_000_000, voucher="M-A1"
        )
        return w

    return d.once("funds.paid", build)


def alert(d: District) -> LagAlert:
    def build(d: District) -> LagAlert:
        w = paid(d)
        services.lag_sweep(actor=SYSTEM, on=date(2026, 11, 10))
        return LagAlert.objects.get(allocation=w.a)

    return d.once("funds.alert", build)


def certified(d: District) -> World:
    def build(d: District) -> World:
        w = world(d)
        services.progress_certify(
            actor=w.certifier,
            allocation=w.project,
            progress_bp=5000,
            certified_on=date(2026, 3, 1),
            evidence=evidence(),
        )
        return w

    return d.once("funds.certified", build)


def _csv(d: District) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"学校代码,凭证号,拨付日期,金额(元)\n{d.school.code},M-I1,2026-02-15,100\n"
    return SimpleUploadedFile("拨付.csv", text.encode(), content_type="text/csv")


ACCESS = [
    # Public
    Rule("funds:school-list", frozenset(VISITORS), setup=paid),
    Rule("funds:school", frozenset(VISITORS), kwargs=lambda d: {"code": paid(d).a.organization.code}),
    Rule("funds-api:school", frozenset(VISITORS), kwargs=lambda d: {"code": paid(d).a.organization.code}),
    Rule("funds-api:openapi-json", frozenset(VISITORS)),
    Rule("funds-api:api-root", frozenset(), denied_status=(404,)),
    # Staff
    Rule("funds:workbench", WORKBENCH, setup=alert),
    Rule("funds:fund-create", FINANCE),
    Rule(
        "funds:fund-create",
        FINANCE,
        method=POST,
        data={
            "name": "免费作业本专项资金",
            "source_level": "provincial",
            "purpose": "special",
            "year": "2026",
            "approved_on": "2026-01-05",
            "approval_document": "区财预〔2026〕4号",
            "total": "624300",
            "mode": "monthly",
            "curve": "",
        },
        ok_status=302,
        state=lambda d: Fund.objects.count(),
        done=lambda d: Fund.objects.filter(name="免费作业本专项资金").exists(),
    ),
    # School B has its own allocation of the fund: its clerk sees the fund with school B alone.
    Rule("funds:fund", WORKBENCH, kwargs=lambda d: {"pk": world(d).fund.pk}),
    Rule(
        "funds:fund",
        FINANCE,
        method=POST,
        kwargs=lambda d: {"pk": world(d).fund.pk},
        data=lambda d: {"organization": world(d).d.school.pk, "title": "", "amount": "1"},
        ok_status=400,  # school A already has its allocation: the form says so
        state=lambda d: Allocation.objects.count(),
        label="an allocation",
    ),
    Rule("funds:import", FINANCE, kwargs=lambda d: {"pk": world(d).fund.pk}),
    Rule(
        "funds:import",
        FINANCE,
        method=POST,
        kwargs=lambda d: {"pk": world(d).fund.pk},
        data=lambda d: {
            "file": _csv(d),
            "school": "学校代码",
            "voucher": "凭证号",
            "paid_on": "拨付日期",
            "amount": "金额(元)",
        },
        ok_status=302,
        state=lambda d: Disbursement.objects.count(),
        done=lambda d: Disbursement.objects.filter(voucher="M-I1").exists(),
    ),
    Rule("funds:allocation", READERS_A, kwargs=lambda d: {"pk": world(d).a.pk}),
    Rule(
        "funds:allocation",
        FINANCE,
        method=POST,
        kwargs=lambda d: {"pk": world(d).a.pk},
        data={"action": "pay", "paid_on": "2026-02-01", "amount": "10", "voucher": "M-P1"},
        ok_status=302,
        state=lambda d: Disbursement.objects.count(),
        done=lambda d: Disbursement.objects.filter(voucher="M-P1").exists(),
        label="pay",
    ),
    Rule(
        "funds:allocation",
        frozenset({Role.DEPARTMENT_STAFF}),
        method=POST,
        kwargs=lambda d: {"pk": certified(d).project.pk},
        data=lambda d: {"action": "certify", "progress": "60", "certified_on": "2026-04-01", "evidence": evidence()},
        ok_status=302,
        state=lambda d: ProgressCertification.objects.count(),
        done=lambda d: ProgressCertification.objects.filter(progress_bp=6000).exists(),
        label="certify",
    ),
    Rule(
        "core:file-download",
        READERS_A,
        kwargs=lambda d: {"pk": certified(d).project.certifications.get().evidence_id},
        label="progress evidence",
    ),
    Rule(
        "funds:rectify",
        RECTIFIERS,
        method=POST,
        kwargs=lambda d: {"pk": alert(d).pk},
        ok_status=302,
        state=lambda d: LagAlert.objects.get(pk=alert(d).pk).rectification_sent_at,
        done=lambda d: LagAlert.objects.get(pk=alert(d).pk).rectification_sent_at is not None,
    ),
    Rule("funds:statement", BUREAU_READERS, setup=paid),
    Rule(
        "funds:statement",
        FINANCE,
        method=POST,
        data={"as_of": "2026-11-10"},
        ok_status=302,
        state=lambda d: __import__("sunshine.core.models", fromlist=["IssuedDocument"]).IssuedDocument.objects.count(),
        setup=paid,
    ),
    Rule(
        "funds:school-publish",
        FINANCE,
        method=POST,
        kwargs=lambda d: {"pk": paid(d).a.organization_id},
        ok_status=302,
    ),
]
