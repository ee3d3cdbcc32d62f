"""A season of the matrix's district, ready at each step: plan, disclosures, applications,
the frozen list and the draw."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sunshine.core.clocks import SHANGHAI
from sunshine.core.testing import District
from sunshine.enrollment import services
from sunshine.enrollment.models import Application, Lottery, Season
from sunshine.orgs.models import Role

OPENS = date(2027, 5, 1)


def manager(d: District) -> Any:
    return d.user(Role.DEPARTMENT_STAFF)


def season(d: District) -> Season:
    def build(d: District) -> Season:
        s = services.season_create(
            actor=manager(d),
            bureau=d.bureau,
            key="2027-private",
            name="2027年民办初中招生",
            level=Season.Level.JUNIOR,
            year=2027,
            applications_open=OPENS,
            applications_close=OPENS + timedelta(days=10),
        )
        services.plan_school_set(
            actor=manager(d), season=s, code="M1", name="启明民办学校", seats=2, by_lottery=True, groups=["教职工子女"]
        )
        services.plan_school_set(actor=manager(d), season=s, code="M2", name="育才民办学校", seats=2, by_lottery=True)
        return s

    return d.once("enrollment.season", build)


def published(d: District) -> Season:
    def build(d: District) -> Season:
        s = season(d)
        early = datetime.combine(OPENS - timedelta(days=20), time(9), SHANGHAI)
        services.disclosure_publish(
            actor=manager(d), season=s, kind="policy", title="招生政策", body="免试入学。", now=early
        )
        services.disclosure_publish(
            actor=manager(d), season=s, kind="plan", title="招生计划", body="启明2人，育才2人。", now=early
        )
        return s

    return d.once("enrollment.published", build)


def opened(d: District) -> Season:
    return d.once("enrollment.opened", lambda d: services.season_open(actor=manager(d), season=published(d)))


def id_number(n: int) -> str:
    return f"11010120150101{n:03d}X"[-18:]


def apply(d: District, n: int, choices: list[str], groups: dict[str, str] | None = None) -> tuple[Application, str]:
    return services.application_submit(
        actor=None,
        season=opened(d),
        child_name=f"孩子{n}",
        child_id_number=id_number(n),
        guardian_name=f"家长{n}",
        guardian_phone="13800000000",
        residence="户籍在本区，房产证号（略）",
        choices=choices,
        groups_claimed=groups or {},
    )


def submitted(d: District) -> Application:
    return d.once("enrollment.submitted", lambda d: apply(d, 999, ["M1"])[0])


def frozen(d: District) -> Lottery:
    def build(d: District) -> Lottery:
        s = opened(d)
        codes = {}
        for n in range(6):
            app, code = apply(d, n, ["M1", "M2"], {"M1": "教职工子女"} if n == 0 else {})
            services.application_review(
                actor=manager(d), application=app, decision="accept", groups_confirmed=app.groups_claimed
            )
            codes[n] = code
        d.once("enrollment.codes", lambda d: codes)
        services.season_close(actor=manager(d), season=s)
        return services.lottery_freeze(
            actor=manager(d), season=s, draw_on=date(2027, 5, 20), sources=["福利彩票开奖号码", "家长代表掷骰"]
        )

    return d.once("enrollment.frozen", build)


def drawn(d: District) -> Lottery:
    return d.once(
        "enrollment.drawn",
        lambda d: services.lottery_draw(actor=manager(d), lottery_id=frozen(d).pk, values=["03 11 17", "4 6"]),
    )


def published_lottery(d: District) -> Lottery:
    return d.once("enrollment.published_lottery", lambda d: services.lottery_publish(actor=manager(d), draw=drawn(d)))


ROWS_V1 = "A001,李明,86.5,拟聘用\nA002,王芳,85,拟聘用"
ROWS_V2 = "A001,李明,86.5,拟聘用\nA003,赵强,84,拟聘用"


def recruitment(d: District) -> Any:
    from sunshine.enrollment.recruitment import recruitment_create

    return d.once(
        "enrollment.recruitment",
        lambda d: recruitment_create(actor=manager(d), organization=d.bureau, title="2027年公开招聘教师", year=2027),
    )


def proposed(d: District) -> Any:
    from sunshine.enrollment.recruitment import recruitment_list_publish

    return d.once(
        "enrollment.proposed",
        lambda d: recruitment_list_publish(
            actor=manager(d), recruitment=recruitment(d), stage="proposed", rows_text=ROWS_V1, note="公示期7天"
        ),
    )


SENIOR_STUDENTS = (
    "student_id,junior_school,score,choice1,choice2,quota_choice,tie1\n"
    "K01,J1,650,G1,G2,,110\n"
    "K02,J1,600,G1,G2,G1,100\n"
    "K03,J2,630,G1,G2,,105\n"
    "K04,J2,630,G1,G2,,105\n"
    "K05,J2,620,G1,G2,,120\n"
    "K06,J1,590,G1,G2,,100\n"
)


def senior_run(d: District) -> Any:
    """A senior season, closed, with admission run and published: G1 has 3 seats (one
    quota seat per 2 junior schools → J1 1, J2 0 by largest remainder of 1 seat… see the
    test) and a tie at its cutoff."""
    import io

    from sunshine.enrollment import admission_service

    def build(d: District) -> Any:
        s = services.season_create(
            actor=manager(d),
            bureau=d.bureau,
            key="2027-senior",
            name="2027年普通高中招生",
            level=Season.Level.SENIOR,
            year=2027,
            applications_open=OPENS,
            applications_close=OPENS + timedelta(days=10),
        )
        services.plan_school_set(
            actor=manager(d), season=s, code="G1", name="第一中学", seats=3, line=610, quota_seats=1
        )
        services.plan_school_set(actor=manager(d), season=s, code="G2", name="第二中学", seats=5, line=580)
        early = datetime.combine(OPENS - timedelta(days=20), time(9), SHANGHAI)
        for kind in ("policy", "plan"):
            services.disclosure_publish(actor=manager(d), season=s, kind=kind, title="公告", body="正文", now=early)
        services.season_open(actor=manager(d), season=s)
        services.season_close(actor=manager(d), season=s)
        plans = admission_service.plans_of(s)
        students = admission_service.students_from_sheet(io.BytesIO(SENIOR_STUDENTS.encode()), kind="csv", plans=plans)
        run = admission_service.admission_run(actor=manager(d), season=s, students=students)
        return admission_service.admission_publish(actor=manager(d), run=run)

    return d.once("enrollment.senior_run", build)
