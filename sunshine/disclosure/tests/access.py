"""Disclosure's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py)."""

from sunshine.core.testing import ALL_ROLES, EVERYONE, Rule
from sunshine.orgs.models import Role

WRITERS = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL, Role.DEPARTMENT_STAFF, Role.LEADER})
BUREAU_HANDLERS = frozenset({Role.DEPARTMENT_STAFF, Role.LEADER})

ACCESS = [
    Rule("disclosure:index", frozenset(EVERYONE)),
    Rule("disclosure:search", frozenset(EVERYONE)),
    Rule("disclosure:archive", frozenset(EVERYONE)),
    Rule("disclosure:foi", frozenset(EVERYONE)),
    Rule("disclosure:foi-track", frozenset(EVERYONE)),
    Rule("disclosure:foi-mine", frozenset(EVERYONE) - {"anonymous"}),
    Rule("disclosure:workbench", WRITERS),
    Rule("disclosure:staff-document-new", WRITERS),
    Rule("disclosure:staff-foi-list", BUREAU_HANDLERS),
    Rule("disclosure:staff-foi-new", BUREAU_HANDLERS),
    Rule("disclosure:staff-inspections", BUREAU_HANDLERS),
]
assert set(ALL_ROLES) >= WRITERS
