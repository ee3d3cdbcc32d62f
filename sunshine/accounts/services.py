"""Writes on accounts: TOTP devices, recovery codes, second-factor checks, staff
creation, and the security administrator's password and device resets.

Every staff user (anyone holding an organisation role) must pass a second factor:
a TOTP code from an authenticator app, or one of ten one-time recovery codes (kept
only as keyed hashes). Members of the public log in with a password only. Codes and
passwords never reach the audit log.

No trust on first use: a staff account sets up its authenticator only through a
one-time enrolment link (:class:`~sunshine.accounts.models.EnrolmentToken`) that the
security administrator issues — at account creation, after a password reset
(:func:`password_reset_issue`) or after a device reset (:func:`device_reset`). The
system administrator can neither set nor reset a password nor see a second factor.
"""

from __future__ import annotations

import binascii
import re
import secrets
import time
from base64 import b32decode, b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from sunshine.accounts.models import Authenticator, EnrolmentToken
from sunshine.core.audit import audit_record
from sunshine.core.crypto import keyed_hash
from sunshine.orgs.access import can_manage_security
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
TOTP_STEP = 30  # the Authenticator default
_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")
RECOVERY_PURPOSE = "accounts.recovery_code"
ENROLMENT_PURPOSE = "accounts.enrolment_token"


# --- TOTP ------------------------------------------------------------------------------


def _lock_user(user: Any) -> None:
    """Serialise writes on one user's devices (two workers enrolling at once)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def totp_secret_base32(device: Authenticator) -> str:
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


def totp_device_get(*, user: Any) -> Authenticator | None:
    """The user's confirmed TOTP device, if any."""
    return Authenticator.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_qr_svg(device: Authenticator) -> str:
    """The device's otpauth:// URI as an inline SVG QR code (rendered here, no JS)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", title=_("QR code for your authenticator app"))


@transaction.atomic
def totp_device_create(*, user: Any, actor: Any) -> Authenticator:
    """An unconfirmed TOTP device with a fresh random secret, for enrolment.

    An unconfirmed device the user already has is reused, so that reloading the
    enrolment page (or a URI an operator printed) keeps the same secret.
    """
    _lock_user(user)
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is not None:
        return device
    device = Authenticator(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="accounts.totp_device_create", target=device, data={"user": user.pk})
    return device


@transaction.atomic
def totp_device_confirm(*, device: Authenticator, token: str, actor: Any) -> bool:
    """Confirm an enrolment with a valid code from the user's app; any other TOTP
    device of the user is removed. Returns False (and counts a throttled failure)
    when the code is wrong."""
    _lock_user(device.user)
    device = Authenticator.objects.select_for_update().get(pk=device.pk)
    if device.confirmed:
        raise ValidationError(_("This authenticator is already set up."))
    token = re.sub(r"\s", "", token)
    if not _TOTP_CODE.match(token) or not device.verify_token(token):
        audit_record(actor=actor, action="accounts.otp_fail", target=device.user, data={"method": "enrolment"})
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    Authenticator.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    audit_record(actor=actor, action="accounts.totp_device_confirm", target=device, data={"user": device.user_id})
    return True


@transaction.atomic
def totp_device_set(*, user: Any, secret_base32: str, actor: Any) -> Authenticator:
    """Create or replace the user's confirmed TOTP device with a KNOWN secret (demo and
    tests: the secret is printed so a person can add it to an authenticator app)."""
    key = _secret_bytes(secret_base32)
    _lock_user(user)
    existing = Authenticator.objects.filter(user=user)
    if len(existing) == 1 and existing[0].confirmed and existing[0].key == key.hex():
        return existing[0]  # already set: nothing changes, nothing to record
    existing.delete()
    device = Authenticator(user=user, name=TOTP_DEVICE_NAME, confirmed=True, key=key.hex())
    device.full_clean()
    device.save()
    audit_record(actor=actor, action="accounts.totp_device_set", target=device, data={"user": user.pk})
    return device


# --- Recovery codes ----------------------------------------------------------------------


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: its keyed hash, cut to the 16 characters
    django-otp's token column holds (64 bits; the code itself has 40)."""
    return keyed_hash(code, purpose=RECOVERY_PURPOSE)[:16]


def recovery_codes_remaining(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_generate(*, user: Any, actor: Any) -> list[str]:
    """Replace the user's recovery codes with ten new one-time codes, returned once
    (they are shown to the user and never again; only their keyed hashes are kept)."""
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
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(code)) for code in sorted(codes)
    )
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
    presented = recovery_code_digest(cleaned) if method == "recovery" else cleaned
    verified = django_otp.verify_token(user, device.persistent_id, presented)
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
    enrolment_token: str  # one-time (platform only, else ""): the person sets their password and authenticator


@transaction.atomic
def staff_user_create(*, username: str, organization: Organization, role: str, actor: Any) -> NewStaffUser:
    """A staff account with no usable password and a role (granted by ``actor``: the
    system administrator, or the platform with ``None``). Only the platform itself
    (``manage.py user_create_staff`` on the server) gets the one-time enrolment link
    back; when a system administrator creates the account, the link is the security
    administrator's to issue (``password_reset_issue``), so the creator never holds it.
    A system administrator also gets Django's ``is_staff`` flag to open /admin/."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(_("A user with this username already exists."))
    user = user_model(username=username, is_staff=(role == Role.SYSTEM_ADMIN))
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="accounts.user_create", target=user, data={"username": username})
    membership_grant(actor=actor, user=user, organization=organization, role=role)
    token = _enrolment_token_issue(actor=None, user=user, kind=EnrolmentToken.Kind.PASSWORD) if actor is None else ""
    return NewStaffUser(user=user, enrolment_token=token)


# --- Resets and enrolment (the security administrator's services) --------------------------


def _enrolment_token_issue(*, actor: Any, user: Any, kind: str) -> str:
    """A fresh one-time enrolment token for ``user`` (older unused ones stop working)."""
    now = timezone.now()
    EnrolmentToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    issued = EnrolmentToken(
        user=user,
        kind=kind,
        token_hash=keyed_hash(token, purpose=ENROLMENT_PURPOSE),
        issued_by=actor,
        expires_at=now + timedelta(hours=settings.SUNSHINE_ENROLMENT_HOURS),
    )
    issued.full_clean()
    issued.save()
    audit_record(actor=actor, action="accounts.enrolment_token_issue", target=user, data={"kind": kind})
    return token


def _check_resetting(actor: Any, user: Any) -> None:
    if actor is None:
        return  # the platform itself (manage.py on the server)
    if not can_manage_security(actor):
        raise PermissionDenied(_("Only the security administrator resets passwords and authenticators."))
    if actor.pk == user.pk:
        raise PermissionDenied(_("Another security administrator resets your own account."))


def _devices_remove(user: Any) -> int:
    removed = Authenticator.objects.filter(user=user).delete()[0]
    return removed + StaticDevice.objects.filter(user=user).delete()[0]


@transaction.atomic
def password_reset_issue(*, actor: Any, user: Any) -> str:
    """The security administrator resets ``user``'s password: the password stops
    working at once (every session of the user ends with it), the authenticator and
    recovery codes are removed, and a one-time enrolment token is returned — shown
    once, to be handed over privately — with which the person sets a new password and
    enrols a new authenticator before reaching any staff page."""
    _check_resetting(actor, user)
    _lock_user(user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    removed = _devices_remove(user)
    audit_record(actor=actor, action="accounts.password_reset", target=user, data={"devices_removed": removed})
    return _enrolment_token_issue(actor=actor, user=user, kind=EnrolmentToken.Kind.PASSWORD)


@transaction.atomic
def device_reset(*, actor: Any, user: Any) -> str:
    """The security administrator resets ``user``'s second factor (a lost phone): the
    authenticator and recovery codes are removed (sessions verified with them stop
    being verified) and a one-time enrolment token is returned; the person enrols a
    new authenticator with it and their current password."""
    _check_resetting(actor, user)
    _lock_user(user)
    removed = _devices_remove(user)
    audit_record(actor=actor, action="accounts.device_reset", target=user, data={"devices_removed": removed})
    return _enrolment_token_issue(actor=actor, user=user, kind=EnrolmentToken.Kind.DEVICE)


def enrolment_token_get(token: str) -> EnrolmentToken | None:
    """The unused, unexpired enrolment token ``token`` names, or None."""
    if not token or len(token) > 100:
        return None
    found = (
        EnrolmentToken.objects.filter(token_hash=keyed_hash(token, purpose=ENROLMENT_PURPOSE))
        .select_related("user")
        .first()
    )
    if found is None or found.used_at is not None or found.expires_at <= timezone.now():
        return None
    return found


@dataclass(frozen=True)
class EnrolmentResult:
    device: Authenticator | None
    codes: list[str]  # the ten recovery codes, shown once
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def enrolment_complete(*, token: str, password: str, password_again: str = "", code: str) -> EnrolmentResult:
    """Finish an enrolment with the one-time ``token``: for a password reset (or a new
    account) ``password`` is the new password (twice); after a device reset it is the
    current one. ``code`` confirms the authenticator shown for the token's user. On
    success the token is spent, the device confirmed and ten recovery codes made;
    nothing changes otherwise."""
    found = enrolment_token_get(token)
    if found is None:
        raise ValidationError(_("This enrolment link is not valid: it was used, has expired or was replaced."))
    found = EnrolmentToken.objects.select_for_update().select_related("user").get(pk=found.pk)
    if found.used_at is not None:
        raise ValidationError(_("This enrolment link is not valid: it was used, has expired or was replaced."))
    user = found.user
    if found.kind == EnrolmentToken.Kind.PASSWORD:
        if password != password_again:
            return EnrolmentResult(device=None, codes=[], error=_("The two passwords differ."))
        validate_password(password, user)
    elif not user.check_password(password):
        audit_record(actor=user, action="accounts.login_fail", target=user, data={"method": "enrolment"})
        return EnrolmentResult(device=None, codes=[], error=_("That is not your current password."))
    device = totp_device_create(user=user, actor=user)
    if not totp_device_confirm(device=device, token=code, actor=user):
        return EnrolmentResult(
            device=None, codes=[], error=_("That code is not valid. Check the time on your phone and try again.")
        )
    if found.kind == EnrolmentToken.Kind.PASSWORD:
        user.set_password(password)
        user.save(update_fields=["password"])
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    audit_record(actor=user, action="accounts.enrolment_complete", target=user, data={"kind": found.kind})
    device.refresh_from_db()
    return EnrolmentResult(device=device, codes=recovery_codes_generate(user=user, actor=user))
