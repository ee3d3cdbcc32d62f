"""Writes on organisations and memberships."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.orgs.models import SEPARATED_ADMIN_ROLES, Membership, Organization


def membership_check(*, user: Any, organization: Organization, role: str, title: str = "") -> None:
    """Raise ValidationError unless ``user`` may hold ``role`` in ``organization``: the role
    fits the kind of organisation, and 三员分立 — the system, security and audit
    administrator roles are held by different people."""
    Membership(user=user, organization=organization, role=role, title=title).full_clean(
        validate_unique=False, validate_constraints=False
    )
    if role in SEPARATED_ADMIN_ROLES:
        clash = (
            Membership.objects.filter(user=user, is_active=True, role__in=SEPARATED_ADMIN_ROLES)
            .exclude(role=role)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _("The system, security and audit administrator roles must be held by different people (%(held)s).")
                % {"held": clash.get_role_display()}
            )


@transaction.atomic
def membership_grant(*, actor: Any, user: Any, organization: Organization, role: str, title: str = "") -> Membership:
    """Give ``user`` a role in ``organization``.

    三员分立: the system, security and audit administrator roles are mutually
    exclusive; a user holding one cannot be granted another.
    """
    type(user).objects.select_for_update().get(pk=user.pk)
    membership_check(user=user, organization=organization, role=role, title=title)
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"title": title}
    )
    if not created:
        if membership.is_active:
            return membership  # already held: nothing changes, nothing to record
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="orgs.membership_grant",
        target=membership,
        data={"user": user.pk, "organization": organization.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(actor=actor, action="orgs.membership_revoke", target=membership, data={"role": membership.role})
