"""Reports' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The dashboard: the bureau's leaders see every organisation of the bureau's tree, the
principal of school A sees school A only; nobody else (the three administrators
included). The annual summary: the bureau's leaders, office staff and discipline
inspector. The statistics page, its downloads and the open-figures API: everyone (a breakdown
kept off the public page: nobody there)."""

from __future__ import annotations

from sunshine.core.models import IssuedDocument
from sunshine.core.testing import POST, VISITORS, District, Rule
from sunshine.orgs.models import Role
from sunshine.reports.models import AnnualSummary

DASHBOARD = frozenset({Role.LEADER, Role.PRINCIPAL})
LEADERS = frozenset({Role.LEADER})
WRITERS = frozenset({Role.LEADER, Role.DEPARTMENT_STAFF, Role.DISCIPLINE_INSPECTOR})


def _narrative(d: District) -> dict[str, str]:
    return {"year": "2026", "action": "save", "education": "开展廉洁从教专题教育。"}


def _narrative_state(d: District) -> object:
    return list(AnnualSummary.objects.values_list("narrative", flat=True))


ACCESS = [
    Rule("reports:statistics", frozenset(VISITORS), query="year=2026"),
    Rule("reports:statistics-download", frozenset(VISITORS), query="year=2026&format=csv"),
    Rule("reports:statistics-download", frozenset(VISITORS), query="year=2026&format=xlsx", label="xlsx"),
    Rule(
        "reports:statistics-breakdown",
        frozenset(VISITORS),
        kwargs={"key": "petitions.by_channel"},
        query="year=2026&format=csv",
    ),
    Rule(
        "reports:statistics-breakdown",
        frozenset(VISITORS),
        kwargs={"key": "oversight.rag_counts"},
        query="year=2026&format=xlsx",
        label="xlsx",
    ),
    # A breakdown kept off the public page is found by nobody here, staff included.
    Rule(
        "reports:statistics-breakdown",
        frozenset(),
        kwargs={"key": "fees.refunds_by_school"},
        query="year=2026&format=csv",
        label="not public",
    ),
    Rule("reports:api-figures", frozenset(VISITORS), query="year=2026"),
    Rule("reports:dashboard", DASHBOARD),
    Rule("reports:dashboard", DASHBOARD, query=lambda d: f"org={d.school.pk}&year=2026", label="school A"),
    Rule("reports:dashboard", LEADERS, query=lambda d: f"org={d.other_school.pk}", label="school B"),
    Rule("reports:dashboard", LEADERS, query=lambda d: f"org={d.bureau.pk}&year=2026&quarter=4", label="bureau"),
    Rule("reports:chart", DASHBOARD, kwargs={"prefix": "petitions"}, query=lambda d: f"org={d.school.pk}"),
    Rule(
        "reports:chart",
        LEADERS,
        kwargs={"prefix": "fees"},
        query=lambda d: f"org={d.bureau.pk}&format=xlsx",
        label="xlsx",
    ),
    Rule(
        "reports:breakdown",
        DASHBOARD,
        kwargs={"key": "petitions.by_channel"},
        query=lambda d: f"org={d.school.pk}&year=2026",
    ),
    Rule(
        "reports:breakdown",
        DASHBOARD,
        kwargs={"key": "fees.refunds_by_school"},
        query=lambda d: f"org={d.school.pk}&year=2026&format=xlsx",
        label="refunds",
    ),
    Rule(
        "reports:breakdown",
        LEADERS,
        kwargs={"key": "oversight.rag_map"},
        query=lambda d: f"org={d.bureau.pk}&format=xlsx",
        label="xlsx",
    ),
    Rule("reports:summary", WRITERS),
    Rule(
        "reports:summary",
        WRITERS,
        method=POST,
        data=_narrative,
        ok_status=302,
        state=_narrative_state,
        done=lambda d: AnnualSummary.objects.filter(year=2026, narrative__education="开展廉洁从教专题教育。").exists(),
        label="save",
    ),
    Rule(
        "reports:summary",
        WRITERS,
        method=POST,
        data=lambda d: {**_narrative(d), "action": "issue"},
        ok_status=302,
        state=lambda d: IssuedDocument.objects.count(),
        done=lambda d: IssuedDocument.objects.filter(kind="reports.annual_summary", organization=d.bureau).exists(),
        label="issue",
    ),
]
