"""Who holds which role where. Every role check in the platform goes through here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sunshine.orgs.models import Membership, Organization, Role


def staff_roles_of(user: Any) -> frozenset[str]:
    """The roles a user holds in any organisation (empty for the public)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_sunshine_roles", None)
    if cache is None:
        cache = frozenset(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
        user._sunshine_roles = cache
    return cache


def has_role(user: Any, *roles: str) -> bool:
    return bool(staff_roles_of(user) & set(roles))


def is_staff_user(user: Any) -> bool:
    """Any organisation role makes a user staff, and every staff user needs 2FA."""
    return bool(staff_roles_of(user))


def organizations_of(user: Any, *roles: str) -> QuerySet[Organization]:
    """The organisations in which the user holds one of ``roles`` (any role if none given)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Organization.objects.filter(pk__in=memberships.values("organization_id"))


def can_manage_users(user: Any) -> bool:
    """System administrator: users, organisations and settings (三员分立)."""
    return has_role(user, Role.SYSTEM_ADMIN)


def can_manage_security(user: Any) -> bool:
    """Security administrator: keys and security policy (三员分立)."""
    return has_role(user, Role.SECURITY_ADMIN)


def can_read_audit(user: Any) -> bool:
    """Audit administrator: reads the audit log, and nothing else of the three (三员分立)."""
    return has_role(user, Role.AUDIT_ADMIN)
