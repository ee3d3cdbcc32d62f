"""Accounts' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The second-factor pages are for signed-in staff (the public are sent home, the
anonymous to the login); the security pages for the security administrator only."""

from sunshine.core.testing import ALL_STAFF, ANONYMOUS, POST, VISITORS, Rule
from sunshine.orgs.models import Role

LOGGED_IN = frozenset(VISITORS) - {ANONYMOUS}
EVERYONE = frozenset(VISITORS)
STAFF_STEP = {"denied_status": (302,), "redirect_to": "core:home"}

ACCESS = [
    Rule("accounts:login", EVERYONE),
    Rule("accounts:login", EVERYONE, method=POST, data={"username": "nobody", "password": "wrong"}),
    Rule("accounts:logout", EVERYONE, method=POST, ok_status=302),
    # Staff have passed the second factor already: both steps send them on.
    Rule("accounts:otp-verify", ALL_STAFF, ok_status=302, **STAFF_STEP),  # type: ignore[arg-type]
    Rule("accounts:otp-enrol", ALL_STAFF, ok_status=302, **STAFF_STEP),  # type: ignore[arg-type]
    Rule("accounts:recovery-codes", ALL_STAFF, **STAFF_STEP),  # type: ignore[arg-type]
    Rule("accounts:password-change", LOGGED_IN),
    Rule("accounts:password-change-done", LOGGED_IN),
    Rule("accounts:security", frozenset({Role.SECURITY_ADMIN})),
    Rule(
        "accounts:security-unlock",
        frozenset({Role.SECURITY_ADMIN}),
        method=POST,
        data={"username": "someone"},
        ok_status=302,
    ),
    # POST-only: the security administrator gets 405 on GET, everyone else 403 or the login.
    Rule("accounts:security-reset", frozenset({Role.SECURITY_ADMIN}), ok_status=405),
    Rule("accounts:security-grant", frozenset({Role.SECURITY_ADMIN}), kwargs={"pk": 1}, ok_status=405),
    # Without a one-time link in the session nobody reaches the enrolment page.
    Rule("accounts:enrol", frozenset()),
    Rule("accounts:enrol-link", frozenset(), kwargs={"token": "not-a-token"}),
]
