"""Login (password, then a second factor for staff), enrolment through a one-time link,
recovery codes, password change and logout."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login

from sunshine.accounts import services
from sunshine.accounts.forms import EnrolmentForm, SecondFactorForm, TotpCodeForm
from sunshine.accounts.receivers import OTP_FAILURE_SENDER
from sunshine.orgs.access import is_staff_user

NEXT_SESSION_KEY = "accounts_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_after_second_factor(request: HttpRequest) -> str:
    stored = request.session.pop(NEXT_SESSION_KEY, "")
    candidate = request.POST.get("next") or request.GET.get("next") or stored
    return _safe_next(request, candidate) or reverse(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request: HttpRequest, device: Any) -> None:
    """django-otp's login marks the session verified; the key rotates again on the
    privilege step, as it did at the password step."""
    request.session.cycle_key()
    otp_login(request, device)


def _lockout_if_locked(request: HttpRequest) -> HttpResponse | None:
    """Second-factor failures count towards axes's lockout (username + IP); a locked
    account is logged out and shown the lockout page."""
    credentials = {"username": request.user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials) or getattr(request, "axes_locked_out", False):
        auth_logout(request)
        return get_lockout_response(request, None, credentials)
    return None


def _count_failure(request: HttpRequest) -> None:
    user_login_failed.send(
        sender=OTP_FAILURE_SENDER, credentials={"username": request.user.get_username()}, request=request
    )


class LoginView(auth_views.LoginView):
    """Step 1: username and password (axes counts failures and locks username + IP).
    Staff go on to the second factor; the public are done."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs)
        # Django's login view names the host as "site"; the page shows the site's identity instead.
        context.pop("site", None)
        context.pop("site_name", None)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        auth_login(self.request, user)  # rotates the session key
        target = self.get_redirect_url()
        if is_staff_user(user):
            self.request.session[NEXT_SESSION_KEY] = target
            step = "accounts:otp-verify" if services.totp_device_get(user=user) else "accounts:otp-enrol"
            return redirect(step)
        return HttpResponseRedirect(target or reverse(settings.LOGOUT_REDIRECT_URL))


class _StaffStepMixin(LoginRequiredMixin):
    """Second-factor pages are for signed-in staff; the public never need them."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_user(request.user):
            return redirect(settings.LOGOUT_REDIRECT_URL)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc,assignment]
        return response


class OtpVerifyView(_StaffStepMixin, View):
    """Step 2 for staff: a TOTP code or a recovery code."""

    template_name = "accounts/otp_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and is_staff_user(request.user):
            if services.user_is_verified(request.user):
                return HttpResponseRedirect(_next_after_second_factor(request))
            if services.totp_device_get(user=request.user) is None:
                return redirect("accounts:otp-enrol")
            locked = _lockout_if_locked(request)
            if locked is not None:
                return locked
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: SecondFactorForm) -> HttpResponse:
        context = {"form": form, "next": _safe_next(request, request.POST.get("next") or request.GET.get("next"))}
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, SecondFactorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        result = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if result.ok:
            _mark_verified(request, result.device)
            if result.method == "recovery":
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d are left. Make new ones if you are running low.")
                    % {"count": services.recovery_codes_remaining(user=request.user)},
                )
            return HttpResponseRedirect(_next_after_second_factor(request))
        _count_failure(request)
        locked = _lockout_if_locked(request)
        if locked is not None:
            return locked
        if result.locked_until is not None:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait until %(time)s, then try again.")
                % {"time": date_format(localtime(result.locked_until), "TIME_FORMAT")},
            )
        else:
            form.add_error("code", _("That code is not valid. Check your authenticator app and try again."))
        return self._render(request, form)


class OtpEnrolView(_StaffStepMixin, View):
    """A staff user with no authenticator: no trust on first use, so nothing can be set
    up here; the page says to ask the security administrator for an enrolment link."""

    template_name = "accounts/otp_enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.user.is_authenticated
            and is_staff_user(request.user)
            and services.totp_device_get(user=request.user) is not None
        ):
            return redirect("accounts:otp-verify")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name)


ENROLMENT_SESSION_KEY = "accounts_enrolment_token"


class EnrolmentLinkView(View):
    """The one-time link: whoever is signed in on this browser is signed out, the token
    moves into the session and the browser goes on to the enrolment page (so the token
    leaves the address bar and never travels in a Referer)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if request.user.is_authenticated:
            auth_logout(request)
        if services.enrolment_token_get(token) is None:
            return render(request, "accounts/enrol_invalid.html", status=404)
        request.session[ENROLMENT_SESSION_KEY] = token
        return redirect("accounts:enrol")


class EnrolmentView(View):
    """Set a password (or confirm the current one) and enrol a new authenticator with
    the token from the one-time link; on success the person is signed in, verified,
    and shown ten recovery codes once."""

    template_name = "accounts/enrol.html"

    def _token(self, request: HttpRequest) -> tuple[str, Any]:
        token = str(request.session.get(ENROLMENT_SESSION_KEY, ""))
        return token, services.enrolment_token_get(token)

    def _render(self, request: HttpRequest, found: Any, form: EnrolmentForm) -> HttpResponse:
        device = services.totp_device_create(user=found.user, actor=found.user)
        context = {
            "form": form,
            "person": found.user,
            "qr_svg": services.totp_qr_svg(device),
            "secret": services.totp_secret_base32(device),
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        _token, found = self._token(request)
        if found is None:
            return render(request, "accounts/enrol_invalid.html", status=404)
        return self._render(request, found, EnrolmentForm(new_password=found.kind == found.Kind.PASSWORD))

    def post(self, request: HttpRequest) -> HttpResponse:
        token, found = self._token(request)
        if found is None:
            return render(request, "accounts/enrol_invalid.html", status=404)
        form = EnrolmentForm(request.POST, new_password=found.kind == found.Kind.PASSWORD)
        if not form.is_valid():
            return self._render(request, found, form)
        try:
            result = services.enrolment_complete(
                token=token,
                password=form.cleaned_data["password"],
                password_again=form.cleaned_data.get("password_again", ""),
                code=form.cleaned_data["code"],
            )
        except ValidationError as exc:
            form.add_error("password", exc)
            return self._render(request, found, form)
        if result.device is None:
            form.add_error(None, result.error)
            return self._render(request, found, form)
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        user = result.device.user  # as saved, with the new password (the session's auth hash follows it)
        user.refresh_from_db()
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        _mark_verified(request, result.device)
        return render(
            request,
            "accounts/recovery_codes_show.html",
            {"codes": [services.recovery_code_format(c) for c in result.codes], "next": reverse("core:workbench")},
        )


class RecoveryCodesView(_StaffStepMixin, View):
    """Make ten new recovery codes (the old ones stop working); needs a fresh TOTP code."""

    template_name = "accounts/recovery_codes.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TotpCodeForm())

    def _render(self, request: HttpRequest, form: TotpCodeForm) -> HttpResponse:
        context = {"form": form, "remaining": services.recovery_codes_remaining(user=request.user)}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TotpCodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        result = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"], allow_recovery=False)
        if not result.ok:
            _count_failure(request)
            locked = _lockout_if_locked(request)
            if locked is not None:
                return locked
            form.add_error("code", _("That code is not valid. Check your authenticator app and try again."))
            return self._render(request, form)
        codes = services.recovery_codes_generate(user=request.user, actor=request.user)
        return render(
            request,
            "accounts/recovery_codes_show.html",
            {"codes": [services.recovery_code_format(c) for c in codes], "next": reverse("core:workbench")},
        )


class LogoutView(auth_views.LogoutView):
    """Logout by POST only (Django refuses GET with 405)."""

    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user  # the signed-in user, as PasswordChangeForm holds it
        services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)  # keeps this session, ends the others
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
