"""The security administrator's page (三员分立: keys and security policy).

It shows whether the field-encryption keys in force decrypt the canary and whether
rotation has reached it, the cipher and audit hash in force, the login policy, and
the accounts locked out after failed logins, which it can unlock (audited). The
system and audit administrators get 403 here, as every other role does.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from sunshine.core.audit import audit_record
from sunshine.core.crypto import canary_check, current_cipher, field_keys
from sunshine.orgs.access import can_manage_security


class SecurityAdminRequiredMixin(UserPassesTestMixin):
    def test_func(self) -> bool:
        return can_manage_security(self.request.user)  # type: ignore[attr-defined]


class SecurityOverviewView(SecurityAdminRequiredMixin, TemplateView):
    template_name = "accounts/security.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            canary=canary_check(),
            key_ids=[key.key_id for key in field_keys()],
            cipher=current_cipher(),
            audit_hash=settings.SUNSHINE_AUDIT_HASH,
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_hours=settings.AXES_COOLOFF_TIME,
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
            locked=AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
                "-attempt_time"
            ),
        )
        return context


class LockoutResetView(SecurityAdminRequiredMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "").strip()
        if not username:
            messages.error(request, _("Choose an account to unlock."))
        else:
            with transaction.atomic():
                count = axes_reset(username=username)
                audit_record(
                    actor=request.user, action="accounts.lockout_reset", data={"username": username, "count": count}
                )
            messages.success(request, _("The account %(username)s is unlocked.") % {"username": username})
        return HttpResponseRedirect(reverse("accounts:security"))
