"""Demo data of oversight: a supervisor's appointment with an open inspection filed (its
finding ordered for rectification) and a covert visit still in progress; rectification
orders in every state (open, overdue, reported, verified, reopened); a circular with
receipts and studies part-done; talks and sanctions; and the year's evaluation with red,
amber and green schools, its bulletin issued and published, and the advanced units with
the vetoed schools and their reasons (fees' confirmed illegal fees reach the veto
through the seam; the last-placed school is vetoed too).

Idempotent: a bureau with an evaluation is left alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from sunshine.core.clocks import SHANGHAI
from sunshine.core.demo import DemoContext
from sunshine.core.models import Supervision
from sunshine.orgs.models import Organization
from sunshine.oversight import services
from sunshine.oversight.models import Campaign, Evaluation, Inspection, RectificationItem, Talk

# a one-pixel photo of a signed pledge (the demo's stand-in for a scan)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PROBLEMS = [
    "食堂伙食费收支未按月公示",
    "课后服务收费标准未在校门口公示",
    "教辅材料征订未落实“一科一辅”自愿原则",
    "校务公开栏内容超过一个学期未更新",
    "违规收取学生资料费",
    "教师有偿补课问题排查台账不全",
]
# 师德师风 scored by hand: most schools well, a few poorly (with the evidence named)
HAND_SCORES = [
    95, 92, 88, 98, 85, 90, 60, 94, 91, 40, 87, 93, 96, 89, 30, 90, 92, 86, 97, 91,
    99, 93, 97, 95, 84, 96, 98, 92, 70, 94, 97, 99, 88, 95, 50, 96, 93, 98, 90, 94,
]  # fmt: skip


def _backdate(item: RectificationItem, days: int) -> None:
    """A demo item whose deadline has passed (the district's history)."""
    due = timezone.localdate() - timedelta(days=days)
    RectificationItem.objects.filter(pk=item.pk).update(due_on=due)
    Supervision.objects.filter(object_id=str(item.pk), rule_id="OVS-4").update(
        started_at=timezone.now() - timedelta(days=days + 30), due_at=timezone.now() - timedelta(days=days)
    )


def _backdate_verified(item: RectificationItem, days: int) -> None:
    """A demo item whose deadline passed ``days`` ago, reported and verified before it
    (the district's history: most orders are rectified on time)."""
    due = timezone.localdate() - timedelta(days=days)
    end = timezone.now() - timedelta(days=days)
    RectificationItem.objects.filter(pk=item.pk).update(
        due_on=due, reported_at=end - timedelta(days=6), verified_at=end - timedelta(days=2), verified_on_time=True
    )
    Supervision.objects.filter(object_id=str(item.pk), rule_id="OVS-4").update(
        started_at=end - timedelta(days=30), due_at=end, finished_at=end - timedelta(days=6)
    )


@transaction.atomic
def build_oversight_demo(context: DemoContext) -> None:
    bureau = context.bureau
    if Evaluation.objects.filter(indicator_set__bureau=bureau).exists():
        return
    users: dict[str, Any] = context.users
    inspector = users["jijian"]
    leader = users["juzhang"]
    supervisor = users["jiandu1"]
    schools = list(Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL).order_by("code"))
    clerks = {school.pk: users.get(f"clerk{i:02d}") for i, school in enumerate(schools, start=1)}
    today = timezone.localdate()

    # Supervisors: an appointment, an open inspection filed (its finding ordered), a covert visit in progress.
    appointment = services.appointment_create(
        bureau=bureau,
        user=supervisor,
        starts_on=today - timedelta(days=120),
        ends_on=today + timedelta(days=245),
        schools=schools[:10],
        actor=leader,
    )
    visit = services.inspection_open(
        appointment=appointment,
        school=schools[1],
        mode=Inspection.Mode.OPEN,
        visited_on=today - timedelta(days=3),
        items_checked="收费公示\n食堂管理\n校务公开栏",
        actor=supervisor,
    )
    finding = services.finding_add(inspection=visit, text=PROBLEMS[1], actor=supervisor)
    services.inspection_file(inspection=visit, actor=supervisor)
    services.finding_to_order(finding=finding, actor=inspector)
    covert = services.inspection_open(
        appointment=appointment,
        school=schools[2],
        mode=Inspection.Mode.COVERT,
        visited_on=today - timedelta(days=1),
        items_checked="有偿补课\n教辅征订",
        actor=supervisor,
    )
    services.finding_add(inspection=covert, text="放学后有教师在校外机构授课", actor=supervisor)

    # Rectification orders in every state.
    def order(school: Organization, label: str, text: str) -> RectificationItem:
        made = services.rectification_order_create(
            organization=school, issuer=bureau, source_label=label, items=[(text, None, "OVS-4")], actor=inspector
        )
        return made.items.get()

    overdue = order(schools[0], "petitions.case:demo-1", PROBLEMS[0])
    _backdate(overdue, 5)
    for n, school in enumerate(schools[3:5]):
        late = order(school, f"disclosure.inspection:demo-{n}", PROBLEMS[3])
        _backdate(late, 10 + n)
    reported = order(schools[6], "fees.audit:demo-1", PROBLEMS[4])
    services.rectification_report(item=reported, actor=clerks[schools[6].pk], text="已全额清退，清退名单及凭证附后")
    for n, school in enumerate(schools[7:12]):
        done = order(school, f"oversight.evaluation:demo-{n}", PROBLEMS[2])
        services.rectification_report(item=done, actor=clerks[school.pk], text="已召开家长会说明，改为自愿征订")
        services.rectification_verify(item=done, actor=inspector, accept=True)
        _backdate_verified(done, 20 + 7 * n)
    # The year's earlier orders, rectified and verified before their deadlines.
    for n, school in enumerate(schools[13:20]):
        earlier = order(school, f"oversight.inspection:demo-{n}", PROBLEMS[n % len(PROBLEMS)])
        services.rectification_report(item=earlier, actor=clerks[school.pk], text="已按要求整改，整改材料附后")
        services.rectification_verify(item=earlier, actor=inspector, accept=True)
        _backdate_verified(earlier, 40 + 25 * n)
    reopened = order(schools[12], "funds.transfer:demo-1", PROBLEMS[5])
    services.rectification_report(item=reopened, actor=clerks[schools[12].pk], text="已建立台账")
    services.rectification_verify(item=reopened, actor=inspector, accept=True)
    services.rectification_reopen(item=reopened, actor=inspector, reason="复查发现台账缺少三名教师的排查记录")

    # A circular: receipts and studies part-done.
    circular = services.circular_issue(
        bureau=bureau,
        number=f"区教〔{today.year}〕18号",
        title="关于开展师德师风专项整治的通知",
        body="各校组织全体教职工学习，并于规定时间内报送学习情况。",
        forwarded=False,
        schools=schools,
        actor=inspector,
    )
    for n, confirmation in enumerate(circular.confirmations.select_related("school").order_by("school__code")):
        clerk = clerks.get(confirmation.school_id)
        if clerk is None or n >= 36:
            continue
        services.circular_confirm_receipt(confirmation=confirmation, actor=clerk)
        if n < 30:
            services.circular_confirm_study(
                confirmation=confirmation, actor=clerk, studied_on=today, attendees=40 + n, minutes="集中学习通知全文"
            )

    # Talks and sanctions.
    for kind, person, school, reason in (
        (Talk.Kind.TALK, "某副校长", schools[0], "食堂收支长期未公示"),
        (Talk.Kind.TALK, "某总务主任", schools[6], "违规收取学生资料费"),
        (Talk.Kind.SANCTION, "某教师", schools[9], "有偿补课，经查属实"),
        (Talk.Kind.SANCTION, "某教师", schools[14], "违规征订教辅材料"),
    ):
        services.talk_record(
            bureau=bureau,
            kind=kind,
            person=person,
            unit=school,
            held_on=today - timedelta(days=7),
            held_by="区教育局纪检组",
            reason=reason,
            linked="",
            actor=inspector,
        )

    # Campaigns: a pledge part-signed, a warning-education session with its attendance, a self-inspection.
    pledge = services.campaign_launch(
        bureau=bureau,
        kind=Campaign.Kind.PLEDGE,
        title="廉洁从教承诺书",
        body="本人承诺：不违规收费，不有偿补课，不收受学生家长礼品礼金。",
        held_on=None,
        actor=inspector,
    )
    for ret in pledge.returns.select_related("school").order_by("school__code")[:30]:
        clerk = clerks.get(ret.school_id)
        if clerk is not None:
            paper = SimpleUploadedFile("承诺书.png", PNG, content_type="image/png")
            services.pledge_sign(ret=ret, actor=clerk, paper=paper)
    warning = services.campaign_launch(
        bureau=bureau,
        kind=Campaign.Kind.WARNING,
        title="教育系统警示教育大会",
        body="观看警示教育片，通报近期查处的违规收费和有偿补课典型案例。",
        held_on=today - timedelta(days=10),
        actor=inspector,
    )
    rows = "学校代码,参加人数\n" + "".join(f"{s.code},{30 + n}\n" for n, s in enumerate(schools[:32]))
    services.attendance_import(campaign=warning, file=SimpleUploadedFile("签到表.csv", rows.encode()), actor=inspector)
    check = services.campaign_launch(
        bureau=bureau,
        kind=Campaign.Kind.SELF_INSPECTION,
        title="规范办学行为自查",
        body="收费项目和标准是否公示\n有无在职教师有偿补课\n教辅材料征订是否自愿",
        held_on=None,
        actor=inspector,
    )
    for n, ret in enumerate(check.returns.select_related("school").order_by("school__code")[:20]):
        clerk = clerks.get(ret.school_id)
        if clerk is None:
            continue
        services.self_inspection_answer(ret=ret, actor=clerk, answers=[(True, ""), (n % 7 != 3, ""), (True, "")])
        if n < 4:
            services.spot_check(
                ret=ret, actor=inspector, matches=n != 1, note="" if n != 1 else "公示栏收费标准与备案不一致"
            )

    # The year's evaluation: figures read, conduct scored by hand, bulletin issued, advanced units.
    indicator_set = services.indicator_set_create(
        bureau=bureau, period=str(today.year), actor=inspector, title=f"{today.year}年度学校党风廉政和行风建设考评"
    )
    evaluation = services.evaluation_create(indicator_set=indicator_set, actor=inspector, school_year="2026-2027")
    manual = indicator_set.indicators.get(name="师德师风")
    for school, raw in zip(schools, HAND_SCORES, strict=False):
        services.indicator_value_enter(
            evaluation=evaluation,
            indicator=manual,
            school=school,
            raw=Decimal(raw),
            note="师德师风考核表",
            actor=inspector,
        )
    services.evaluation_compute(evaluation=evaluation, actor=inspector)
    services.evaluation_issue(evaluation=evaluation, actor=inspector)
    services.advanced_list_publish(evaluation=evaluation, places=6, actor=inspector)
    counts = {rag: evaluation.scores.filter(rag=rag).count() for rag in ("green", "amber", "red")}
    context.notes.append(
        f"监督考评：考评通报 绿{counts['green']} 黄{counts['amber']} 红{counts['red']}；"
        f"{timezone.localtime(timezone.now(), SHANGHAI):%Y-%m-%d} /oversight/bulletins/"
    )
