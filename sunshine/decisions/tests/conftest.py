"""Fixtures of the decisions tests: a bureau with its office, the people who run its
meetings, a discipline inspector and a school."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from sunshine.core.testing import user_with_role
from sunshine.decisions import services
from sunshine.decisions.models import Category, DecisionItem, Meeting, Step
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory

MEMBERS = [("王局长", "局长", True), ("李副局长", "副局长", False), ("张副局长", "副局长", False),
           ("赵组长", "纪检组长", False), ("陈主任", "办公室主任", False)]  # fmt: skip


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


@dataclass
class World:
    bureau: Organization
    office: Organization
    school: Organization
    staff: Any
    leader: Any
    inspector: Any
    principal: Any
    outsider: Any  # staff of another bureau

    def item(self, **kwargs: Any) -> DecisionItem:
        values: dict[str, Any] = {"title": "示范区中小学布局调整规划", "category": Category.MAJOR_DECISION}
        values.update(kwargs)
        return services.item_create(actor=self.staff, organization=self.bureau, **values)

    def steps(self, item: DecisionItem) -> None:
        for step in Step.values:
            services.step_record(
                actor=self.staff, item=item, step=step, title=f"{step}材料", done_on=timezone.localdate(), file=pdf()
            )

    def meeting(self, members: list[tuple[str, str, bool]] = MEMBERS) -> Meeting:
        return services.meeting_create(
            actor=self.staff, organization=self.bureau, kind=Meeting.Kind.PARTY_GOVERNMENT,
            title="2026年第12次党政班子会", held_at=timezone.now() - timedelta(hours=1), members=members,
            place="三楼会议室", chair="王局长",
        )  # fmt: skip


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Services speak to people: their messages are read in Chinese."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def world(db: None) -> World:
    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    school = SchoolFactory(parent=bureau, name="第一实验小学")
    return World(
        bureau=bureau,
        office=office,
        school=school,
        staff=user_with_role(Role.DEPARTMENT_STAFF, organization=office),
        leader=user_with_role(Role.LEADER, organization=bureau),
        inspector=user_with_role(Role.DISCIPLINE_INSPECTOR, organization=discipline),
        principal=user_with_role(Role.PRINCIPAL, organization=school),
        outsider=user_with_role(Role.DEPARTMENT_STAFF),
    )
