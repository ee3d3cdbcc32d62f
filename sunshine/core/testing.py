"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from sunshine.orgs.models import ROLE_ORG_KINDS, Organization, Role
from sunshine.orgs.services import membership_grant

# Everyone the access matrix walks through: no account, a public account, each role.
ANONYMOUS = "anonymous"
PUBLIC = "public"
ALL_ROLES: tuple[str, ...] = tuple(Role.values)
EVERYONE: tuple[str, ...] = (ANONYMOUS, PUBLIC, *ALL_ROLES)


def login_verified(client: Client, user: Any) -> None:
    """Log ``user`` in with a session that has passed two-factor verification."""
    from sunshine.accounts.models import Authenticator

    device, _ = Authenticator.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def user_with_role(role: str, *, bureau: Organization | None = None, organization: Organization | None = None) -> Any:
    """A user holding ``role`` in a fitting organisation (created under ``bureau`` if needed)."""
    from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

    if organization is None:
        parent: Any = bureau or BureauFactory()
        kind = sorted(ROLE_ORG_KINDS[role])[0]
        factories: dict[str, Any] = {
            Organization.Kind.DEPARTMENT: DepartmentFactory,
            Organization.Kind.SCHOOL: SchoolFactory,
        }
        organization = parent if kind == Organization.Kind.BUREAU else factories[kind](parent=parent)
    user: Any = UserFactory()
    membership_grant(actor=None, user=user, organization=organization, role=role)
    return user


def client_for(who: str, **kwargs: Any) -> tuple[Client, Any]:
    """A test client logged in as ``who`` (ANONYMOUS, PUBLIC or a Role value), 2FA passed for staff."""
    from sunshine.orgs.tests.factories import UserFactory

    client = Client()
    if who == ANONYMOUS:
        return client, None
    if who == PUBLIC:
        user: Any = UserFactory()
        client.force_login(user)
        return client, user
    user = user_with_role(who, **kwargs)
    login_verified(client, user)
    return client, user


@dataclass(frozen=True)
class Rule:
    """One row of the access matrix: a view and who may reach it."""

    url_name: str
    allowed: frozenset[str]
    kwargs: dict[str, object] = field(default_factory=dict)
    ok_status: int = 200

    def __str__(self) -> str:
        return self.url_name
