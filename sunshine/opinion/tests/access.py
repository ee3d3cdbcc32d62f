"""Opinion's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py)."""

from sunshine.core.testing import EVERYONE, Rule
from sunshine.orgs.models import Role

MONITORS = frozenset({Role.DEPARTMENT_STAFF, Role.DISCIPLINE_INSPECTOR, Role.LEADER})

ACCESS = [
    Rule("opinion:reply-list", frozenset(EVERYONE)),
    Rule("opinion:workbench", MONITORS),
    Rule("opinion:source-list", MONITORS),
    Rule("opinion:post-list", MONITORS),
    Rule("opinion:post-review", MONITORS, kwargs={"pk": 1}, ok_status=405),  # POST only
    Rule("opinion:brief", MONITORS),
]
