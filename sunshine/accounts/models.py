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
