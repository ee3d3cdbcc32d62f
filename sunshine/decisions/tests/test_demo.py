"""The demo builder builds the layout plan, the meeting with a recusal and a dissent, and
the kindergarten with its tender; run twice, it changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sunshine.core.demo import DemoContext
from sunshine.core.testing import user_with_role
from sunshine.decisions import rules
from sunshine.decisions.demo import LAYOUT, build_decisions_demo
from sunshine.decisions.models import DecisionItem, Meeting, Recusal, Tender, Vote
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory


@pytest.mark.django_db
def test_demo_builds_once() -> None:
    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室")
    SchoolFactory(parent=bureau, name="示范区北坪小学", level=Organization.Level.PRIMARY)
    context = DemoContext(
        bureau=bureau, users={"bangong": user_with_role(Role.DEPARTMENT_STAFF, organization=office)}, now=timezone.now()
    )
    build_decisions_demo(context)
    build_decisions_demo(context)
    layout = DecisionItem.objects.get(title=LAYOUT)
    assert layout.status == DecisionItem.Status.DECIDED
    assert layout.consultations.get().report is not None
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.CLOSED and meeting.minutes is not None
    assert Recusal.objects.count() == 1 and Vote.objects.filter(choice=Vote.Choice.AGAINST).count() == 1
    assert Tender.objects.get().winner is not None
    kinds = {flag.kind for flag in rules.red_flags()}
    assert "split" in kinds


@pytest.mark.django_db
def test_figures_count_the_demo() -> None:
    from sunshine.core.figures import Period, figure_value, figures_registered

    keys = {figure.key for figure in figures_registered("decisions.")}
    assert keys == {
        "decisions.items_decided", "decisions.consultations", "decisions.consultation_days",
        "decisions.dissents", "decisions.red_flags",
    }  # fmt: skip
    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室")
    now = timezone.now()
    context = DemoContext(
        bureau=bureau, users={"bangong": user_with_role(Role.DEPARTMENT_STAFF, organization=office)}, now=now
    )
    build_decisions_demo(context)
    today = timezone.localdate(now)
    period = Period.between(today - timedelta(days=60), today)
    assert figure_value("decisions.items_decided", period=period, organization=bureau).value == 2
    assert figure_value("decisions.dissents", period=period, organization=bureau).value == 1
    days = figure_value("decisions.consultation_days", period=period, organization=bureau)
    assert days.denominator == 2 and days.numerator >= 45


@pytest.mark.django_db
def test_the_demo_kindergarten_is_certified_and_paid_in_funds_never_ahead() -> None:
    """FND-2 across the seam: funds' demo certifies the kindergarten's progress and pays up
    to it; decisions reads where its money stands through fund_project_status."""
    from sunshine.decisions.models import Project
    from sunshine.decisions.services import project_funds_status
    from sunshine.funds.demo import build_funds_projects_demo

    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室")
    basic = DepartmentFactory(parent=bureau, name="基础教育股")
    finance = DepartmentFactory(parent=bureau, name="计划财务股")
    SchoolFactory(parent=bureau, name="示范区北坪小学", level=Organization.Level.PRIMARY)
    users = {
        "bangong": user_with_role(Role.DEPARTMENT_STAFF, organization=office),
        "jijiao": user_with_role(Role.DEPARTMENT_STAFF, organization=basic),
        "jicai": user_with_role(Role.FEE_REVIEWER, organization=finance),
    }
    context = DemoContext(bureau=bureau, users=users, now=timezone.now())
    build_decisions_demo(context)
    build_funds_projects_demo(context)
    status = project_funds_status(Project.objects.get())
    assert status.certified_bp == 1_500 and 0 < status.paid_fen <= status.payable_fen
