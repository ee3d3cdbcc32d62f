"""Audit entries for session events: login, logout, failed login and lockout.

Connected in ``AccountsConfig.ready()``. Neither the password nor any code is ever
recorded: a failed login records the username typed and the client address.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from sunshine.core.audit import audit_record

OTP_FAILURE_SENDER = "sunshine.accounts.second_factor"


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", ""))


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="accounts.login", target=user, data={"ip": _client(request)})


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(actor=user, action="accounts.logout", target=user, data={"ip": _client(request)})


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if sender == OTP_FAILURE_SENDER:
        return  # second_factor_verify already wrote accounts.otp_fail
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="accounts.login_fail", data={"username": username, "ip": _client(request)})


def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    audit_record(
        actor=None, action="accounts.lockout", data={"username": str(username or "")[:150], "ip": str(ip_address)}
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="sunshine.accounts.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="sunshine.accounts.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="sunshine.accounts.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="sunshine.accounts.locked_out")
