"""Accounts' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py)."""

from sunshine.core.testing import Rule
from sunshine.orgs.models import Role

ACCESS = [
    Rule("accounts:security", frozenset({Role.SECURITY_ADMIN})),
]
