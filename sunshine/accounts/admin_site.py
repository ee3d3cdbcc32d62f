"""The Django admin site for Sunshine: only OTP-verified system administrators.

``StaffTwoFactorMiddleware`` already guards /admin/; this site says the same thing
in the admin's own permission check, and drops the need for Django's ``is_staff``
flag (roles live in ``orgs.Membership``). Enabled by replacing
``"django.contrib.admin"`` with ``"sunshine.accounts.apps.SunshineAdminConfig"`` in
INSTALLED_APPS.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from sunshine.accounts.services import user_is_verified
from sunshine.orgs.access import can_manage_users


class SunshineAdminSite(OTPAdminSite):
    site_header = _("Sunshine · system administration")
    site_title = _("System administration")
    index_title = _("Users, organisations and settings")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and can_manage_users(user) and user_is_verified(user))
