"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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


# A clerk of the district's other school: the visitor that proves object-level scoping.
OTHER_SCHOOL_CLERK = "other_school_clerk"
VISITORS: tuple[str, ...] = (*EVERYONE, OTHER_SCHOOL_CLERK)
ALL_STAFF = frozenset({*ALL_ROLES, OTHER_SCHOOL_CLERK})
GET, POST = "GET", "POST"


class District:
    """One district for the access matrix: a bureau with its FOI office (办公室, marked
    ``handles_foi``), a finance department, a discipline department, school A
    (``school``) and school B (``other_school``). Each visitor is placed where the role
    is held in this district — a clerk and a principal at school A, department staff
    in the office, the inspector in the discipline department, the fee reviewer in
    finance, leaders, supervisors and administrators at the bureau — and
    ``OTHER_SCHOOL_CLERK`` at school B. Users are created on first use; objects are
    built once per test by :meth:`once` (the rows' object factories)."""

    PLACES: dict[str, tuple[str, str]] = {
        Role.SCHOOL_CLERK: ("school", Role.SCHOOL_CLERK),
        Role.PRINCIPAL: ("school", Role.PRINCIPAL),
        Role.DEPARTMENT_STAFF: ("office", Role.DEPARTMENT_STAFF),
        Role.DISCIPLINE_INSPECTOR: ("discipline", Role.DISCIPLINE_INSPECTOR),
        Role.FEE_REVIEWER: ("finance", Role.FEE_REVIEWER),
        Role.SUPERVISOR: ("bureau", Role.SUPERVISOR),
        Role.LEADER: ("bureau", Role.LEADER),
        Role.SYSTEM_ADMIN: ("bureau", Role.SYSTEM_ADMIN),
        Role.SECURITY_ADMIN: ("bureau", Role.SECURITY_ADMIN),
        Role.AUDIT_ADMIN: ("bureau", Role.AUDIT_ADMIN),
        OTHER_SCHOOL_CLERK: ("other_school", Role.SCHOOL_CLERK),
    }

    def __init__(self) -> None:
        from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory

        self.bureau = BureauFactory(name="示范区教育局", short_name="区教育局", hotline="0000-12345")
        self.office = DepartmentFactory(parent=self.bureau, name="办公室", handles_foi=True)
        self.finance = DepartmentFactory(parent=self.bureau, name="计划财务股")
        self.discipline = DepartmentFactory(parent=self.bureau, name="纪检组")
        self.school = SchoolFactory(parent=self.bureau, name="第一实验小学", hotline="0000-11111")
        self.other_school = SchoolFactory(parent=self.bureau, name="第二实验小学", hotline="0000-22222")
        self._users: dict[str, Any] = {}
        self._objects: dict[str, Any] = {}

    def user(self, who: str) -> Any:
        """The district's user for ``who`` (None for ANONYMOUS), created on first use."""
        from sunshine.orgs.tests.factories import UserFactory

        if who == ANONYMOUS:
            return None
        if who not in self._users:
            if who == PUBLIC:
                self._users[who] = UserFactory()
            else:
                place, role = self.PLACES[who]
                self._users[who] = user_with_role(role, organization=getattr(self, place))
        return self._users[who]

    def client(self, who: str) -> Client:
        """A client for ``who``: anonymous, a public account, or staff with 2FA passed."""
        client = Client()
        user = self.user(who)
        if user is not None and who == PUBLIC:
            client.force_login(user)
        elif user is not None:
            login_verified(client, user)
        return client

    def once(self, key: str, build: Any) -> Any:
        """``build(self)`` the first time ``key`` is asked for in this test, then the same object."""
        if key not in self._objects:
            self._objects[key] = build(self)
        return self._objects[key]


def _resolve(value: Any, district: District) -> Any:
    return value(district) if callable(value) else value


@dataclass(frozen=True)
class Rule:
    """One row of the access matrix: a request and who may make it.

    ``kwargs``, ``data`` and ``query`` are values or callables of the :class:`District`
    (the callables build the real objects the request needs, in the same district as
    the visitors); ``setup(district)`` builds what a list page should show. The allowed
    get a status in ``ok_status``; everyone else is turned away (login redirect, 403
    or 404, or ``denied_status``; a 302 must lead to the login or to ``redirect_to``)
    and — for a POST — leaves the audit log, the status history and
    ``state(district)`` as they were. ``done``, if given, must hold after an allowed
    POST."""

    url_name: str
    allowed: frozenset[str]
    kwargs: Any = field(default_factory=dict)
    method: str = GET
    data: Any = None
    query: Any = ""
    ok_status: int | tuple[int, ...] = 200
    denied_status: tuple[int, ...] = (403, 404)
    redirect_to: str = ""
    setup: Any = None
    state: Any = None
    done: Any = None
    label: str = ""

    def __str__(self) -> str:
        label = f"[{self.label}]" if self.label else ""
        return f"{self.method} {self.url_name}{label}"

    def ok_statuses(self) -> tuple[int, ...]:
        return self.ok_status if isinstance(self.ok_status, tuple) else (self.ok_status,)

    def url(self, district: District) -> str:
        from django.urls import reverse

        if self.setup is not None:
            self.setup(district)
        query = _resolve(self.query, district)
        return reverse(self.url_name, kwargs=_resolve(self.kwargs, district)) + (f"?{query}" if query else "")

    def payload(self, district: District) -> Any:
        return _resolve(self.data, district) or {}


@contextmanager
def receipt_codes_drawn() -> Iterator[list[str]]:
    """The receipt codes ``core.crypto.receipt_code_new`` draws within the block — the real
    codes, recorded as they are drawn — so a test can look for them where they must not be."""
    from sunshine.core import crypto

    drawn: list[str] = []
    real = crypto.secrets.randbelow

    def recording(n: int) -> int:
        value = real(n)
        digits = len(str(n)) - 1
        if str(n) == "1" + "0" * digits:
            drawn.append(f"{value:0{digits}d}")
        return value

    crypto.secrets.randbelow = recording  # type: ignore[assignment]
    try:
        yield drawn
    finally:
        crypto.secrets.randbelow = real  # type: ignore[assignment]


def audit_entries_containing(text: str) -> list[Any]:
    """Audit entries whose actor, target or data holds ``text`` anywhere."""
    from sunshine.core.models import AuditEntry

    return [
        entry
        for entry in AuditEntry.objects.all()
        if text
        in " ".join((entry.actor_label, entry.target_type, entry.target_id, entry.target_label, json.dumps(entry.data)))
    ]
