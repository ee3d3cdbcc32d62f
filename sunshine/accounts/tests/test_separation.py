"""三员分立 in accounts: no administrator reads another person's second factor, the
system administrator cannot set or reset a password, resets belong to the security
administrator, are audited and force re-enrolment through a one-time link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunshine.accounts.models import Authenticator, EnrolmentToken, User
from sunshine.accounts.services import (
    device_reset,
    password_reset_issue,
    recovery_codes_generate,
    totp_device_set,
    totp_now,
    totp_secret_base32,
)
from sunshine.core.models import AuditEntry
from sunshine.core.testing import client_for, user_with_role
from sunshine.orgs.models import Role

from .conftest import SECRET, Person

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp-verify")
WORKBENCH = reverse("core:workbench")
ENROL = reverse("accounts:enrol")
SECURITY = reverse("accounts:security")


def test_system_admin_cannot_read_totp_keys_or_recovery_codes_in_the_admin(staff_person: Person) -> None:
    codes = recovery_codes_generate(user=staff_person.user, actor=None)
    client, _admin = client_for(Role.SYSTEM_ADMIN)
    assert not {TOTPDevice, StaticDevice, Authenticator} & set(admin.site._registry)
    index = client.get(reverse("admin:index")).content.decode()
    assert "otp_totp" not in index and "otp_static" not in index
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(path).status_code == 404
    page = client.get(reverse("admin:accounts_user_change", args=[staff_person.user.pk])).content.decode()
    device = Authenticator.objects.get(user=staff_person.user)
    assert device.key not in page and SECRET not in page
    assert not any(code in page for code in codes)


def test_totp_keys_are_stored_encrypted(staff_person: Person) -> None:
    from django.db import connection

    device = Authenticator.objects.get(user=staff_person.user)
    assert totp_secret_base32(device) == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticator WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("sx1$") and device.key not in stored
    assert not TOTPDevice.objects.exists()  # django-otp's clear-key table stays empty


def test_recovery_codes_are_stored_hashed(staff_person: Person) -> None:
    codes = recovery_codes_generate(user=staff_person.user, actor=None)
    stored = set(StaticToken.objects.filter(device__user=staff_person.user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)
    assert all(re.fullmatch(r"[0-9a-f]{16}", token) for token in stored)


def test_system_admin_cannot_change_a_password_in_the_admin(staff_person: Person) -> None:
    client, _admin = client_for(Role.SYSTEM_ADMIN)
    user = staff_person.user
    before = User.objects.get(pk=user.pk).password
    url = f"/admin/accounts/user/{user.pk}/password/"
    response = client.post(url, {"password1": "Another-pass-123", "password2": "Another-pass-123"})
    assert response.status_code in (302, 404)  # the admin's "object not found" redirect, or 404
    assert User.objects.get(pk=user.pk).password == before
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert "password/" not in page
    # A new account made in the admin gets no usable password, and the creation is audited.
    response = client.post(reverse("admin:accounts_user_add"), {"username": "newperson", "full_name": "新人"})
    assert response.status_code == 302
    created = User.objects.get(username="newperson")
    assert not created.has_usable_password()
    assert AuditEntry.objects.filter(action="admin.accounts.user_add", target_id=str(created.pk)).exists()


def test_only_the_security_admin_resets_and_the_reset_is_audited(staff_person: Person) -> None:
    from django.core.exceptions import PermissionDenied

    for role in (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.LEADER):
        with pytest.raises(PermissionDenied):
            password_reset_issue(actor=user_with_role(role), user=staff_person.user)
        with pytest.raises(PermissionDenied):
            device_reset(actor=user_with_role(role), user=staff_person.user)
    security_admin = user_with_role(Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        password_reset_issue(actor=security_admin, user=security_admin)  # never one's own account
    assert Authenticator.objects.filter(user=staff_person.user).exists()

    token = password_reset_issue(actor=security_admin, user=staff_person.user)
    user = User.objects.get(pk=staff_person.user.pk)
    assert not user.has_usable_password()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    stored = EnrolmentToken.objects.get(user=user)
    assert token not in stored.token_hash and stored.issued_by == security_admin
    entries = AuditEntry.objects.filter(actor=security_admin).values_list("action", flat=True)
    assert {"accounts.password_reset", "accounts.enrolment_token_issue"} <= set(entries)
    assert token not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def _enrol(client: Client, token: str, data: dict[str, str]):
    assert client.get(reverse("accounts:enrol-link", kwargs={"token": token}))["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    secret = re.search(r'<code class="otp-secret">([A-Z2-7]+)</code>', page).group(1)
    return client.post(ENROL, {**data, "code": totp_now(secret)}), secret


def test_a_password_reset_forces_re_enrolment_with_the_one_time_link(staff_person: Person) -> None:
    signed_in = Client()
    signed_in.post(LOGIN, {"username": staff_person.user.username, "password": staff_person.password})
    signed_in.post(VERIFY, {"code": totp_now(staff_person.secret)})
    assert signed_in.get(WORKBENCH).status_code == 200

    token = password_reset_issue(actor=user_with_role(Role.SECURITY_ADMIN), user=staff_person.user)
    # The old session ends, the old password and authenticator stop working.
    assert signed_in.get(WORKBENCH).status_code == 302
    assert Client().post(LOGIN, {"username": "clerk", "password": staff_person.password}).status_code == 200

    client = Client()
    response, secret = _enrol(client, token, {"password": "Sunny-new-pass-42", "password_again": "Sunny-new-pass-42"})
    assert response.status_code == 200
    assert len(re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", response.content.decode())) == 10
    assert client.get(WORKBENCH).status_code == 200  # signed in and verified
    user = User.objects.get(pk=staff_person.user.pk)
    assert user.check_password("Sunny-new-pass-42")
    assert totp_secret_base32(Authenticator.objects.get(user=user, confirmed=True)) == secret
    assert EnrolmentToken.objects.get(user=user).used_at is not None
    assert "accounts.enrolment_complete" in AuditEntry.objects.values_list("action", flat=True)
    # Single use.
    again = Client()
    assert again.get(reverse("accounts:enrol-link", kwargs={"token": token})).status_code == 404


def test_a_device_reset_needs_the_current_password_and_keeps_it(staff_person: Person) -> None:
    token = device_reset(actor=user_with_role(Role.SECURITY_ADMIN), user=staff_person.user)
    client = Client()
    response, _secret = _enrol(client, token, {"password": "not the password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not Authenticator.objects.filter(user=staff_person.user, confirmed=True).exists()
    Authenticator.objects.filter(user=staff_person.user).update(throttling_failure_count=0)
    response, _secret = _enrol(client, token, {"password": staff_person.password})
    assert client.get(WORKBENCH).status_code == 200
    assert User.objects.get(pk=staff_person.user.pk).check_password(staff_person.password)


def test_an_expired_or_replaced_link_does_not_work(staff_person: Person) -> None:
    security_admin = user_with_role(Role.SECURITY_ADMIN)
    first = device_reset(actor=security_admin, user=staff_person.user)
    second = device_reset(actor=security_admin, user=staff_person.user)
    assert Client().get(reverse("accounts:enrol-link", kwargs={"token": first})).status_code == 404
    EnrolmentToken.objects.filter(user=staff_person.user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(reverse("accounts:enrol-link", kwargs={"token": second})).status_code == 404


def test_security_admin_resets_from_the_security_page(staff_person: Person) -> None:
    client, security_admin = client_for(Role.SECURITY_ADMIN)
    response = client.post(reverse("accounts:security-reset"), {"username": "clerk", "what": "device"})
    assert response.status_code == 200
    link = re.search(r"/accounts/enrol/([\w-]+)/", response.content.decode())
    assert link is not None
    assert "no-store" in response["Cache-Control"]
    assert not Authenticator.objects.filter(user=staff_person.user).exists()
    assert AuditEntry.objects.filter(action="accounts.device_reset", actor=security_admin).exists()
    assert client.post(reverse("accounts:security-reset"), {"username": "nobody", "what": "device"}).status_code == 400


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.DISCIPLINE_INSPECTOR])
def test_other_roles_cannot_reset(role: str, staff_person: Person) -> None:
    client, _user = client_for(role)
    response = client.post(reverse("accounts:security-reset"), {"username": "clerk", "what": "password"})
    assert response.status_code == 403
    assert Authenticator.objects.filter(user=staff_person.user).exists()
    assert not EnrolmentToken.objects.exists()


def test_user_create_staff_prints_a_one_time_link_and_no_password(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from sunshine.orgs.tests.factories import BureauFactory

    BureauFactory(code="B-X")
    call_command("user_create_staff", "inspector", "--org", "B-X", "--role", Role.DISCIPLINE_INSPECTOR)
    out = capsys.readouterr().out
    token = re.search(r"/accounts/enrol/([\w-]+)/", out).group(1)
    user = User.objects.get(username="inspector")
    assert not user.has_usable_password()
    assert "otpauth" not in out and "password:" not in out.lower()
    client = Client()
    response, _secret = _enrol(client, token, {"password": "Inspector-pass-77", "password_again": "Inspector-pass-77"})
    assert response.status_code == 200
    assert client.get(WORKBENCH).status_code == 200


def test_demo_secrets_still_work_for_known_devices(db: None) -> None:
    user = user_with_role(Role.SCHOOL_CLERK)
    device = totp_device_set(user=user, secret_base32=SECRET, actor=None)
    assert device.verify_token(totp_now(SECRET))


def test_an_account_the_system_admin_creates_gives_them_no_way_in() -> None:
    from sunshine.accounts.services import staff_user_create
    from sunshine.orgs.tests.factories import SchoolFactory

    sysadmin = user_with_role(Role.SYSTEM_ADMIN)
    school = SchoolFactory(parent=sysadmin.memberships.get().organization)
    created = staff_user_create(username="newclerk", organization=school, role=Role.SCHOOL_CLERK, actor=sysadmin)
    assert created.enrolment_token == ""
    assert not created.user.has_usable_password()
    assert not EnrolmentToken.objects.filter(user=created.user).exists()
