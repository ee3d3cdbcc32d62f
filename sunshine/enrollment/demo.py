"""Demo: a private junior-secondary season whose two over-subscribed schools admit by
lottery — policy and plan published in good time, forty applications reviewed, the
list frozen with two announced sources, drawn and published with its bundle. One
family's receipt code goes to the notes, to check its own entry on the lottery page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from sunshine.core.clocks import SHANGHAI
from sunshine.core.demo import DemoContext
from sunshine.enrollment import admission_service, services
from sunshine.enrollment.admission import Student, admit
from sunshine.enrollment.models import Season
from sunshine.enrollment.recruitment import (
    objection_answer,
    objection_file,
    recruitment_create,
    recruitment_list_publish,
)
from sunshine.orgs.models import Organization

APPLICANTS = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "梓萱", "浩然", "宇轩", "欣怡", "一诺", "俊熙", "雨桐", "思远", "沐阳"]


@transaction.atomic
def build_enrollment_demo(context: DemoContext) -> None:
    bureau = context.bureau
    key = f"{context.now.year}-junior-private"
    if Season.objects.filter(key=key).exists():
        return
    staff = context.users.get("zhaosheng") or next(iter(context.users.values()))
    today = context.now.astimezone(SHANGHAI).date()
    opens = today - timedelta(days=40)
    season = services.season_create(
        actor=staff,
        bureau=bureau,
        key=key,
        name=f"{context.now.year}年民办初中招生",
        level=Season.Level.JUNIOR,
        year=context.now.year,
        applications_open=opens,
        applications_close=opens + timedelta(days=10),
    )
    schools = list(Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL).order_by("code")[:3])
    plan = [("M1", "启明民办学校", 8, ["教职工子女"]), ("M2", "育才民办学校", 10, []), ("M3", "明德民办学校", 30, [])]
    for n, (code, name, seats, groups) in enumerate(plan):
        services.plan_school_set(
            actor=staff,
            season=season,
            code=code,
            name=name,
            seats=seats,
            by_lottery=True,
            groups=groups,
            school=schools[n] if n < len(schools) else None,
        )
    early = datetime.combine(opens - timedelta(days=20), time(9), SHANGHAI)
    services.disclosure_publish(
        actor=staff,
        season=season,
        kind="policy",
        title="民办初中招生政策",
        body="民办义务教育学校与公办学校同步招生；报名人数超过招生计划的，全部由电脑随机摇号录取。\n"
        "摇号前公布报名名单指纹和种子来源，摇号后公布全部数据和验证程序，任何人都可以重新计算。",
        now=early,
    )
    services.disclosure_publish(
        actor=staff,
        season=season,
        kind="plan",
        title="民办初中招生计划",
        body="启明民办学校8人（教职工子女优先），育才民办学校10人，明德民办学校30人。",
        now=early,
    )
    services.disclosure_publish(
        actor=staff,
        season=season,
        kind="rules",
        title="摇号录取办法",
        body="每人最多填报三个志愿；第一志愿摇号录取的，不再参加后续志愿摇号。",
        now=early,
    )
    services.season_open(actor=staff, season=season)
    codes = []
    for n in range(APPLICANTS):
        choices = ["M1", "M2", "M3"] if n % 2 == 0 else ["M2", "M1", "M3"]
        application, code = services.application_submit(
            actor=None,
            season=season,
            child_name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
            child_id_number=f"3701022014{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}X"[:18],
            guardian_name=SURNAMES[n % len(SURNAMES)] + "先生",
            guardian_phone=f"1380000{n:04d}",
            residence="户籍在本区，房产证号（略）",
            choices=choices,
            groups_claimed={"M1": "教职工子女"} if n in (3, 17) else {},
        )
        codes.append(code)
        if n == 39:
            services.application_review(actor=staff, application=application, decision="return", reason="缺少居住证明")
        else:
            services.application_review(
                actor=staff, application=application, decision="accept", groups_confirmed=application.groups_claimed
            )
    services.season_close(actor=staff, season=season)
    draw = services.lottery_freeze(
        actor=staff,
        season=season,
        draw_on=opens + timedelta(days=15),
        sources=[f"{(opens + timedelta(days=14)).isoformat()}福利彩票双色球开奖号码", "家长代表现场掷骰点数"],
    )
    draw = services.lottery_draw(actor=staff, lottery_id=draw.pk, values=["03 11 17 24 28 31 + 09", "4 6 1"])
    services.lottery_publish(actor=staff, draw=draw)
    context.notes.append(f"招生摇号：家长回执码 {codes[0]}（在摇号页面核对本人条目）")
    _recruitment(context, staff)
    _senior(context, staff, opens)


def _senior(context: DemoContext, staff: object, opens: date) -> None:
    """A senior-high admission with quota seats and a tie at a cutoff."""
    year = context.now.year
    season = services.season_create(
        actor=staff,
        bureau=context.bureau,
        key=f"{year}-senior",
        name=f"{year}年普通高中招生",
        level=Season.Level.SENIOR,
        year=year,
        applications_open=opens,
        applications_close=opens + timedelta(days=10),
    )
    plan = [
        ("G1", "示范区第一中学", 12, 640, 4),
        ("G2", "示范区第二中学", 15, 600, 3),
        ("G3", "示范区第三中学", 30, 520, 0),
    ]
    for code, name, seats, line, quota in plan:
        services.plan_school_set(
            actor=staff, season=season, code=code, name=name, seats=seats, line=line, quota_seats=quota
        )
    early = datetime.combine(opens - timedelta(days=20), time(9), SHANGHAI)
    for kind, title, body in (
        ("policy", "普通高中招生政策", "实行平行志愿录取；优质高中部分招生计划以指标到校方式分配到各初中学校。"),
        ("plan", "普通高中招生计划", "第一中学12人（指标到校4人），第二中学15人（指标到校3人），第三中学30人。"),
        ("rules", "录取办法", "按总分从高到低投档；同分依次比较语文、数学、英语、物理、化学成绩，仍相同的一并录取。"),
    ):
        services.disclosure_publish(actor=staff, season=season, kind=kind, title=title, body=body, now=early)
    services.season_open(actor=staff, season=season)
    services.season_close(actor=staff, season=season)
    students = []
    for n in range(60):
        score = 700 - n * 3
        students.append(
            Student(
                id=f"K{n:03d}",
                junior=f"第{n % 4 + 1}初级中学",
                score=float(score),
                choices=("G1", "G2", "G3"),
                quota_choice="G1" if n % 7 == 3 else ("G2" if n % 9 == 4 else ""),
                ties=(110.0, 105.0),
            )
        )
    # One more student equal in every rank key to the last one the first school admits:
    # a tie at its cutoff, admitted beyond the plan.
    dry = admit(admission_service.plans_of(season), students)
    last = dry.cutoff["G1"]
    students.append(
        Student(id="K060", junior="第1初级中学", score=last[0], choices=("G1", "G2", "G3"), ties=tuple(last[1:]))
    )
    run = admission_service.admission_run(actor=staff, season=season, students=students)
    admission_service.admission_publish(actor=staff, run=run)


def _recruitment(context: DemoContext, staff: object) -> None:
    """A teacher recruitment in its publicity period: written and interview scores, the
    proposed appointees revised once (what changed shows), one objection answered."""
    year = context.now.year
    recruitment = recruitment_create(
        actor=staff, organization=context.bureau, title=f"{year}年公开招聘中小学教师", year=year
    )
    written = "\n".join(f"J{n:03d},{SURNAMES[n]}{GIVEN[n % 10]},{88 - n * 1.5:g},进入面试" for n in range(8))
    recruitment_list_publish(actor=staff, recruitment=recruitment, stage="written", rows_text=written)
    interview = "\n".join(f"J{n:03d},{SURNAMES[n]}{GIVEN[n % 10]},{90 - n * 2:g},进入体检" for n in range(5))
    recruitment_list_publish(actor=staff, recruitment=recruitment, stage="interview", rows_text=interview)
    proposed = "\n".join(f"J{n:03d},{SURNAMES[n]}{GIVEN[n % 10]},{89 - n * 1.8:g},拟聘用" for n in range(4))
    first = recruitment_list_publish(
        actor=staff, recruitment=recruitment, stage="proposed", rows_text=proposed, note="公示期7天，期间可提出异议。"
    )
    revised = proposed.replace("J003", "J004").replace(SURNAMES[3] + GIVEN[3], SURNAMES[4] + GIVEN[4])
    recruitment_list_publish(
        actor=staff,
        recruitment=recruitment,
        stage="proposed",
        rows_text=revised,
        note="原拟聘用人员J003体检不合格，由J004递补。",
    )
    objection = objection_file(actor=None, published=first, text="请说明J003未被聘用的原因。")
    objection_answer(actor=staff, objection=objection, answer="J003体检结论为不合格，按招聘公告由下一名递补。")
