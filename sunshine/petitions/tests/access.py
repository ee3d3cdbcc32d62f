"""Petitions' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

Public pages: everyone, with or without an account. Staff pages: the roles that handle
cases (triage and handling roles of petitions.access); never the three administrators
nor the social supervisors (三员分立). Intake: triage roles only. Pages that need a
case (pk) are tested for each role in test_views_staff.py / test_views_public.py."""

from sunshine.core.testing import EVERYONE, Rule
from sunshine.orgs.models import Role

HANDLING = frozenset(
    {
        Role.SCHOOL_CLERK,
        Role.PRINCIPAL,
        Role.DEPARTMENT_STAFF,
        Role.DISCIPLINE_INSPECTOR,
        Role.FEE_REVIEWER,
        Role.LEADER,
    }
)
# client_for() puts an inspector and a leader at the bureau: both triage.
TRIAGE = frozenset({Role.DISCIPLINE_INSPECTOR, Role.LEADER})

ACCESS = [
    Rule("petitions:channels", frozenset(EVERYONE)),
    Rule("petitions:file", frozenset(EVERYONE)),
    Rule("petitions:receipt", frozenset(EVERYONE)),
    Rule("petitions:track", frozenset(EVERYONE)),
    Rule("petitions:figures", frozenset(EVERYONE)),
    Rule("petitions:workbench", HANDLING),
    Rule("petitions:export", HANDLING),
    Rule("petitions:intake", TRIAGE),
    Rule("petitions:intake-done", TRIAGE),
]
