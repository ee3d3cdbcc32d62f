"""Users. Roles are not here: a person's roles are memberships in organisations
(``orgs.Membership``); an account with no membership is a member of the public."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
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
