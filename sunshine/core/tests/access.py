"""Core's rows of the access matrix (see test_access_matrix.py). Core names no domain:
the file download is walked by the rows of the apps that store files (fees' ledgers)."""

from sunshine.core.testing import ALL_STAFF, POST, VISITORS, Rule
from sunshine.orgs.models import Role

EVERYONE = frozenset(VISITORS)

ACCESS = [
    Rule("core:home", EVERYONE),
    Rule("core:search", EVERYONE, query="q=收费"),
    Rule("core:display", EVERYONE, method=POST, data={"mode": "large"}, ok_status=302),
    Rule("core:workbench", ALL_STAFF),
    Rule("admin:index", frozenset({Role.SYSTEM_ADMIN})),
    Rule("core:audit-list", frozenset({Role.AUDIT_ADMIN})),
    Rule("core:audit-verify", frozenset({Role.AUDIT_ADMIN}), method=POST),
]
