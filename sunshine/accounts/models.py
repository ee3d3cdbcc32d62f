"""Users. Roles are not here: a person's roles are memberships in organisations
(``orgs.Membership``); an account with no membership is a member of the public."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from sunshine.core.fields import EncryptedTextField


class User(AbstractUser):  # type: ignore[django-manager-missing]  # Authenticator's deferring manager
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_member(self) -> bool:
        """True when the user holds any active organisation role (all need 2FA)."""
        from sunshine.orgs.access import staff_roles_of

        return bool(staff_roles_of(self))


class EnrolmentToken(models.Model):
    """A one-time link with which a person sets up their second factor (and, after a
    password reset, their password): issued by the security administrator, shown
    once, stored only as a keyed hash, valid until it expires or is used. No staff
    account enrols an authenticator without one (no trust on first use)."""

    class Kind(models.TextChoices):
        PASSWORD = "password", _("new password and authenticator")
        DEVICE = "device", _("new authenticator")

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="enrolment_tokens"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


def _new_key() -> str:
    return random_hex(20)


class AuthenticatorManager(models.Manager["Authenticator"]):
    """Loads devices without their key: the key is decrypted only when a code is
    checked, so a session's device (loaded on every request by django-otp) never
    needs the field keys, and a wrong key set locks no one out of recovery codes."""

    def get_queryset(self) -> models.QuerySet[Authenticator]:
        return super().get_queryset().defer("key")


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A person's TOTP authenticator (RFC 6238: SHA-1, 6 digits, 30-second step), with
    its secret key ENCRYPTED at rest (``EncryptedTextField``; django-otp's own
    ``TOTPDevice`` keeps it in clear). Verification, replay protection (``last_t``),
    drift and throttling are django-otp's, borrowed from ``TOTPDevice`` unchanged.
    Never shown in the admin; the key leaves the server once, as the enrolment QR code."""

    key = EncryptedTextField(default=_new_key)  # hex, 10 to 40 bytes
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    objects = AuthenticatorManager()

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
