"""The demo builder on the matrix's district: the lottery is published and verifies, the
recruitment is in its publicity period; running it twice changes nothing."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from sunshine.core.demo import DemoContext
from sunshine.core.testing import District
from sunshine.enrollment import lottery
from sunshine.enrollment.demo import build_enrollment_demo
from sunshine.enrollment.models import AdmissionRun, Lottery, Recruitment, RecruitmentList
from sunshine.enrollment.recruitment import publicity_open
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_demo_builds_a_verifiable_lottery_and_a_recruitment_on_display() -> None:
    d = District()
    context = DemoContext(bureau=d.bureau, users={"zhaosheng": d.user(Role.DEPARTMENT_STAFF)}, now=timezone.now())
    build_enrollment_demo(context)
    build_enrollment_demo(context)
    draw = Lottery.objects.get()
    assert draw.status == Lottery.Status.PUBLISHED
    assert lottery.verify(json.loads(draw.bundle)) == []
    assert any("回执码" in note for note in context.notes)
    recruitment = Recruitment.objects.get()
    latest = recruitment.lists.filter(stage=RecruitmentList.Stage.PROPOSED).order_by("-version").first()
    assert latest is not None and latest.version == 2 and latest.changes["added"]
    assert publicity_open(latest)
    run = AdmissionRun.objects.get()
    assert run.published_at is not None and sum(run.overflow.values()) >= 1
    assert any(run.quota_shares.values())
