"""Django's model permissions derived from organisation roles (三员分立).

The system administrator manages users, organisations and settings: they hold the
admin's model permissions for those apps. Nobody holds any permission on the audit
log's tables through the admin (the audit administrator reads it on its own page),
nor on second factors (django-otp's devices) or enrolment links, and no other role
holds admin permissions at all. Nothing depends on Django's
``is_superuser``, which the platform never grants.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from sunshine.orgs.access import can_manage_users

SYSTEM_ADMIN_APPS = frozenset({"accounts", "orgs", "core"})
# Second factors and enrolment links are nobody's to read or edit in the admin.
NEVER = frozenset(
    {"core.auditentry", "core.audithead", "core.encryptioncanary", "accounts.authenticator", "accounts.enrolmenttoken"}
)


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        app_label, _, codename = perm.partition(".")
        model = codename.partition("_")[2]
        if f"{app_label}.{model}" in NEVER or app_label not in SYSTEM_ADMIN_APPS:
            return False
        return bool(user_obj.is_active and can_manage_users(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(app_label in SYSTEM_ADMIN_APPS and user_obj.is_active and can_manage_users(user_obj))
