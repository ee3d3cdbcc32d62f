"""Fixtures of the disclosure tests: a bureau with its office, a school, and the people
who write, approve and handle requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sunshine.core.testing import user_with_role
from sunshine.disclosure.models import Category
from sunshine.disclosure.services import categories_ensure
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory


@dataclass
class District:
    bureau: Organization
    office: Organization
    school: Organization
    other_school: Organization
    clerk: Any
    principal: Any
    officer: Any
    leader: Any
    other_clerk: Any

    def category(self, code: str) -> Category:
        return Category.objects.get(code=code)


@pytest.fixture
def district(db: None) -> District:
    categories_ensure()
    bureau = BureauFactory(name="示范区教育局", short_name="示范区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室", handles_foi=True)
    school = SchoolFactory(parent=bureau, name="示范区实验小学")
    other = SchoolFactory(parent=bureau, name="示范区第二小学")
    return District(
        bureau=bureau,
        office=office,
        school=school,
        other_school=other,
        clerk=user_with_role(Role.SCHOOL_CLERK, organization=school),
        principal=user_with_role(Role.PRINCIPAL, organization=school),
        officer=user_with_role(Role.DEPARTMENT_STAFF, organization=office),
        leader=user_with_role(Role.LEADER, organization=bureau),
        other_clerk=user_with_role(Role.SCHOOL_CLERK, organization=other),
    )


@pytest.fixture
def no_petitions() -> Iterator[None]:
    """No module receives the petition-intake seam."""
    from sunshine.core import seams

    with seams.petition_intake.absent():
        yield
