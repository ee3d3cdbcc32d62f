"""The demo district's funds: the seed's five funds with its figures at 10 November 2026
(生均公用经费 1982万元, 寄宿生营养改善专项资金 38.42万元, 中职国家助学金 60.67万元, 免费作业本专项
资金 62.43万元, 校安工程资金 1300万元, all transferred on time), one school lagging its time
schedule (alerted by the lag check on 10 November) and one school-safety project held at
its certified progress (a payment ahead of it refused)."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.demo import DemoContext
from sunshine.funds import services
from sunshine.funds.models import Allocation, Fund
from sunshine.orgs.models import Organization

AS_OF = date(2026, 11, 10)
SCHOOLS = 8
WAN = 1_000_000  # fen in 万元

# (name, purpose, mode, disbursed by 10 November in fen, code)
SEED_FUNDS = (
    ("生均公用经费", Fund.Purpose.GENERAL, Fund.Mode.MONTHLY, 1982 * WAN, "GY"),
    ("寄宿生营养改善专项资金", Fund.Purpose.SPECIAL, Fund.Mode.DAILY, 3842 * WAN // 100, "YY"),
    ("中职国家助学金", Fund.Purpose.SPECIAL, Fund.Mode.CURVE, 6067 * WAN // 100, "ZZ"),
    ("免费作业本专项资金", Fund.Purpose.SPECIAL, Fund.Mode.MONTHLY, 6243 * WAN // 100, "ZY"),
)
CURVE = [500, 1500, 3000, 4000, 4500, 5000, 5500, 6000, 7500, 8500, 9500, 10000]


def _csv(rows: list[tuple[str, str, str, str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    out.write("学校代码,凭证号,拨付日期,金额(元)\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return SimpleUploadedFile("拨付明细.csv", out.getvalue().encode(), content_type="text/csv")


def _fen_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _time_fund(
    bureau: Organization, schools: list[Organization], actor: Any, spec: tuple[Any, ...], position: int, lagging: bool
) -> Fund:
    name, purpose, mode, target, code = spec
    total = target * 10 // 9  # 90 % arrived by 10 November: ahead of every schedule
    fund = services.fund_create(
        actor=actor,
        bureau=bureau,
        name=name,
        source_level=Fund.Source.PROVINCIAL if purpose == Fund.Purpose.SPECIAL else Fund.Source.DISTRICT,
        purpose=purpose,
        year=2026,
        approved_on=date(2026, 1, 5),
        approval_document=f"区财预〔2026〕{position}号",
        total_fen=total,
        mode=mode,
        curve_bp=CURVE if mode == Fund.Mode.CURVE else (),
        position=position,
    )
    n = len(schools)
    amounts = [total // n] * (n - 1) + [total - total // n * (n - 1)]
    for school, amount in zip(schools, amounts, strict=True):
        services.allocation_create(actor=actor, fund=fund, organization=school, amount_fen=amount)
    # What arrived at each school by 10 November: the lagging school 60 %, the rest share the remainder.
    paid = [0] * n
    start = 0
    if lagging:
        paid[0] = amounts[0] * 60 // 100
        start = 1
    rest = target - sum(paid)
    rest_total = sum(amounts[start:])
    for i in range(start, n - 1):
        paid[i] = rest * amounts[i] // rest_total
    paid[n - 1] = target - sum(paid[: n - 1])
    rows = []
    for school, got in zip(schools, paid, strict=True):
        for month in range(1, 11):
            part = got // 10 if month < 10 else got - got // 10 * 9
            rows.append(
                (school.code, f"{code}-2026-{school.code}-{month:02d}", f"2026-{month:02d}-15", _fen_text(part))
            )
    services.disbursements_import(actor=actor, fund=fund, file=_csv(rows))
    return fund


def _safety_fund(bureau: Organization, schools: list[Organization], actor: Any, certifier: Any) -> None:
    fund = services.fund_create(
        actor=actor,
        bureau=bureau,
        name="校安工程资金",
        source_level=Fund.Source.CITY,
        purpose=Fund.Purpose.SPECIAL,
        year=2026,
        approved_on=date(2026, 1, 5),
        approval_document="区财预〔2026〕5号",
        total_fen=1800 * WAN,
        mode=Fund.Mode.PROJECT,
        position=5,
    )
    done = services.allocation_create(
        actor=actor,
        fund=fund,
        organization=schools[0],
        amount_fen=1000 * WAN,
        title="教学楼抗震加固",
        certifier=certifier,
    )
    held = services.allocation_create(
        actor=actor, fund=fund, organization=schools[1], amount_fen=800 * WAN, title="学生宿舍改造", certifier=certifier
    )
    evidence = SimpleUploadedFile(
        "监理报告.pdf", b"%PDF-1.4\n% progress report\n%%EOF\n", content_type="application/pdf"
    )
    services.progress_certify(
        actor=certifier,
        allocation=done,
        progress_bp=10_000,
        certified_on=date(2026, 2, 20),
        evidence=evidence,
        note="竣工验收合格",
    )
    evidence = SimpleUploadedFile(
        "监理报告.pdf", b"%PDF-1.4\n% progress report\n%%EOF\n", content_type="application/pdf"
    )
    services.progress_certify(
        actor=certifier,
        allocation=held,
        progress_bp=3_750,
        certified_on=date(2026, 2, 25),
        evidence=evidence,
        note="主体结构完成37.5%",
    )
    services.disbursement_record(
        actor=actor, allocation=done, paid_on=date(2026, 2, 28), amount_fen=1000 * WAN, voucher="XA-2026-001"
    )
    services.disbursement_record(
        actor=actor, allocation=held, paid_on=date(2026, 3, 2), amount_fen=300 * WAN, voucher="XA-2026-002"
    )
    with contextlib.suppress(ValidationError):  # FND-2: a payment ahead of the certified progress is refused
        services.disbursement_record(
            actor=actor, allocation=held, paid_on=date(2026, 9, 1), amount_fen=200 * WAN, voucher="XA-2026-003"
        )


def build_funds_demo(context: DemoContext) -> None:
    bureau = context.bureau
    if Fund.objects.filter(bureau=bureau, year=2026).exists():
        return
    actor = context.users.get("jicai") or SYSTEM
    certifier = context.users.get("jijiao")
    schools = list(Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL).order_by("code")[:SCHOOLS])
    if len(schools) < 2 or certifier is None:
        return
    for position, spec in enumerate(SEED_FUNDS, start=1):
        _time_fund(bureau, schools, actor, spec, position, lagging=position == 1)
    _safety_fund(bureau, schools, actor, certifier)
    services.lag_sweep(actor=SYSTEM, on=AS_OF)
    context.notes.append(f"经费：截止2026年11月10日的下拨情况见 /funds/staff/statement/?as_of={AS_OF.isoformat()}")


def build_funds_projects_demo(context: DemoContext) -> None:
    """After the decisions builder: the projects that decisions opened through the seam
    (a kindergarten building) are certified by the bureau's certifier and paid up to it."""
    actor = context.users.get("jicai")
    certifier = context.users.get("jijiao")
    if actor is None or certifier is None:
        return
    projects = Allocation.objects.filter(
        fund__bureau=context.bureau, source_label__startswith="decisions.", certifications__isnull=True
    )
    for number, allocation in enumerate(projects, start=1):
        on = timezone.localdate()
        evidence = SimpleUploadedFile("监理报告.pdf", b"%PDF-1.4\n% progress\n%%EOF\n", content_type="application/pdf")
        services.progress_certify(
            actor=certifier, allocation=allocation, progress_bp=1_500, certified_on=on, evidence=evidence,
            note="基础施工完成，经监理确认",
        )  # fmt: skip
        services.disbursement_record(
            actor=actor, allocation=allocation, paid_on=on, amount_fen=allocation.amount_fen * 1_000 // 10_000,
            voucher=f"JC-{on.year}-{number:03d}",
        )  # fmt: skip
