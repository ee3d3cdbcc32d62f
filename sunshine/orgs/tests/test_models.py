import pytest
from django.core.exceptions import ValidationError

from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_tree_paths_support_subtree_and_ancestors():
    city = BureauFactory(name="市教育局")
    district = BureauFactory(name="区教育局", parent=city)
    school = SchoolFactory(parent=district)
    dept = DepartmentFactory(parent=district)

    assert set(district.subtree()) == {district, school, dept}
    assert list(school.ancestors()) == [city, district]
    assert school.bureau == district
    assert set(city.subtree()) == {city, district, school, dept}


def test_moving_an_organisation_moves_its_subtree():
    a, b = BureauFactory(), BureauFactory()
    district = BureauFactory(parent=a)
    school = SchoolFactory(parent=district)
    district.parent = b
    district.save()
    school.refresh_from_db()
    assert school.path.startswith(b.path)
    assert school in b.subtree()
    assert school not in a.subtree()


def test_school_requires_level_and_ownership_and_a_bureau_parent():
    bureau = BureauFactory()
    dept = DepartmentFactory(parent=bureau)
    school = Organization(code="X1", name="某校", kind=Organization.Kind.SCHOOL, parent=dept)
    with pytest.raises(ValidationError):
        school.full_clean()


def test_compulsory_levels():
    assert SchoolFactory(level=Organization.Level.JUNIOR).is_compulsory
    assert not SchoolFactory(level=Organization.Level.SENIOR).is_compulsory


def test_three_admin_roles_are_held_by_different_people():
    bureau = BureauFactory()
    user = UserFactory()
    membership_grant(actor=None, user=user, organization=bureau, role=Role.SYSTEM_ADMIN)
    for other in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(ValidationError):
            membership_grant(actor=None, user=user, organization=bureau, role=other)
    assert list(user.memberships.values_list("role", flat=True)) == [Role.SYSTEM_ADMIN]


def test_role_must_fit_the_organisation_kind():
    school = SchoolFactory()
    with pytest.raises(ValidationError):
        membership_grant(actor=None, user=UserFactory(), organization=school, role=Role.SYSTEM_ADMIN)


def test_system_admin_grants_roles_in_the_admin_with_separation_enforced():
    """三员分立 holds in the admin too: a clear form error, nothing granted."""
    from django.urls import reverse

    from sunshine.core.models import AuditEntry
    from sunshine.core.testing import client_for

    client, admin_user = client_for(Role.SYSTEM_ADMIN)
    bureau = admin_user.memberships.get().organization
    auditor = UserFactory()
    membership_grant(actor=None, user=auditor, organization=bureau, role=Role.AUDIT_ADMIN)

    assert client.get(reverse("admin:orgs_organization_changelist")).status_code == 200
    response = client.post(
        reverse("admin:orgs_membership_add"),
        {"user": auditor.pk, "organization": bureau.pk, "role": Role.SECURITY_ADMIN, "title": ""},
    )
    assert response.status_code == 200
    assert "different people" in response.content.decode() or "不同" in response.content.decode()
    assert list(auditor.memberships.values_list("role", flat=True)) == [Role.AUDIT_ADMIN]

    clerk = UserFactory()
    school = SchoolFactory(parent=bureau)
    response = client.post(
        reverse("admin:orgs_membership_add"),
        {"user": clerk.pk, "organization": school.pk, "role": Role.SCHOOL_CLERK, "title": "专干"},
    )
    assert response.status_code == 302
    assert clerk.memberships.get().role == Role.SCHOOL_CLERK
    assert AuditEntry.objects.filter(action="orgs.membership_grant", actor=admin_user).count() == 1


def test_audit_log_is_not_in_the_admin_even_for_the_system_admin():
    from django.urls import NoReverseMatch, reverse

    from sunshine.core.testing import client_for

    client, _user = client_for(Role.SYSTEM_ADMIN)
    with pytest.raises(NoReverseMatch):
        reverse("admin:core_auditentry_changelist")
    assert "auditentry" not in client.get(reverse("admin:index")).content.decode()
