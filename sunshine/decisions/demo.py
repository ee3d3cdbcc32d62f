"""Demo data of decisions: the school-layout plan put to the public (comments, report)
and decided in the party and government leadership meeting with a dissent; the third
kindergarten decided in the same meeting with a member stepping aside, then tendered,
contracted and reported (paid through funds when the funds module is installed); a task
under supervision; purchases split below the threshold; a draft open for comment now.

Idempotent: a bureau that already has the layout plan is left alone.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from sunshine.core.audit import audit_public
from sunshine.core.demo import DemoContext
from sunshine.core.seams import SeamUnavailable, fund_project_open
from sunshine.decisions import services
from sunshine.decisions.models import Category, CommentGroup, DecisionItem, Meeting, Step, Vote
from sunshine.orgs.models import Membership, Organization, Role

LAYOUT = "示范区中小学校布局调整规划（2026—2030年）"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MEMBERS = [
    ("周正平", "局长", True),
    ("吴晓光", "副局长", False),
    ("杨明", "纪检组长", False),
    ("王建国", "办公室主任", False),
    ("张伟", "基教股长", False),
]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@transaction.atomic
def build_decisions_demo(context: DemoContext) -> None:
    bureau = context.bureau
    if DecisionItem.objects.filter(organization=bureau, title=LAYOUT).exists():
        return
    staff = context.users["bangong"]
    now = context.now
    today = now.date()

    # The school-layout plan: a major administrative decision with its public consultation.
    layout = services.item_create(
        actor=staff, organization=bureau, title=LAYOUT, category=Category.MAJOR_DECISION, major_administrative=True,
        summary="撤并生源不足的村小教学点，新建城南片区小学一所，调整部分学校学区。",
    )  # fmt: skip
    consultation = services.consultation_open(
        actor=staff, item=layout, title=f"{LAYOUT}（征求意见稿）", now=now - timedelta(days=45),
        draft="一、撤并河口、北坪两个村小教学点，学生就近并入中心小学；\n二、新建城南小学，设36个班；\n三、开通村小学生校车。",
    )  # fmt: skip
    with audit_public():
        for text, name in (
            ("建议保留北坪教学点，低年级学生路途太远。", ""),
            ("校车要保证安全，配备照管人员。", "刘女士"),
            ("支持新建城南小学，缓解大班额。", ""),
            ("低年级学生上学路远，希望保留教学点。", "陈先生"),
        ):
            services.comment_submit(
                consultation=consultation, text=text, named=bool(name), name=name, contact="13900000000" if name else ""
            )
    services.consultation_close(actor=staff, consultation=consultation)
    comments = list(consultation.comments.all())
    for comment in comments:
        services.comment_moderate(actor=staff, comment=comment, accept=True)
    groups = (
        ("保留村小教学点", [0, 3], CommentGroup.Answer.PARTLY, "保留北坪教学点一至二年级，三年级以上并入中心小学。"),
        ("校车安全", [1], CommentGroup.Answer.ADOPTED, "校车配备照管员，纳入安全管理台账。"),
        ("新建城南小学", [2], CommentGroup.Answer.ADOPTED, "城南小学列入2027年建设计划。"),
    )
    for title, indexes, answer, reason in groups:
        group = services.group_create(
            actor=staff, consultation=consultation, title=title, comments=[comments[i] for i in indexes]
        )
        services.group_answer(actor=staff, group=group, answer=answer, reason=reason)
    services.consultation_report_issue(actor=staff, consultation=consultation)
    for step, title in (
        (Step.EXPERT_OPINION, "布局调整规划专家论证意见"),
        (Step.RISK_ASSESSMENT, "布局调整社会稳定风险评估报告"),
        (Step.LEGALITY_REVIEW, "合法性审查意见书"),
    ):
        services.step_record(
            actor=staff, item=layout, step=step, title=title, done_on=today - timedelta(days=5),
            file=_pdf(f"{title}.pdf"),
        )  # fmt: skip

    # The third kindergarten: a major project.
    kindergarten = services.item_create(
        actor=staff, organization=bureau, title="新建示范区第三幼儿园", category=Category.MAJOR_PROJECT,
        amount_fen=800_000_000, summary="新建12个班规模幼儿园一所，总投资800万元。",
    )  # fmt: skip

    meeting = services.meeting_create(
        actor=staff, organization=bureau, kind=Meeting.Kind.PARTY_GOVERNMENT, title="2026年第12次党政班子会",
        held_at=now - timedelta(days=3), members=MEMBERS, place="局三楼会议室", chair="周正平",
        attendees="李秀英（计划财务股）",
    )  # fmt: skip
    members = {m.name: m for m in meeting.members.all()}
    first = services.agenda_add(actor=staff, meeting=meeting, item=layout)
    second = services.agenda_add(actor=staff, meeting=meeting, item=kindergarten)
    services.meeting_open(actor=staff, meeting=meeting)
    views = {
        "吴晓光": (
            "撤并教学点过快，建议先试点。",
            Vote.Choice.AGAINST,
            "北坪教学点撤并过快，学生上学路程增加，我不同意。",
        ),
        "杨明": ("程序完备，同意。", Vote.Choice.FOR, ""),
        "王建国": ("同意。", Vote.Choice.FOR, ""),
        "张伟": ("同意，建议分步实施。", Vote.Choice.FOR, ""),
        "周正平": ("同意，按征求意见结果分步实施。", Vote.Choice.FOR, ""),
    }
    for name, (view, choice, dissent) in views.items():
        services.speech_record(actor=staff, agenda_item=first, member=members[name], text=view)
        services.vote_record(actor=staff, agenda_item=first, member=members[name], choice=choice, dissent=dissent)
    services.agenda_decide(
        actor=staff, agenda_item=first, resolution="原则通过布局调整规划，保留北坪教学点一至二年级，分步实施。"
    )
    services.recusal_record(actor=staff, agenda_item=second, member=members["张伟"], reason="其亲属任职于拟投标企业")
    for name in ("吴晓光", "杨明", "王建国", "周正平"):
        services.speech_record(actor=staff, agenda_item=second, member=members[name], text="同意。")
        services.vote_record(actor=staff, agenda_item=second, member=members[name], choice=Vote.Choice.FOR)
    services.agenda_decide(actor=staff, agenda_item=second, resolution="同意新建第三幼儿园，公开招标确定施工单位。")
    services.meeting_close(actor=staff, meeting=meeting)

    layout.refresh_from_db()
    kindergarten.refresh_from_db()
    try:
        services.decision_publish(actor=staff, item=layout)
    except SeamUnavailable:
        context.notes.append("决策公开：政务公开模块未启用，布局调整规划未发布到公开目录。")

    school = Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL, name__contains="北坪").first()
    if school is not None:
        services.task_assign(actor=staff, item=layout, unit=school, text="制定北坪教学点保留年级的教学安排", now=now)

    project = services.project_create(
        actor=staff, item=kindergarten, title="示范区第三幼儿园教学楼建设工程", ceiling_fen=780_000_000
    )
    tender = services.tender_record(
        actor=staff, project=project, method="open", opened_on=today - timedelta(days=2),
        bids=[("示范建设集团有限公司", 770_000_000), ("东湖建工有限公司", 745_000_000),
              ("南岭建筑工程公司", 759_000_000)],
    )  # fmt: skip
    winner = tender.bids.get(bidder="东湖建工有限公司")
    services.tender_award(actor=staff, tender=tender, bid=winner, awarded_on=today - timedelta(days=1))
    services.contract_record(
        actor=staff, organization=bureau, project=project, purpose="第三幼儿园教学楼施工", contractor=winner.bidder,
        price_fen=winner.amount_fen, signed_on=today, number="示教建〔2026〕8号",
    )  # fmt: skip
    with contextlib.suppress(SeamUnavailable):
        services.tender_publish(actor=staff, tender=tender)
    services.progress_report(actor=staff, project=project, progress_bp=1500, reported_on=today, note="基础施工完成。")
    if fund_project_open.installed:  # funds certifies the progress and pays up to it (its demo, after this one)
        services.project_funds_open(actor=staff, project=project)

    # Purchases of one purpose, each under the threshold, together above it (a red flag).
    for days, fen in ((50, 18_000_000), (30, 17_500_000), (10, 16_800_000)):
        services.contract_record(
            actor=staff, organization=bureau, purpose="多媒体教室设备采购", contractor="示范区某科技有限公司",
            price_fen=fen, signed_on=today - timedelta(days=days),
        )  # fmt: skip

    # A school's title round: results under publicity, with an objection recorded.
    membership = Membership.objects.filter(organization=school, role=Role.PRINCIPAL, is_active=True).first()
    principal = membership.user if membership is not None else None
    if school is not None and principal is not None:
        title_round = services.round_open(
            actor=principal, organization=school, kind="title", title="2026年中小学一级教师职称推荐",
            criteria="任二级教师满5年；近三年年度考核合格以上；承担过校级以上公开课。",
        )  # fmt: skip
        for name, post, score, recommended in (("李晓梅", "语文教师", 88.5, True), ("王志强", "数学教师", 71.0, False)):
            applicant = services.applicant_add(actor=principal, title_round=title_round, name=name, post=post)
            services.applicant_evaluate(
                actor=principal, applicant=applicant, score=Decimal(str(score)), recommended=recommended
            )
        try:
            services.round_publish(actor=principal, title_round=title_round, now=now - timedelta(days=2))
            services.objection_record(actor=principal, title_round=title_round, text="王志强的区级课题成果未计入评分。")
        except SeamUnavailable:
            pass

    # A draft open for comment now.
    after_school = services.item_create(
        actor=staff, organization=bureau, title="示范区义务教育阶段课后服务实施方案", category=Category.MAJOR_DECISION,
        major_administrative=True,
    )  # fmt: skip
    services.consultation_open(
        actor=staff, item=after_school, title="示范区义务教育阶段课后服务实施方案（征求意见稿）",
        draft="课后服务每周5天，每天不少于2小时，家长自愿参加，收费按核定标准执行。", now=now - timedelta(days=5),
    )  # fmt: skip
    context.notes.append("重大决策：布局调整规划（含征求意见、反对意见）、第三幼儿园（含回避、招标）已生成。")
