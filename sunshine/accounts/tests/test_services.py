from __future__ import annotations

from base64 import b32encode
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from sunshine.accounts.models import Authenticator
from sunshine.accounts.services import totp_device_set, totp_now, totp_secret_base32
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, UserFactory


def test_totp_now_matches_rfc_6238() -> None:
    secret = b32encode(b"12345678901234567890").decode()
    assert totp_now(secret, at=datetime.fromtimestamp(59, tz=UTC)) == "287082"
    assert totp_now(secret, at=datetime.fromtimestamp(1111111109, tz=UTC)) == "081804"


@pytest.mark.django_db
def test_totp_device_set_replaces_with_a_known_secret() -> None:
    user = UserFactory()
    secret = b32encode(b"first-secret-0123456").decode()
    totp_device_set(user=user, secret_base32=secret, actor=None)
    device = totp_device_set(user=user, secret_base32=secret.lower(), actor=None)
    assert Authenticator.objects.filter(user=user).count() == 1
    assert device.confirmed
    assert totp_secret_base32(device) == secret
    assert device.verify_token(totp_now(secret))
    with pytest.raises(ValidationError):
        totp_device_set(user=user, secret_base32="not base32!", actor=None)


@pytest.mark.django_db
def test_admin_site_admits_only_verified_system_admins(rf: pytest.FixtureRequest) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django_otp.middleware import OTPMiddleware

    from sunshine.accounts.admin_site import SunshineAdminSite
    from sunshine.orgs.tests.factories import MembershipFactory

    site = SunshineAdminSite()
    admin = MembershipFactory(organization=BureauFactory(), role=Role.SYSTEM_ADMIN).user
    device = totp_device_set(user=admin, secret_base32=b32encode(b"admin-secret-0123456").decode(), actor=None)
    clerk = MembershipFactory(role=Role.SCHOOL_CLERK).user

    def request_for(user, verified: bool):  # type: ignore[no-untyped-def]
        request = rf.get("/admin/")  # type: ignore[attr-defined]
        request.user = user
        OTPMiddleware._init_user_fields(user) if user.is_authenticated else None
        if verified:
            user.otp_device = device
        return request

    assert site.has_permission(request_for(admin, verified=True))
    assert not site.has_permission(request_for(admin, verified=False))
    assert not site.has_permission(request_for(clerk, verified=True))
    assert not site.has_permission(request_for(AnonymousUser(), verified=False))
