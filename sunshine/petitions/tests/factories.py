"""Shared test data for petitions: a small bureau with a discipline department, a
basic-education department, two schools and people in every handling role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory
from sunshine.petitions.models import Petition
from sunshine.petitions.services import FiledPetition, IdentityInput, petition_accused_confirm, petition_file


def member(org: Organization, role: str, **kwargs: Any) -> Any:
    user = UserFactory(**kwargs)
    membership_grant(actor=None, user=user, organization=org, role=role)
    return user


@dataclass
class World:
    bureau: Organization
    discipline: Organization
    basic: Organization
    school: Organization
    school2: Organization
    inspector: Any
    leader: Any
    staff: Any
    principal: Any
    clerk: Any
    principal2: Any


def make_world() -> World:
    bureau = BureauFactory(name="示范区教育局", code="TST")
    discipline = DepartmentFactory(parent=bureau, name="纪检组", code="TST-DISC")
    basic = DepartmentFactory(parent=bureau, name="基础教育股", code="TST-BASIC")
    school = SchoolFactory(parent=bureau, name="第一小学", code="TST-S01")
    school2 = SchoolFactory(parent=bureau, name="第二小学", code="TST-S02")
    return World(
        bureau=bureau,
        discipline=discipline,
        basic=basic,
        school=school,
        school2=school2,
        inspector=member(discipline, Role.DISCIPLINE_INSPECTOR),
        leader=member(bureau, Role.LEADER),
        staff=member(basic, Role.DEPARTMENT_STAFF),
        principal=member(school, Role.PRINCIPAL),
        clerk=member(school, Role.SCHOOL_CLERK),
        principal2=member(school2, Role.PRINCIPAL),
    )


FILER = IdentityInput(name="测试甲", id_number="990101199001011234", phone="139 0000 1111", address="示范路9号")


def file_case(world: World, **kwargs: Any) -> FiledPetition:
    values: dict[str, Any] = {
        "bureau": world.bureau,
        "kind": "complaint",
        "channel": "web",
        "title": "食堂收费问题",
        "facts": "学校食堂每月多收费用。",
        "request": "请求清退多收的费用。",
        "reasons": "违反收费规定。",
        "subject_organization": world.school,
        "actor": None,
    }
    values.update(kwargs)
    return petition_file(**values)


def confirm_accused(petition: Petition, actor: Any) -> Petition:
    """PET-9: triage confirms the accused as filed (a report is assigned only after this)."""
    if petition.accused_confirmed_at is None:
        petition_accused_confirm(
            petition=petition, organization=petition.accused_organization, user=petition.accused_user, actor=actor
        )
    return petition


def unit_reported(petition: Petition, actor: Any) -> Petition:
    """The assigned unit's report to the bureau, which comes before the first reply."""
    from sunshine.petitions.services import petition_unit_report, unit_report_missing

    if unit_report_missing(petition):
        petition_unit_report(petition=petition, actor=actor, findings="经调查核实，情况属实。", actions="已责令整改。")
    return petition
