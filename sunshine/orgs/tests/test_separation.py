"""三员分立 in roles: an administrator never holds a role that handles cases or sees
identities (granted in either order), and a grant of an identity role waits for a
second person's approval before it opens anything."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sunshine.core.models import AuditEntry
from sunshine.core.testing import client_for, user_with_role
from sunshine.orgs.access import staff_roles_of
from sunshine.orgs.models import IDENTITY_ROLES, OPERATIONAL_ROLES, SEPARATED_ADMIN_ROLES, Membership, Role
from sunshine.orgs.services import membership_approve, membership_grant, membership_reject, membership_revoke
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh_roles(user):
    user.__dict__.pop("_sunshine_roles", None)
    return staff_roles_of(user)


@pytest.mark.parametrize("admin_role", sorted(SEPARATED_ADMIN_ROLES))
@pytest.mark.parametrize("operational", [Role.DISCIPLINE_INSPECTOR, Role.LEADER, Role.DEPARTMENT_STAFF])
def test_an_administrator_never_holds_an_operational_role_in_either_order(admin_role, operational):
    bureau = BureauFactory()
    org_for = {Role.DEPARTMENT_STAFF: DepartmentFactory(parent=bureau)}
    first = UserFactory()
    membership_grant(actor=None, user=first, organization=bureau, role=admin_role)
    with pytest.raises(ValidationError, match="handles cases or sees identities"):
        membership_grant(actor=None, user=first, organization=org_for.get(operational, bureau), role=operational)
    second = UserFactory()
    membership_grant(actor=None, user=second, organization=org_for.get(operational, bureau), role=operational)
    with pytest.raises(ValidationError, match="handles cases or sees identities"):
        membership_grant(actor=None, user=second, organization=bureau, role=admin_role)
    assert fresh_roles(first) == {admin_role} and fresh_roles(second) == {operational}


def test_the_system_admin_cannot_grant_themselves_discipline_inspection():
    client, sysadmin = client_for(Role.SYSTEM_ADMIN)
    bureau = sysadmin.memberships.get().organization
    with pytest.raises(ValidationError):
        membership_grant(actor=sysadmin, user=sysadmin, organization=bureau, role=Role.DISCIPLINE_INSPECTOR)
    response = client.post(
        reverse("admin:orgs_membership_add"),
        {"user": sysadmin.pk, "organization": bureau.pk, "role": Role.DISCIPLINE_INSPECTOR, "title": ""},
    )
    assert response.status_code == 200  # the form error, nothing granted
    assert list(sysadmin.memberships.values_list("role", flat=True)) == [Role.SYSTEM_ADMIN]


def test_an_identity_role_granted_by_a_person_waits_for_a_second_person():
    assert {Role.DISCIPLINE_INSPECTOR, Role.LEADER} == IDENTITY_ROLES
    assert not IDENTITY_ROLES & SEPARATED_ADMIN_ROLES and IDENTITY_ROLES <= OPERATIONAL_ROLES
    sysadmin = user_with_role(Role.SYSTEM_ADMIN)
    bureau = sysadmin.memberships.get().organization
    friend = UserFactory()
    membership = membership_grant(actor=sysadmin, user=friend, organization=bureau, role=Role.DISCIPLINE_INSPECTOR)
    assert membership.pending and not membership.is_active and membership.requested_by == sysadmin
    assert fresh_roles(friend) == frozenset()  # nothing opens before approval
    assert AuditEntry.objects.filter(action="orgs.membership_request", actor=sysadmin).exists()
    # Not the requester, not the grantee, not any other role: the security administrator.
    for who in (sysadmin, friend, user_with_role(Role.SYSTEM_ADMIN, bureau=bureau), user_with_role(Role.LEADER)):
        with pytest.raises(PermissionDenied):
            membership_approve(actor=who, membership=membership)
    security_admin = user_with_role(Role.SECURITY_ADMIN, bureau=bureau)
    membership_approve(actor=security_admin, membership=membership)
    membership.refresh_from_db()
    assert membership.is_active and not membership.pending and membership.approved_by == security_admin
    assert fresh_roles(friend) == {Role.DISCIPLINE_INSPECTOR}
    entry = AuditEntry.objects.get(action="orgs.membership_approve")
    assert entry.actor == security_admin and entry.data["requested_by"] == sysadmin.pk
    with pytest.raises(ValidationError):
        membership_approve(actor=security_admin, membership=membership)  # approved once


def test_a_refused_or_revoked_identity_role_does_not_come_back_without_approval():
    sysadmin = user_with_role(Role.SYSTEM_ADMIN)
    bureau = sysadmin.memberships.get().organization
    security_admin = user_with_role(Role.SECURITY_ADMIN, bureau=bureau)
    person = UserFactory()
    pending = membership_grant(actor=sysadmin, user=person, organization=bureau, role=Role.LEADER)
    membership_reject(actor=security_admin, membership=pending)
    pending.refresh_from_db()
    assert not pending.pending and not pending.is_active
    assert AuditEntry.objects.filter(action="orgs.membership_reject").exists()
    again = membership_grant(actor=sysadmin, user=person, organization=bureau, role=Role.LEADER)
    assert again.pk == pending.pk and again.pending and not again.is_active
    membership_approve(actor=security_admin, membership=again)
    membership_revoke(actor=sysadmin, membership=again)
    # Re-activating in the admin is a new grant: pending again.
    client, _ = client_for(Role.SYSTEM_ADMIN, bureau=bureau)
    url = reverse("admin:orgs_membership_change", args=[again.pk])
    assert client.post(url, {"is_active": "on"}).status_code == 302
    again.refresh_from_db()
    assert again.pending and not again.is_active
    assert fresh_roles(person) == frozenset()


def test_only_the_system_admin_grants_roles():
    bureau = BureauFactory()
    for role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.LEADER):
        with pytest.raises(PermissionDenied):
            membership_grant(
                actor=user_with_role(role, bureau=bureau), user=UserFactory(), organization=bureau, role=Role.SUPERVISOR
            )
    assert not Membership.objects.filter(role=Role.SUPERVISOR).exists()


def test_the_security_admin_approves_on_the_security_page():
    sysadmin = user_with_role(Role.SYSTEM_ADMIN)
    bureau = sysadmin.memberships.get().organization
    person = UserFactory(username="newinspector")
    pending = membership_grant(actor=sysadmin, user=person, organization=bureau, role=Role.DISCIPLINE_INSPECTOR)
    client, _security_admin = client_for(Role.SECURITY_ADMIN, bureau=bureau)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "newinspector" in page
    url = reverse("accounts:security-grant", args=[pending.pk])
    for role in (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.DISCIPLINE_INSPECTOR):
        other, _ = client_for(role)
        assert other.post(url, {"decision": "approve"}).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 302
    pending.refresh_from_db()
    assert pending.is_active and not pending.pending
