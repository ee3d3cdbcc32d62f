"""Demo data of fees: the national catalogue seeded into the demo terms (this is where
the catalogue is seeded for the demo; a real bureau runs ``manage.py
fees_catalogue_seed``), every school's fee items declared, approved and filed for the
2026-2027 autumn term, the notices (38 published before registration, two left as
drafts so the workbench shows red), a year of ledgers (spring and autumn 2026) with
planted violations of every kind, and refund orders in each state.

Idempotent: a bureau whose autumn term already has filed declarations is left alone.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from sunshine.core.demo import DemoContext
from sunshine.fees import services
from sunshine.fees.models import CatalogueItem, FeeDeclaration, Finding, RefundOrder
from sunshine.fees.models import Unit as FeeUnit
from sunshine.orgs.models import Organization, Term

SHANGHAI = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["子涵", "欣怡", "浩然", "梓萱", "宇轩", "诗琪", "俊杰", "雨桐", "一诺", "思远", "佳怡", "明轩"]
# (item code, standard in fen, unit, who: "all" | "boarding" | "fee-paying")
STANDARD_ITEMS = [
    ("meals", 90000, FeeUnit.TERM, "all"),
    ("after-school", 30000, FeeUnit.TERM, "all"),
    ("uniform", 25000, FeeUnit.YEAR, "all"),
    ("insurance", 5000, FeeUnit.YEAR, "all"),
    ("accommodation", 40000, FeeUnit.TERM, "boarding"),
    ("bedding", 18000, FeeUnit.YEAR, "boarding"),
    ("tuition", 80000, FeeUnit.TERM, "fee-paying"),
]
PLANTS = [
    "not_filed",
    "above_standard",
    "prohibited",
    "compulsory",
    "outside_window",
    "duplicate",
    "bundled",
    "surplus",
]


def _items_for(school: Organization) -> list[tuple[str, int, str]]:
    chosen: list[tuple[str, int, str]] = []
    for code, fen, unit, who in STANDARD_ITEMS:
        if who == "boarding" and not school.boarding:
            continue
        if who == "fee-paying" and school.is_compulsory:
            continue
        chosen.append((code, fen, str(unit)))
    return chosen


def _file_all(school: Organization, term: Term, reviewer: Any, clerk: Any, number: int) -> None:
    for code, fen, unit in _items_for(school):
        item = CatalogueItem.objects.get(term=term, code=code)
        if FeeDeclaration.objects.filter(school=school, term=term, item=item).exists():
            continue
        d = services.fee_declare(
            actor=clerk,
            school=school,
            term=term,
            item=item,
            standard_fen=fen,
            unit=unit,
            grades="全体年级",
            reductions="建档立卡、低保家庭学生免收" if code in ("meals", "after-school") else "",
        )
        services.fee_declaration_approve(
            declaration=d,
            actor=reviewer,
            approving_body="示范区发展和改革局",
            document_number=f"区发改价〔2026〕{number}号",
        )
        services.fee_declaration_file(declaration=d, actor=reviewer)
        # The demo's lines were filed in good time, a month before registration (FEE-5).
        filed_at = datetime.combine(term.registration_date - timedelta(days=30), time(9), SHANGHAI)
        FeeDeclaration.objects.filter(pk=d.pk).update(filed_at=filed_at)


def _ledger_csv(school: Organization, term: Term, plant: str, students: int = 40) -> bytes:
    start = term.registration_date
    lines = ["学号,姓名,年级,收费项目,金额(元),收费日期,票据号"]
    items = _items_for(school)
    receipt = 0
    for n in range(1, students + 1):
        sno = f"{school.code[-3:]}{term.starts_on.year}{n:04d}"
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        for code, fen, _unit in items:
            receipt += 1
            names = {
                "meals": "伙食费",
                "after-school": "课后服务费",
                "uniform": "校服费",
                "insurance": "学生意外伤害保险费",
                "accommodation": "住宿费",
                "bedding": "床上用品费",
                "tuition": "学费",
            }
            day = start + timedelta(days=n % 7)
            lines.append(f"{sno},{name},一年级,{names[code]},{fen / 100:.2f},{day.isoformat()},P{receipt:06d}")
    sno1, sno2 = f"{school.code[-3:]}{term.starts_on.year}0001", f"{school.code[-3:]}{term.starts_on.year}0002"
    first = start.isoformat()
    # The planted rows name students 1 and 2 as the rest of the ledger does.
    name1, name2 = SURNAMES[1] + GIVEN[1], SURNAMES[2] + GIVEN[2]
    planted = {
        "not_filed": [f"{sno1},{name1},一年级,考试费,60.00,{first},X1"],
        "above_standard": [f"{sno2},{name2},一年级,伙食费,980.00,{first},X2"],
        "prohibited": [
            f"{sno1},{name1},一年级,资料费,50.00,{first},X3",
            f"{sno2},{name2},一年级,空调费,80.00,{first},X4",
        ],
        "compulsory": [f"{sno1},{name1},一年级,杂费,120.00,{first},X5"],
        "outside_window": [f"{sno2},{name2},一年级,课后服务费,300.00,{(start + timedelta(days=60)).isoformat()},X6"],
        "duplicate": [f"{sno1},{name1},一年级,伙食费,900.00,{(start + timedelta(days=3)).isoformat()},X7"],
        "bundled": [
            f"{sno2},{name2},一年级,住宿费,400.00,{first},X8",
            f"{sno2},{name2},一年级,伙食费,900.00,{first},X8",
        ],
        "surplus": [],
    }
    return ("\n".join(lines + planted[plant]) + "\n").encode("utf-8")


@transaction.atomic
def build_fees_demo(context: DemoContext) -> None:
    bureau = context.bureau
    users = context.users
    reviewer = users.get("jicai")
    autumn = Term.objects.get(bureau=bureau, school_year="2026-2027", season=Term.Season.AUTUMN)
    spring = Term.objects.get(bureau=bureau, school_year="2025-2026", season=Term.Season.SPRING)
    if FeeDeclaration.objects.filter(term=autumn, status=FeeDeclaration.Status.FILED).exists():
        return
    for term in (spring, autumn):
        services.catalogue_seed(term=term, actor=reviewer)
    schools = list(Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL).order_by("code"))

    for index, school in enumerate(schools, start=1):
        clerk = users.get(f"clerk{index:02d}")
        _file_all(school, autumn, reviewer, clerk, 30 + index)
        notice = services.fee_notice_generate(school=school, term=autumn, actor=clerk)
        if index <= len(schools) - 2:
            # 10 to 22 days before registration: most in good time (green), a few late in the break (amber).
            days_before = 10 + 3 * (index % 5)
            published = datetime.combine(autumn.registration_date - timedelta(days=days_before), time(9), SHANGHAI)
            services.fee_notice_publish(notice=notice, actor=clerk, now=published)

    # A year of ledgers: spring and autumn 2026, one planted kind per school (and a clean one).
    for index, school in enumerate(schools[:18], start=1):
        clerk = users.get(f"clerk{index:02d}")
        plant = PLANTS[(index - 1) % len(PLANTS)]
        if plant == "compulsory" and not school.is_compulsory:
            plant = "prohibited"
        for term in (spring, autumn) if index <= 8 else (autumn,):
            if term == spring:
                _file_all(school, spring, reviewer, clerk, 10 + index)
            if plant == "surplus":
                d = FeeDeclaration.objects.get(school=school, term=term, item__code="uniform")
                services.fee_declaration_settle(declaration=d, actor=clerk, actual_cost_fen=23000)
            upload = SimpleUploadedFile(f"{school.code}-{term.pk}-台账.csv", _ledger_csv(school, term, plant))
            services.ledger_import(school=school, term=term, file=upload, actor=clerk)
            services.ledger_audit(school=school, term=term, actor=reviewer)

    # Confirm the findings of six schools; refund orders issued, reported and verified.
    today = min(context.now.astimezone(SHANGHAI).date(), timezone.localdate())
    for n, school in enumerate(schools[:6]):
        clerk = users.get(f"clerk{n + 1:02d}")
        findings = list(Finding.objects.filter(school=school, term=autumn, status=Finding.Status.OPEN))
        if not findings:
            continue
        for finding in findings:
            services.finding_confirm(finding=finding, actor=reviewer)
        order = services.refund_order_issue(school=school, term=autumn, actor=reviewer)
        if n % 3 >= 1:
            for line in order.lines.all():
                services.refund_record(line=line, actor=clerk, refunded_fen=line.amount_fen, refunded_on=today)
            services.refund_order_report(order=order, actor=clerk)
        if n % 3 == 2:
            services.refund_order_verify(order=order, actor=reviewer)
    issued = RefundOrder.objects.filter(school__parent=bureau).count()
    found = Finding.objects.filter(school__parent=bureau).count()
    context.notes.append(f"学校收费：收费公示{len(schools)}份，查实违规收费{found}项，清退通知{issued}份")
