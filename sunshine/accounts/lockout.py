"""Login lockout per account, whatever address the attempts come from, with a growing wait.

django-axes counts failed passwords and failed second-factor codes by username only
(``AXES_LOCKOUT_PARAMETERS = ["username"]``): a guesser gains nothing by moving to a
new address. Once locked, the wait (``AXES_COOLOFF_TIME`` is :func:`lockout_cool_off`)
is ``SUNSHINE_LOGIN_COOLOFF_MINUTES`` and doubles with every further lockout of the
same account recorded in the audit log over the last day, up to a day. The security
administrator unlocks an account at once (``security.LockoutResetView``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from sunshine.core.models import AuditEntry

MAX_COOL_OFF = timedelta(days=1)
WINDOW = timedelta(days=1)


def lockout_cool_off_for(username: str) -> timedelta:
    """How long ``username`` stays locked after its latest failure."""
    base = timedelta(minutes=settings.SUNSHINE_LOGIN_COOLOFF_MINUTES)
    if not username:
        return base
    lockouts = AuditEntry.objects.filter(
        action="accounts.lockout", at__gte=timezone.now() - WINDOW, data__username=username[:150]
    ).count()
    return min(base * 2 ** max(lockouts - 1, 0), MAX_COOL_OFF)


def _username(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    credentials: Any = getattr(request, "axes_credentials", None) or {}
    username = credentials.get("username") if isinstance(credentials, dict) else ""
    if not username and request.method == "POST":
        username = request.POST.get("username", "")
    user = getattr(request, "user", None)
    if not username and user is not None and user.is_authenticated:
        username = user.get_username()
    return str(username or "")


def lockout_cool_off(request: HttpRequest | None) -> timedelta:
    """``AXES_COOLOFF_TIME``: the growing wait of the account the request names."""
    return lockout_cool_off_for(_username(request))
