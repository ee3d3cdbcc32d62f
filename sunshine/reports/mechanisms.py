"""The dashboard's sections: one per mechanism, found by the registry key's prefix
(``petitions.closure_rate`` → petitions). A module whose figures are not registered
has no section; a prefix not listed here is shown after these with its app's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import (
    FigureResult,
    FigureValue,
    Period,
    figures_all,
    figures_as_of,
    figures_registered,
)
from sunshine.core.registry import workbench_entry_for

MECHANISMS: tuple[tuple[str, str | Promise], ...] = (
    ("petitions", _("Letters and visits")),
    ("fees", _("School fees")),
    ("disclosure", _("Government information disclosure")),
    ("opinion", _("Public opinion")),
    ("oversight", _("Oversight and rectification")),
    ("funds", _("Education funds")),
    ("enrollment", _("Enrollment")),
    ("decisions", _("Collective decisions")),
)
SKIPPED = frozenset({"reports", "testing"})


def mechanism_prefixes() -> list[tuple[str, str]]:
    """(prefix, name) of every mechanism with registered figures, in the dashboard's order."""
    present: list[str] = []
    for figure in figures_registered():
        if figure.app not in present and figure.app not in SKIPPED:
            present.append(figure.app)
    known = dict(MECHANISMS)
    ordered = [(p, str(n)) for p, n in MECHANISMS if p in present]
    for prefix in present:
        if prefix not in known:
            try:
                name = str(apps.get_app_config(prefix).verbose_name)
            except LookupError:
                name = prefix
            ordered.append((prefix, name))
    return ordered


def drilldown_url(result: FigureResult, organization: Any, period: Period, user: Any = None) -> str:
    """Where the records behind a figure are listed: the figure's own drill-down page,
    else its module's workbench; with the organisation and the period as a query. For a
    ``user``, only a page their menu offers them (no link that would turn them away)."""
    entry = workbench_entry_for(result.figure.app)
    if user is not None and entry is not None and entry.visible is not None and not entry.visible(user):
        return ""
    names = [result.figure.drilldown] if result.figure.drilldown else []
    if entry is not None:
        names.append(entry.url_name)
    for name in names:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        query = {"org": organization.pk, "from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
        return f"{url}?{urlencode(query)}"
    return ""


LIVE_SECONDS = 300  # a live chart is computed at most once in five minutes


def _live(*, period: Period, organization: Any, prefix: str) -> list[FigureResult]:
    """The figures under ``prefix`` as they are now; computed once per five minutes for
    an organisation and period (a leader's page served again costs nothing)."""
    key = f"reports:live:{prefix}:{organization.pk}:{period.start.isoformat()}:{period.end.isoformat()}"
    kept = cache.get(key)
    if kept is not None:
        taken_at, values = kept
        found = {f.key: f for f in figures_registered(f"{prefix}.")}
        if set(values) == set(found):
            measured_at = Period(period.start, period.end, taken_at)
            return [
                FigureResult(figure=found[k], period=measured_at, organization=organization, measured=FigureValue(*v))
                for k, v in values.items()
            ]
    results = figures_all(period=period, organization=organization, prefix=f"{prefix}.")
    values = {r.key: (r.measured.value, r.measured.numerator, r.measured.denominator) for r in results}
    cache.set(key, (period.as_of, values), LIVE_SECONDS)
    return results


@dataclass
class Section:
    prefix: str
    name: str
    results: list[FigureResult] = field(default_factory=list)
    drilldown: str = ""

    def chart(self) -> dict[str, Any]:
        """What the chart script draws (no markup, no code): each figure with its unit;
        figures of one unit share a scale (rates out of 100), counts are never drawn
        against sums of money."""
        return {
            "id": self.prefix,
            "title": self.name,
            "labels": [r.label for r in self.results],
            "values": [r.value for r in self.results],
            "units": [str(r.unit.label) for r in self.results],
            "scales": [r.unit.value for r in self.results],
        }


def sections_for(
    *, period: Period, organization: Any, as_of: Any = None, only: str = "", user: Any = None
) -> list[Section]:
    """The dashboard's sections for ``organization`` and ``period``: live, or as the
    snapshots taken by ``as_of`` recorded them. A mechanism with no figures (not
    installed, or no snapshot yet) has no section."""
    sections = []
    for prefix, name in mechanism_prefixes():
        if only and prefix != only:
            continue
        if as_of is not None:
            results = figures_as_of(period=period, organization=organization, as_of=as_of, prefix=f"{prefix}.")
        else:
            results = _live(period=period, organization=organization, prefix=prefix)
        if not results:
            continue
        sections.append(
            Section(
                prefix=prefix,
                name=name,
                results=results,
                drilldown=drilldown_url(results[0], organization, period, user),
            )
        )
    return sections
