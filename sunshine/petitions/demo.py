"""A year of demo petitions across the demo district (registered with core.demo).

About 200 cases spread over the twelve months before ``context.now``, each walked
through the real services at back-dated moments (every clock, notice and audit entry
is the one the services write), so every state appears: registered (some overdue),
not accepted, forwarded, accepted, assigned, in progress (some overdue, some
extended), answered, rated, under review, reviewed, under re-examination and closed.
About half are anonymous; a handful of their receipt codes go to ``context.notes``.
Real-name filers are clearly fictional (演示- names, 199-0000 phone numbers).
Idempotent: nothing is built when the demo bureau already has petitions.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.utils import translation

from sunshine.core.actors import SYSTEM
from sunshine.orgs.models import Organization
from sunshine.petitions import services as svc
from sunshine.petitions.models import Petition

DEMO_CASES = 200
SUBJECTS = [
    ("complaint", "学校违规收取资料费", "开学时班主任要求每名学生交纳资料费80元，未开具收据。", "请求清退并查处。"),
    ("complaint", "课后服务费收取不透明", "学校收取课后服务费，未公示收费标准和依据。", "请求公示收费依据。"),
    ("report", "教师有偿补课", "某教师在校外开办补习班，动员本班学生参加并收费。", "请求调查处理。"),
    ("report", "食堂账目不清", "学校食堂伙食费结余未向家长公布，疑似挪作他用。", "请求审计食堂账目。"),
    ("complaint", "校车接送安排不合理", "校车路线调整后，偏远村学生需步行两公里。", "请求恢复原线路。"),
    ("suggestion", "建议增加午休设施", "学生中午只能趴在桌上休息。", "建议配置午休床。"),
    ("inquiry", "咨询义务教育入学政策", "随迁子女入学需要提供哪些材料？", "请告知办理流程。"),
    ("complaint", "招生划片不公", "小区被划入较远的学校，附近学校却招收片外学生。", "请求公开划片依据。"),
    ("report", "校长违规收受礼品", "有家长反映校长在教师节收受家长购物卡。", "请求调查。"),
    ("suggestion", "建议公开教辅征订目录", "家长不清楚哪些教辅是自愿征订的。", "建议在校务公开栏公示。"),
    ("complaint", "放学后强制留校", "学校要求学生放学后留校自习并收取看护费。", "请求停止收费。"),
    ("inquiry", "咨询学生资助申请", "家庭经济困难学生如何申请助学金？", "请告知条件和时间。"),
]
CHANNELS = ["web", "web", "web", "letter", "phone", "visit", "hotline", "suggestion_box", "forwarded", "fax"]
DEPARTMENTS = ["DEMO-BASIC", "DEMO-FINANCE", "DEMO-ENROLL", "DEMO-SAFETY", "DEMO-PERSONNEL"]
DEPARTMENT_STAFF = {
    "DEMO-BASIC": "jijiao",
    "DEMO-FINANCE": "jicai",
    "DEMO-ENROLL": "zhaosheng",
    "DEMO-PERSONNEL": "renshi",
    "DEMO-OFFICE": "bangong",
}
GIVEN = ["明", "芳", "伟", "娜", "强", "丽", "军", "静", "磊", "敏"]
REPLY_BASIS = "《信访工作条例》第三十二条；《教育收费管理暂行办法》"


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (demo data only; a plain function, not a
    MagicMock: a case takes a dozen of these)."""
    with mock.patch("django.utils.timezone.now", new=lambda: moment):
        yield


def build_petitions_demo(context: Any, *, count: int = DEMO_CASES, seed: int = 2026) -> None:
    """Build the demo year of petitions (idempotent)."""
    bureau = context.bureau
    if Petition.objects.filter(bureau=bureau).exists():
        return
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    users = context.users
    orgs = {o.code: o for o in Organization.objects.filter(path__startswith=bureau.path)}
    schools = sorted((o for o in orgs.values() if o.kind == Organization.Kind.SCHOOL), key=lambda o: o.code)
    now = context.now
    codes: list[tuple[str, str, str]] = []
    for i in range(count):
        # The last two letters came in within the day (under a day with the hours below):
        # like any bureau's, the demo always has letters just received and not yet
        # handled (registered, within their time), not only when a draw happens to leave one.
        days = rng.uniform(0.2, 365) if i < count - 2 else rng.uniform(0.05, 0.5)
        received = now - timedelta(days=days, hours=rng.randrange(0, 8))
        with transaction.atomic():
            filed = _walk(i, rng, received, now, bureau, orgs, schools, users)
        if filed is not None and not filed.petition.named:
            with translation.override(settings.LANGUAGE_CODE):  # the banner reads in the site's language
                status = str(filed.petition.get_status_display())
            codes.append((filed.petition.number, filed.receipt_code, status))
    context.notes.append(f"信访举报：演示件{count}件；部分匿名件的查询码（在“办件查询”页面输入）：")
    shown: set[str] = set()
    for number, code, status in codes:
        if status not in shown and len(shown) < 8:
            shown.add(status)
            context.notes.append(f"  {code}  （{number}，{status}）")


def _identity(rng: random.Random, i: int) -> svc.IdentityInput | None:
    if rng.random() < 0.5:
        return None
    return svc.IdentityInput(
        name=f"演示-{'赵钱孙李周吴郑王'[i % 8]}{rng.choice(GIVEN)}",
        phone=f"1990000{i:04d}",
        address=f"示范区演示路{i}号",
    )


def _walk(
    i: int, rng: random.Random, received: datetime, now: datetime, bureau: Any, orgs: dict, schools: list, users: dict
) -> svc.FiledPetition | None:
    kind, title, facts, request = SUBJECTS[i % len(SUBJECTS)]
    school = schools[rng.randrange(len(schools))]
    about_school = rng.random() < 0.75
    subject = school if about_school else orgs[rng.choice(DEPARTMENTS)]
    accused_org = school if kind == "report" and about_school and rng.random() < 0.5 else None
    accused_user = users.get(f"school{int(school.code[-2:]):02d}") if kind == "report" and rng.random() < 0.3 else None
    inspector, leader = users["jijian"], users["juzhang"]
    t = received

    def step(days_low: float, days_high: float) -> bool:
        nonlocal t
        t = t + timedelta(days=rng.uniform(days_low, days_high))
        return t < now

    with _at(t):
        filed = svc.petition_file(
            bureau=bureau,
            kind=kind,
            channel=rng.choice(CHANNELS),
            title=f"{subject.name}{title}" if about_school else title,
            facts=facts,
            request=request,
            reasons="违反有关规定。" if kind in ("complaint", "report") else "便于学生和家长。",
            subject_organization=subject,
            accused_organization=accused_org,
            accused_user=accused_user,
            accused_name="某教师" if kind == "report" and accused_user is None else "",
            identity=_identity(rng, i),
            received_at=t,
            actor=inspector if rng.random() < 0.3 else None,
        )
    p = filed.petition
    stall = rng.random()
    # A case is left waiting only if it came in lately: a bureau whose figures say
    # its cases are answered on time has no months-old case nobody touched.
    age = now - received
    if (stall < 0.11 and age > timedelta(days=12)) or (stall < 0.14 and age > timedelta(days=55)):
        stall = 1.0
    if stall < 0.06 or not step(1, 12):
        return filed  # registered (a few overdue by days)
    with _at(t):
        if rng.random() < 0.08:
            svc.petition_decline(
                petition=p, actor=inspector, reason="该事项已进入诉讼程序，依法不予受理。", where_to_go="区人民法院"
            )
            return filed
        if rng.random() < 0.06:
            svc.petition_forward(
                petition=p,
                actor=inspector,
                to_authority="示范区市场监督管理局",
                reason="反映的校外培训机构收费问题属市场监管部门职责。",
            )
            return filed
        svc.petition_accept(petition=p, actor=inspector)
    if stall < 0.09 or not step(0.5, 3):
        return filed
    with _at(t):  # PET-9: triage confirms the accused before a report is assigned
        svc.petition_accused_confirm(
            petition=p, organization=p.accused_organization, user=p.accused_user, actor=inspector
        )
    unit = subject
    no_staff = unit.kind == Organization.Kind.DEPARTMENT and unit.code not in DEPARTMENT_STAFF
    if unit.pk in _excluded(p) or no_staff:  # the 纪检组 handles what no other unit can
        unit = orgs["DEMO-DISCIPLINE"]
    with _at(t):
        svc.petition_assign(petition=p, organization=unit, actor=inspector, note="请依规调查核实并按期答复。")
    handler = _handler(unit, users, inspector)
    if stall < 0.11 or not step(0.5, 5):
        return filed
    with _at(t):
        svc.petition_start(petition=p, actor=handler)
        if rng.random() < 0.15:
            svc.petition_instruct(petition=p, author=leader, text="请高度重视，按期办结。")
    if stall < 0.14:
        return filed  # in progress (a few near their deadline)
    if rng.random() < 0.15 and step(20, 40):
        with _at(t):
            svc.petition_extend(
                petition=p, days=rng.choice([15, 20, 30]), reason="涉及多个部门，需进一步调查取证。", actor=leader
            )
    if not step(5, 50):
        return filed
    facts = "经调查核实，反映的问题基本属实。" if rng.random() < 0.6 else "经调查核实，反映的问题不属实。"
    with _at(t):  # the unit reports to the bureau before the reply
        svc.petition_unit_report(
            petition=p, actor=handler, findings=facts, actions="已约谈相关责任人，责令立即整改，并向反映人当面说明。"
        )
    if p.pk % 23 == 0:  # a few wait for the bureau to read the unit's report (no draw: the stream stays)
        return filed
    with _at(t):
        svc.petition_reply(
            petition=p,
            actor=handler,
            request_summary=request,
            facts=facts,
            reasons="学校的做法不符合有关规定。",
            decision=rng.choice(["supported", "supported", "explained", "not_supported"]),
            legal_basis=REPLY_BASIS,
        )
        if kind in ("complaint", "report") and rng.random() < 0.3:
            svc.petition_record_outcome(
                petition=p,
                refunds_ordered_fen=rng.choice([0, 800000, 7315000]),
                sanctions=rng.choice([0, 1, 2]),
                actor=inspector,
            )
    if not step(1, 10):
        return filed
    if rng.random() < 0.7:
        with _at(t):
            svc.petition_rate(
                petition=p, satisfaction=rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
            )
    if (p.satisfaction == "unsatisfied" or rng.random() < 0.08) and step(1, 15):
        with _at(t):
            svc.petition_review_apply(petition=p, reasons="对处理结果不服，请求复查。")
        if rng.random() < 0.25 or not step(5, 25):
            return filed
        with _at(t):
            svc.petition_reply(
                petition=p,
                actor=inspector,
                request_summary=request,
                facts="复查认定事实清楚。",
                reasons="原处理意见适当。",
                decision="not_supported",
                legal_basis=REPLY_BASIS,
            )
        if rng.random() < 0.5 and step(1, 20):
            with _at(t):
                svc.petition_reexam_apply(petition=p, reasons="仍然不服，请求复核。")
            if rng.random() > 0.4 and step(5, 25):
                with _at(t):
                    svc.petition_reply(
                        petition=p,
                        actor=leader,
                        request_summary=request,
                        facts="复核维持复查意见。",
                        reasons="复查意见正确。",
                        decision="not_supported",
                        legal_basis=REPLY_BASIS,
                    )
            return filed
    # The daily job closes answered cases once the PET-7 window has passed.
    t = max(t, (p.answered_at or t) + timedelta(days=31, hours=1))
    if t < now and p.status in (Petition.Status.ANSWERED, Petition.Status.RATED, Petition.Status.REVIEWED):
        with _at(t):
            if svc.review_window_lapsed(p, t):
                svc.petition_close(petition=p, actor=SYSTEM)
        if p.named and p.status == Petition.Status.CLOSED and step(1, 12):
            with _at(t):
                svc.petition_result_tell(
                    petition=p, actor=inspector, text="经调查处理，相关问题已整改到位。感谢您的监督。"
                )
    return filed


def _excluded(petition: Petition) -> set[int]:
    from sunshine.petitions.access import excluded_organizations

    return excluded_organizations(petition)


def _handler(unit: Organization, users: dict, fallback: Any) -> Any:
    if unit.kind == Organization.Kind.SCHOOL:
        return users.get(f"school{int(unit.code[-2:]):02d}", fallback)
    return users.get(DEPARTMENT_STAFF.get(unit.code, ""), fallback)
