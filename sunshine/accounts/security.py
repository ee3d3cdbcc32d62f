"""The security administrator's page (三员分立: keys and security policy).

It shows whether the field-encryption keys in force decrypt the canary and whether
rotation has reached it, the cipher and audit hash in force, the login policy, and
the accounts locked out after failed logins, which it can unlock (audited). It resets
a person's password or authenticator (``services.password_reset_issue`` /
``services.device_reset``: a one-time enrolment link, shown once) and approves or
refuses the grants of identity roles that wait for a second person
(``orgs.services.membership_approve`` / ``membership_reject``). The system and audit
administrators get 403 here, as every other role does.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from sunshine.accounts import services
from sunshine.accounts.forms import AccountResetForm
from sunshine.accounts.lockout import lockout_cool_off_for
from sunshine.core.audit import audit_record
from sunshine.core.crypto import canary_check, current_cipher, field_keys
from sunshine.orgs.access import can_manage_security
from sunshine.orgs.models import Membership
from sunshine.orgs.services import membership_approve, membership_pending_list, membership_reject


class SecurityAdminRequiredMixin(UserPassesTestMixin):
    def test_func(self) -> bool:
        return can_manage_security(self.request.user)  # type: ignore[attr-defined]


def locked_accounts() -> list[dict[str, Any]]:
    """Usernames at or over the failure limit, whatever addresses the failures came from."""
    rows = (
        AccessAttempt.objects.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [{**row, "cool_off": lockout_cool_off_for(row["username"])} for row in rows]


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
            cooloff_minutes=settings.SUNSHINE_LOGIN_COOLOFF_MINUTES,
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
            locked=locked_accounts(),
            reset_form=kwargs.get("reset_form") or AccountResetForm(),
            pending=membership_pending_list(),
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


class AccountResetView(SecurityAdminRequiredMixin, TemplateView):
    """POST: reset a person's password (and authenticator) or authenticator only; the
    one-time enrolment link is shown on the answer page once and kept nowhere."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AccountResetForm(request.POST)
        user = None
        if form.is_valid():
            user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", _("No account has this username."))
        if user is None:
            view = SecurityOverviewView(request=request, kwargs={})
            return render(request, "accounts/security.html", view.get_context_data(reset_form=form), status=400)
        reset = services.password_reset_issue if form.cleaned_data["what"] == "password" else services.device_reset
        try:
            token = reset(actor=request.user, user=user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("accounts:security"))
        link = request.build_absolute_uri(reverse("accounts:enrol-link", kwargs={"token": token}))
        context = {"person": user, "link": link, "what": form.cleaned_data["what"]}
        return render(request, "accounts/security_link.html", context)


class MembershipDecideView(SecurityAdminRequiredMixin, TemplateView):
    """POST ``decision=approve|reject`` on a grant of an identity role that waits."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = get_object_or_404(Membership, pk=kwargs["pk"], pending=True)
        decide = membership_approve if request.POST.get("decision") == "approve" else membership_reject
        try:
            decide(actor=request.user, membership=membership)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if decide is membership_approve:
                messages.success(request, _("The role is granted: %(membership)s.") % {"membership": membership})
            else:
                messages.success(request, _("The request is refused: %(membership)s.") % {"membership": membership})
        return HttpResponseRedirect(reverse("accounts:security"))
