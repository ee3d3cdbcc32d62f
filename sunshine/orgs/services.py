"""Writes on organisations and memberships.

三员分立: the system, security and audit administrator roles are held by different
people, and an administrator holds no operational role (one that handles cases, sees
reporters' identities or does the bureau's work). A grant of an identity role — one
that may open a reporter's identity — by a person waits for a second person's
approval: the security administrator, never the requester nor the grantee. Grants by
the platform itself (``actor=None``: demo data, ``manage.py`` run on the server, whose
operator holds the database anyway) take effect at once.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.orgs.access import can_manage_security, can_manage_users
from sunshine.orgs.models import IDENTITY_ROLES, OPERATIONAL_ROLES, SEPARATED_ADMIN_ROLES, Membership, Organization


def membership_check(*, user: Any, organization: Organization, role: str, title: str = "") -> None:
    """Raise ValidationError unless ``user`` may hold ``role`` in ``organization``: the role
    fits the kind of organisation, and 三员分立 — the system, security and audit
    administrator roles are held by different people, and none of them together with
    an operational role (checked whichever is granted first; pending grants count)."""
    Membership(user=user, organization=organization, role=role, title=title).full_clean(
        validate_unique=False, validate_constraints=False
    )
    held = Membership.objects.filter(Q(is_active=True) | Q(pending=True), user=user).exclude(
        organization=organization, role=role
    )
    if role in SEPARATED_ADMIN_ROLES:
        clash = held.filter(role__in=SEPARATED_ADMIN_ROLES).exclude(role=role).first()
        if clash is not None:
            raise ValidationError(
                _("The system, security and audit administrator roles must be held by different people (%(held)s).")
                % {"held": clash.get_role_display()}
            )
    if role in SEPARATED_ADMIN_ROLES or role in OPERATIONAL_ROLES:
        other = OPERATIONAL_ROLES if role in SEPARATED_ADMIN_ROLES else SEPARATED_ADMIN_ROLES
        clash = held.filter(role__in=other).first()
        if clash is not None:
            raise ValidationError(
                _(
                    "An administrator cannot also hold a role that handles cases or sees identities "
                    "(%(role)s and %(held)s)."
                )
                % {"role": Membership(role=role).get_role_display(), "held": clash.get_role_display()}
            )


def _check_granting(actor: Any) -> None:
    if actor is not None and not can_manage_users(actor):
        raise PermissionDenied(_("Only the system administrator grants roles."))


@transaction.atomic
def membership_grant(*, actor: Any, user: Any, organization: Organization, role: str, title: str = "") -> Membership:
    """Give ``user`` a role in ``organization`` (the system administrator, or the
    platform with ``actor=None``).

    三员分立 is checked by :func:`membership_check`. A person's grant of an identity
    role is recorded pending (inactive) and takes effect only through
    :func:`membership_approve` by a second person. Returns the membership, active or
    pending.
    """
    _check_granting(actor)
    type(user).objects.select_for_update().get(pk=user.pk)
    membership_check(user=user, organization=organization, role=role, title=title)
    needs_approval = actor is not None and role in IDENTITY_ROLES
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={"title": title, "is_active": not needs_approval, "pending": needs_approval},
    )
    if not created:
        if membership.is_active or membership.pending:
            return membership  # already held or already asked: nothing changes, nothing to record
        membership.is_active, membership.pending = not needs_approval, needs_approval
        membership.approved_by, membership.approved_at = None, None
    membership.requested_by = actor if needs_approval else None
    membership.full_clean(validate_unique=False)
    membership.save()
    audit_record(
        actor=actor,
        action="orgs.membership_request" if needs_approval else "orgs.membership_grant",
        target=membership,
        data={"user": user.pk, "organization": organization.pk, "role": role},
    )
    return membership


def membership_pending_list() -> QuerySet[Membership]:
    """Grants of identity roles waiting for approval, oldest first."""
    return (
        Membership.objects.filter(pending=True)
        .select_related("user", "organization", "requested_by")
        .order_by("created_at", "pk")
    )


def _pending_locked(membership: Membership, actor: Any) -> Membership:
    if not can_manage_security(actor):
        raise PermissionDenied(_("Only the security administrator approves grants of identity roles."))
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not locked.pending:
        raise ValidationError(_("This grant is not waiting for approval."))
    if actor.pk in (locked.requested_by_id, locked.user_id):
        raise PermissionDenied(_("A grant is approved by a second person, never the requester or the grantee."))
    return locked


@transaction.atomic
def membership_approve(*, actor: Any, membership: Membership) -> Membership:
    """The security administrator approves a pending grant of an identity role: a
    second person, not the requester and not the grantee. 三员分立 is checked again
    (the person may have been given an administrator role meanwhile)."""
    locked = _pending_locked(membership, actor)
    membership_check(user=locked.user, organization=locked.organization, role=locked.role, title=locked.title)
    locked.pending, locked.is_active = False, True
    locked.approved_by, locked.approved_at = actor, timezone.now()
    locked.save(update_fields=["pending", "is_active", "approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action="orgs.membership_approve",
        target=locked,
        data={"user": locked.user_id, "role": locked.role, "requested_by": locked.requested_by_id},
    )
    return locked


@transaction.atomic
def membership_reject(*, actor: Any, membership: Membership) -> Membership:
    """The security administrator refuses a pending grant: it stays inactive, on record."""
    locked = _pending_locked(membership, actor)
    locked.pending = False
    locked.save(update_fields=["pending"])
    audit_record(
        actor=actor,
        action="orgs.membership_reject",
        target=locked,
        data={"user": locked.user_id, "role": locked.role, "requested_by": locked.requested_by_id},
    )
    return locked


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    _check_granting(actor)
    membership.is_active = False
    membership.pending = False
    membership.save(update_fields=["is_active", "pending"])
    audit_record(actor=actor, action="orgs.membership_revoke", target=membership, data={"role": membership.role})
