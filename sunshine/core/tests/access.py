"""Core's rows of the access matrix (see test_access_matrix.py)."""

from sunshine.core.testing import ALL_ROLES, EVERYONE, Rule
from sunshine.orgs.models import Role

ACCESS = [
    Rule("core:home", frozenset(EVERYONE)),
    Rule("core:workbench", frozenset(ALL_ROLES)),
    Rule("admin:index", frozenset({Role.SYSTEM_ADMIN})),
    Rule("core:audit-list", frozenset({Role.AUDIT_ADMIN})),
]
