"""PET-9 recusal, exhaustively: every Role × every relation to the accusation.

Relations: the user IS the accused person; the user is a member of the accused unit;
the user belongs to a unit the accused person leads (leader / principal there); the
user holds the role in the parent of the accused unit (the bureau) or in a sibling
unit, i.e. is not concerned (then the normal visibility rule of access.py applies);
and the same "unrelated" user once the case is assigned to their unit.
"""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant
from sunshine.petitions import access
from sunshine.petitions import services as svc
from sunshine.petitions.selectors import petition_queue
from sunshine.petitions.tests.factories import FILER, confirm_accused, file_case, make_world, member

pytestmark = pytest.mark.django_db

TRIAGE = {Role.DISCIPLINE_INSPECTOR, Role.LEADER}


def home(world, role):
    """Where a user of ``role`` sits in the test bureau (the unit the relations use)."""
    if role in (Role.SCHOOL_CLERK, Role.PRINCIPAL):
        return world.school2
    if role == Role.DISCIPLINE_INSPECTOR:
        return world.discipline
    if role in (Role.DEPARTMENT_STAFF, Role.FEE_REVIEWER):
        return world.basic
    return world.bureau  # leader, supervisor, three administrators


def head_role(org):
    return Role.PRINCIPAL if org.kind == Organization.Kind.SCHOOL else Role.LEADER


def visible(user, petition):
    return access.petitions_visible_to(user).filter(pk=petition.pk).exists()


def assert_never_reaches(user, unit, petition):
    """Not visible, not searchable (queues), not fetchable, not assignable to the unit,
    no identity opening."""
    assert not visible(user, petition)
    assert petition not in petition_queue(user, "all")
    with pytest.raises(Http404):
        access.petition_get_for(user, petition.pk)
    assert access.is_excluded(user, petition)
    assert not access.can_open_identity(user, petition)
    assert not access.can_act_on(user, petition)
    if unit.kind != Organization.Kind.BUREAU:
        assert not access.can_assign_to(petition, unit)
        if petition.status == "accepted":
            confirm_accused(petition, TRIAGE_USER[0])
            with pytest.raises(ValidationError):
                svc.petition_assign(petition=petition, organization=unit, actor=TRIAGE_USER[0])


TRIAGE_USER: list = []


@pytest.fixture
def w():
    world = make_world()
    TRIAGE_USER[:] = [world.leader]
    return world


@pytest.mark.parametrize("role", Role.values)
def test_pet9_accused_person_never_sees_their_case(w, role):
    """PET-9: the accused person never sees, finds or receives the case, whatever role."""
    unit = home(w, role)
    user = member(unit, role)
    p = file_case(w, kind="report", identity=FILER, accused_user=user).petition
    assert_never_reaches(user, unit, p)
    svc.petition_accept(petition=p, actor=w.leader if unit == w.discipline else w.inspector)
    TRIAGE_USER[:] = [w.leader if unit != w.bureau else w.inspector]
    assert_never_reaches(user, unit, p)


@pytest.mark.parametrize("role", Role.values)
def test_pet9_member_of_accused_unit_never_sees_the_case(w, role):
    """PET-9: nobody in the accused unit (whatever role) sees or receives the case."""
    unit = home(w, role)
    user = member(unit, role)
    p = file_case(w, kind="report", accused_organization=unit).petition
    svc.petition_accept(petition=p, actor=w.inspector if unit != w.discipline else w.leader)
    assert_never_reaches(user, unit, p)


@pytest.mark.parametrize("role", Role.values)
def test_pet9_unit_led_by_the_accused_never_sees_the_case(w, role):
    """PET-9: a unit the accused leads (leader / principal there), above the accused's
    own unit, is excluded: e.g. a department clerk is accused while holding `leader`
    at the bureau — the bureau's own members are out; the 纪检组 still sees it."""
    unit = home(w, role)
    user = member(unit, role)
    own_unit, own_role = (w.basic, Role.DEPARTMENT_STAFF) if unit != w.basic else (w.school, Role.SCHOOL_CLERK)
    accused = member(own_unit, own_role)

    membership_grant(actor=None, user=accused, organization=unit, role=head_role(unit))
    p = file_case(w, kind="report", identity=FILER, accused_user=accused).petition
    assert_never_reaches(user, unit, p)
    # The accused's own unit is excluded too, and so is the led unit, from assignment.
    assert not access.can_assign_to(p, accused.memberships.exclude(organization=unit).get().organization)


@pytest.mark.parametrize("role", Role.values)
def test_pet9_parent_unit_and_unrelated_follow_normal_rules(w, role):
    """Not concerned (role held in the accused school's parent — the bureau — or in a
    sibling unit): triage roles see every case; handling roles see it once it is
    assigned to their unit; the administrators and supervisors never do."""
    unit = home(w, role)
    user = member(unit, role)
    p = file_case(w, kind="report", accused_organization=w.school, accused_user=w.principal).petition
    assert visible(user, p) is (role in TRIAGE)
    assert access.can_open_identity(user, p) is (role in TRIAGE)
    svc.petition_accept(petition=p, actor=w.inspector)
    if unit.kind != Organization.Kind.BUREAU:
        assert access.can_assign_to(p, unit)
        confirm_accused(p, w.inspector)
        svc.petition_assign(petition=p, organization=unit, actor=w.inspector)
        assert visible(user, p) is (role in access.HANDLING_ROLES)
        assert access.can_act_on(user, p) is (role in access.HANDLING_ROLES)
        # Handling is not custody: only the bureau's inspectors and leaders open identity.
        assert access.can_open_identity(user, p) is (role in TRIAGE)
    else:
        assert visible(user, p) is (role in TRIAGE)


def test_triage_sees_every_case_but_their_own(w):
    """Discipline inspectors at the bureau (or in its 纪检组) see all cases except
    those accusing them or their unit."""
    bureau_level = member(w.bureau, Role.DISCIPLINE_INSPECTOR)
    cases = [file_case(w).petition for _ in range(3)]
    against_inspector = file_case(w, kind="report", accused_user=w.inspector).petition
    against_leader = file_case(w, kind="report", accused_user=w.leader).petition
    mine = set(access.petitions_visible_to(w.inspector))
    assert mine == {*cases, against_leader}
    assert set(access.petitions_visible_to(bureau_level)) == {*cases, against_inspector}
    # A case against the bureau leader: no member of the bureau itself sees it.
    assert against_leader not in access.petitions_visible_to(w.leader)
    other_leader = member(w.bureau, Role.LEADER)
    assert against_leader not in access.petitions_visible_to(other_leader)
    assert against_inspector in access.petitions_visible_to(other_leader)


def test_other_bureau_sees_nothing(w):
    """Triage is per bureau: another bureau's inspector sees none of these cases."""
    from sunshine.orgs.tests.factories import BureauFactory

    stranger = member(BureauFactory(), Role.DISCIPLINE_INSPECTOR)
    file_case(w)
    assert access.petitions_visible_to(w.inspector).exists()
    assert not access.petitions_visible_to(stranger).exists()


def test_public_and_anonymous_see_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    from sunshine.orgs.tests.factories import UserFactory

    file_case(w)
    assert not access.petitions_visible_to(AnonymousUser()).exists()
    assert not access.petitions_visible_to(UserFactory()).exists()


def test_file_access_for_staff_and_receipt_session(w):
    """Attachments: staff who may see the case, and the filer's receipt session only."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sunshine.core.uploads import file_access_allowed

    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    p = file_case(w, attachments=[png], accused_organization=w.school).petition
    stored = p.messages.get().attachments.get()
    from django.contrib.auth.models import AnonymousUser

    assert file_access_allowed(w.inspector, stored)
    assert not file_access_allowed(w.principal, stored)  # accused unit
    assert not file_access_allowed(AnonymousUser(), stored)
    session: dict = {}
    access.receipt_session_add(session, p)
    with access.receipt_context(session):
        assert file_access_allowed(AnonymousUser(), stored)
    with access.receipt_context({access.RECEIPT_SESSION_KEY: [p.pk + 1]}):
        assert not file_access_allowed(AnonymousUser(), stored)
