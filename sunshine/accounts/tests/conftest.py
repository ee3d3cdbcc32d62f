"""Fixtures of the accounts tests: staff with a known TOTP secret, the public, and
a real Chromium for the browser test."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import pytest

from sunshine.accounts.services import totp_device_set
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, MembershipFactory, UserFactory

PASSWORD = "correct horse battery"  # UserFactory's password
SECRET = b32encode(b"sunshine-test-secret").decode()  # 20 bytes, 32 base32 characters


@dataclass
class Person:
    user: Any
    password: str = PASSWORD
    secret: str = SECRET


@pytest.fixture
def public_person(db: None) -> Person:
    return Person(user=UserFactory(username="citizen"))


@pytest.fixture
def staff_person(db: None) -> Person:
    """A school clerk with a confirmed TOTP device whose secret the test knows."""
    membership = MembershipFactory(user__username="clerk", role=Role.SCHOOL_CLERK)
    totp_device_set(user=membership.user, secret_base32=SECRET, actor=None)
    return Person(user=membership.user)


@pytest.fixture
def unenrolled_staff_person(db: None) -> Person:
    membership = MembershipFactory(user__username="newclerk", role=Role.SCHOOL_CLERK)
    return Person(user=membership.user, secret="")


@pytest.fixture
def system_admin_person(db: None) -> Person:
    membership = MembershipFactory(
        user__username="sysadmin", user__is_staff=True, organization=BureauFactory(), role=Role.SYSTEM_ADMIN
    )
    totp_device_set(user=membership.user, secret_base32=SECRET, actor=None)
    return Person(user=membership.user)
