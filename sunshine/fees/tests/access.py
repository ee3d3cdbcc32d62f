"""Fees' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py)."""

from sunshine.core.testing import EVERYONE, Rule
from sunshine.orgs.models import Role

WORKBENCH = frozenset({Role.FEE_REVIEWER, Role.LEADER, Role.SCHOOL_CLERK, Role.PRINCIPAL})
SCHOOL = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})

ACCESS = [
    Rule("fees:school-list", frozenset(EVERYONE)),
    Rule("fees:workbench", WORKBENCH),
    Rule("fees:declaration-create", SCHOOL),
    Rule("fees:ledger-upload", frozenset({Role.FEE_REVIEWER, *SCHOOL})),
    Rule("fees:catalogue", WORKBENCH),
    Rule("fees:finding-export", WORKBENCH),
]
