"""Staff must finish two-factor login before reaching anything but the login pages,
and only verified system administrators may open the Django admin."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from sunshine.accounts.services import totp_device_get, user_is_verified
from sunshine.orgs.access import can_manage_users, is_staff_user


def _prefix(url_name: str, strip_last: bool = False) -> str | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    if strip_last:
        url = url.rstrip("/").rsplit("/", 1)[0] + "/"
    return url


class StaffTwoFactorMiddleware:
    """Sits after ``OTPMiddleware``.

    * An authenticated staff user whose session is not OTP-verified reaches only the
      verify and enrolment pages, logout, static files, the language switch
      (/i18n/), the display switch (large text, contrast) and the one-time
      enrolment pages; anything else redirects to the verify step, or to the page
      saying an enrolment link is needed when the user has no confirmed TOTP device.
    * /admin/: anonymous visitors go to our login (never the admin's password-only
      form); an authenticated user who is not a system administrator
      (``can_manage_users``) gets 403, verified or not; a system administrator must
      be OTP-verified like every staff user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: tuple[tuple[str, ...], tuple[str, ...], str | None] | None = None

    def _allowed(self) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
        """(exact paths, path prefixes, admin prefix), resolved on first use."""
        if self._paths is None:
            exact = tuple(
                p
                for p in (
                    _prefix("accounts:otp-verify"),
                    _prefix("accounts:otp-enrol"),
                    _prefix("accounts:logout"),
                    _prefix("core:display"),  # large text / high contrast: a cookie, no data
                )
                if p
            )
            prefixes = tuple(
                p
                for p in (
                    "/" + settings.STATIC_URL.lstrip("/"),
                    _prefix("set_language", True),
                    _prefix("accounts:enrol"),  # the one-time enrolment link and page
                )
                if p
            )
            self._paths = (exact, prefixes, _prefix("admin:index"))
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        exact, prefixes, admin_prefix = self._allowed()
        path = request.path
        user = request.user
        if admin_prefix and path.startswith(admin_prefix):
            if not user.is_authenticated:
                login_url = reverse(settings.LOGIN_URL)
                return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if not can_manage_users(user):
                raise PermissionDenied
        if (
            user.is_authenticated
            and is_staff_user(user)
            and not user_is_verified(user)
            and path not in exact
            and not path.startswith(prefixes)
        ):
            target = "accounts:otp-verify" if totp_device_get(user=user) else "accounts:otp-enrol"
            url = reverse(target)
            if request.method == "GET":
                url = f"{url}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(url)
        return self.get_response(request)
