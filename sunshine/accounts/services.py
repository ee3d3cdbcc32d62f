"""Writes on accounts: TOTP devices, recovery codes, second-factor checks, staff creation.

Every staff user (anyone holding an organisation role) must pass a second factor:
a TOTP code from an authenticator app, or one of ten one-time recovery codes. Members
of the public log in with a password only. Codes and passwords never reach the audit log.
"""

from __future__ import annotations

import binascii
import re
import secrets
import time
from base64 import b32decode, b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_otp
import segno
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunshine.core.audit import audit_record
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
TOTP_STEP = 30  # TOTPDevice default
_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")


# --- TOTP ------------------------------------------------------------------------------


def _lock_user(user: Any) -> None:
    """Serialise writes on one user's devices (two workers enrolling at once)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def totp_secret_base32(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app wants it typed (RFC 4648 base32)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def _secret_bytes(secret_base32: str) -> bytes:
    cleaned = re.sub(r"[\s-]", "", secret_base32).upper()
    try:
        key = b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The secret is not valid base32.")) from exc
    if not 10 <= len(key) <= 40:
        raise ValidationError(_("The secret must be between 10 and 40 bytes long."))
    return key


def totp_now(secret_base32: str, *, at: datetime | None = None) -> str:
    """The 6-digit TOTP code for ``secret_base32`` at ``at`` (default: now), with the
    settings every device here uses (RFC 6238: 30-second step, t0 = 0, SHA-1, 6 digits)."""
    moment = at.timestamp() if at is not None else time.time()
    return f"{hotp(_secret_bytes(secret_base32), int(moment) // TOTP_STEP, digits=6):06d}"


def user_is_verified(user: Any) -> bool:
    """True when django-otp's middleware found this session verified by a device."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def totp_device_get(*, user: Any) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an inline SVG QR code (rendered here, no JS)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", title=_("QR code for your authenticator app"))


@transaction.atomic
def totp_device_create(*, user: Any, actor: Any) -> TOTPDevice:
    """An unconfirmed TOTP device with a fresh random secret, for enrolment.

    An unconfirmed device the user already has is reused, so that reloading the
    enrolment page (or a URI an operator printed) keeps the same secret.
    """
    _lock_user(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is not None:
        return device
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="accounts.totp_device_create", target=device, data={"user": user.pk})
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, actor: Any) -> bool:
    """Confirm an enrolment with a valid code from the user's app; any other TOTP
    device of the user is removed. Returns False (and counts a throttled failure)
    when the code is wrong."""
    _lock_user(device.user)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed:
        raise ValidationError(_("This authenticator is already set up."))
    token = re.sub(r"\s", "", token)
    if not _TOTP_CODE.match(token) or not device.verify_token(token):
        audit_record(actor=actor, action="accounts.otp_fail", target=device.user, data={"method": "enrolment"})
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    audit_record(actor=actor, action="accounts.totp_device_confirm", target=device, data={"user": device.user_id})
    return True


@transaction.atomic
def totp_device_set(*, user: Any, secret_base32: str, actor: Any) -> TOTPDevice:
    """Create or replace the user's confirmed TOTP device with a KNOWN secret (demo and
    tests: the secret is printed so a person can add it to an authenticator app)."""
    key = _secret_bytes(secret_base32)
    _lock_user(user)
    existing = TOTPDevice.objects.filter(user=user)
    if len(existing) == 1 and existing[0].confirmed and existing[0].key == key.hex():
        return existing[0]  # already set: nothing changes, nothing to record
    existing.delete()
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=True, key=key.hex())
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="accounts.totp_device_set", target=device, data={"user": user.pk})
    return device


# --- Recovery codes ----------------------------------------------------------------------


def recovery_codes_remaining(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_generate(*, user: Any, actor: Any) -> list[str]:
    """Replace the user's recovery codes with ten new one-time codes, returned once
    (they are shown to the user and never again)."""
    _lock_user(user)
    devices = StaticDevice.objects.filter(user=user)
    device = devices.order_by("pk").first()
    if device is None:
        device = StaticDevice(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        device.full_clean()
        device.save()
    devices.exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
    audit_record(
        actor=actor, action="accounts.recovery_codes_generate", target=user, data={"count": RECOVERY_CODE_COUNT}
    )
    return sorted(codes)


def recovery_code_format(code: str) -> str:
    """How a recovery code is shown: two groups of four (``abcd-efgh``)."""
    return f"{code[:4]}-{code[4:]}"


# --- Second factor ------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondFactorResult:
    device: Device | None
    method: str = ""  # "totp" or "recovery" when a device accepted the code
    locked_until: datetime | None = None  # set when django-otp is throttling the device

    @property
    def ok(self) -> bool:
        return self.device is not None


def _throttled_until(device: Device) -> datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    return (info or {}).get("locked_until") or timezone.now()


@transaction.atomic
def second_factor_verify(*, user: Any, code: str, allow_recovery: bool = True) -> SecondFactorResult:
    """Check a TOTP code (6 digits) or, when allowed, a recovery code for ``user``.

    django-otp throttles each device (exponential back-off after a failure); a used
    recovery code is deleted, so it works exactly once. The audit log records the
    outcome and the method, never the code.
    """
    cleaned = re.sub(r"[\s-]", "", code).lower()
    device: Device | None = None
    method = ""
    if _TOTP_CODE.match(cleaned):
        device, method = totp_device_get(user=user), "totp"
    elif allow_recovery and _RECOVERY_CODE.match(cleaned):
        device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        method = "recovery"
    if device is None:
        audit_record(actor=user, action="accounts.otp_fail", target=user, data={"method": method or "malformed"})
        return SecondFactorResult(device=None)
    locked_until = _throttled_until(device)
    if locked_until is not None:
        audit_record(actor=user, action="accounts.otp_fail", target=user, data={"method": method, "throttled": True})
        return SecondFactorResult(device=None, locked_until=locked_until)
    verified = django_otp.verify_token(user, device.persistent_id, cleaned)
    if verified is None:
        audit_record(actor=user, action="accounts.otp_fail", target=user, data={"method": method})
        return SecondFactorResult(device=None)
    if method == "recovery":
        audit_record(
            actor=user,
            action="accounts.recovery_code_use",
            target=user,
            data={"remaining": recovery_codes_remaining(user=user)},
        )
    audit_record(actor=user, action="accounts.otp_verify", target=user, data={"method": method})
    return SecondFactorResult(device=verified, method=method)


# --- Passwords ---------------------------------------------------------------------------


@transaction.atomic
def password_change(*, user: Any, new_password: str) -> None:
    """The user changes their own password (validated by the form); the audit log
    records that it happened, never the password."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="accounts.password_change", target=user, data={})


# --- Staff accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewStaffUser:
    user: Any
    password: str  # one-time: shown to the operator once, the user changes it
    device: TOTPDevice  # unconfirmed: the user confirms it at first login


@transaction.atomic
def staff_user_create(*, username: str, organization: Organization, role: str, actor: Any) -> NewStaffUser:
    """A staff account with a random one-time password, a role, and a TOTP device
    waiting for enrolment (its otpauth:// URI can be handed over with the password).
    A system administrator also gets Django's ``is_staff`` flag to open /admin/."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(_("A user with this username already exists."))
    password = secrets.token_urlsafe(12)
    user = user_model(username=username, is_staff=(role == Role.SYSTEM_ADMIN))
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="accounts.user_create", target=user, data={"username": username})
    membership_grant(actor=actor, user=user, organization=organization, role=role)
    device = totp_device_create(user=user, actor=actor)
    return NewStaffUser(user=user, password=password, device=device)
