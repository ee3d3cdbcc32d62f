"""Fixtures of the oversight tests: a bureau with its discipline department, two schools,
and the people who work on supervision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sunshine.core.testing import user_with_role
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory


@dataclass
class World:
    bureau: Organization
    discipline: Organization
    school: Organization
    other: Organization
    inspector: Any  # discipline inspector of the bureau
    leader: Any
    clerk: Any  # clerk of ``school``
    other_clerk: Any
    supervisor: Any


@pytest.fixture
def world(db: Any) -> World:
    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    school = SchoolFactory(parent=bureau, name="第一实验小学")
    other = SchoolFactory(parent=bureau, name="第二实验小学")
    return World(
        bureau=bureau,
        discipline=discipline,
        school=school,
        other=other,
        inspector=user_with_role(Role.DISCIPLINE_INSPECTOR, organization=discipline),
        leader=user_with_role(Role.LEADER, organization=bureau),
        clerk=user_with_role(Role.SCHOOL_CLERK, organization=school),
        other_clerk=user_with_role(Role.SCHOOL_CLERK, organization=other),
        supervisor=user_with_role(Role.SUPERVISOR, organization=bureau),
    )
