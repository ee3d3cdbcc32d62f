"""Accounts' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py)."""

from sunshine.core.testing import Rule
from sunshine.orgs.models import Role

ACCESS = [
    Rule("accounts:security", frozenset({Role.SECURITY_ADMIN})),
    # POST-only: the security administrator gets 405 on GET, everyone else 403 or the login.
    Rule("accounts:security-reset", frozenset({Role.SECURITY_ADMIN}), ok_status=405),
    Rule("accounts:security-grant", frozenset({Role.SECURITY_ADMIN}), kwargs={"pk": 1}, ok_status=405),
    # Without a one-time link in the session nobody reaches the enrolment page.
    Rule("accounts:enrol", frozenset()),
    Rule("accounts:enrol-link", frozenset(), kwargs={"token": "not-a-token"}),
]
