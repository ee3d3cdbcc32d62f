"""Campaigns: pledges signed online or on paper, warning-education attendance imported
from Excel (all rows or none, with row numbers), self-inspection answers and spot checks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from sunshine.core.figures import Period, figure_value
from sunshine.core.testing import user_with_role
from sunshine.orgs.models import Role
from sunshine.oversight import services
from sunshine.oversight.models import Campaign, CampaignReturn
from sunshine.oversight.tests.test_services import png

pytestmark = pytest.mark.django_db


def launch(world, kind, body="廉洁从教承诺书全文", held_on=None):
    return services.campaign_launch(
        bureau=world.bureau, kind=kind, title="专项活动", body=body, held_on=held_on, actor=world.inspector
    )


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("签到表.xlsx", buffer.getvalue())


def test_a_pledge_is_signed_online_by_the_principal_or_on_paper(world):
    campaign = launch(world, Campaign.Kind.PLEDGE)
    mine = campaign.returns.get(school=world.school)
    with pytest.raises(ValidationError):
        services.pledge_sign(ret=mine, actor=world.clerk)  # a clerk uploads the paper
    principal = user_with_role(Role.PRINCIPAL, organization=world.school)
    services.pledge_sign(ret=mine, actor=principal)
    other = campaign.returns.get(school=world.other)
    with pytest.raises(PermissionDenied):
        services.pledge_sign(ret=other, actor=world.clerk, paper=png())
    services.pledge_sign(ret=other, actor=world.other_clerk, paper=png("承诺书.png"))
    assert CampaignReturn.objects.filter(done_at__isnull=False).count() == 2
    rate = figure_value(
        "oversight.pledge_completion_rate", period=Period.year(timezone.localdate().year), organization=world.bureau
    )
    assert (rate.numerator, rate.denominator) == (2, 2)


def test_attendance_is_imported_all_or_nothing_with_row_numbers(world):
    campaign = launch(world, Campaign.Kind.WARNING, held_on=timezone.localdate())
    bad = xlsx([["学校代码", "参加人数"], [world.school.code, 40], ["NOPE", 3], [world.other.code, "很多"]])
    with pytest.raises(ValidationError) as refused:
        services.attendance_import(campaign=campaign, file=bad, actor=world.inspector)
    text = " ".join(refused.value.messages)
    assert "Row 3" in text and "Row 4" in text
    assert not CampaignReturn.objects.filter(attendees__isnull=False).exists()
    good = xlsx([["学校名称", "参加人数"], ["第一实验小学", 40], ["第二实验小学", 35]])
    assert services.attendance_import(campaign=campaign, file=good, actor=world.inspector) == 2
    assert sorted(CampaignReturn.objects.values_list("attendees", flat=True)) == [35, 40]


def test_self_inspection_answers_then_a_spot_check(world):
    campaign = launch(world, Campaign.Kind.SELF_INSPECTION, body="收费公示是否规范\n有无有偿补课")
    mine = campaign.returns.get(school=world.school)
    with pytest.raises(ValidationError):
        services.spot_check(ret=mine, actor=world.inspector, matches=True, note="")
    with pytest.raises(ValidationError):
        services.self_inspection_answer(ret=mine, actor=world.clerk, answers=[(True, "")])
    services.self_inspection_answer(ret=mine, actor=world.clerk, answers=[(True, ""), (False, "一名教师已处理")])
    with pytest.raises(ValidationError):
        services.spot_check(ret=mine, actor=world.inspector, matches=False, note="")
    services.spot_check(ret=mine, actor=world.inspector, matches=False, note="公示栏未更新")
    mine.refresh_from_db()
    assert mine.answers[1] == {"question": "有无有偿补课", "ok": False, "note": "一名教师已处理"}
    assert mine.spot_check_matches is False
    with pytest.raises(ValidationError):
        services.self_inspection_answer(ret=mine, actor=world.clerk, answers=[(True, ""), (True, "")])
