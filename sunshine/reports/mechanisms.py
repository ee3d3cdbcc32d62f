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

from sunshine.core.clocks import Rag
from sunshine.core.figures import (
    REST_KEY,
    BreakdownResult,
    BreakdownRow,
    FigureResult,
    FigureValue,
    Period,
    breakdowns_all,
    breakdowns_as_of,
    breakdowns_registered,
    figures_all,
    figures_as_of,
    figures_pass,
    figures_registered,
    figures_side_by_side,
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
    return records_url(result.figure.app, result.figure.drilldown, organization.pk, period, user)


def records_url(
    app: str, drilldown: str, organization_pk: Any, period: Period, user: Any = None, extra: Any = None
) -> str:
    """The page listing the records of ``app`` (``drilldown``, else the module's
    workbench) for an organisation and a period, with ``extra`` filters; "" when the
    user's menu does not offer it."""
    entry = workbench_entry_for(app)
    if user is not None and entry is not None and entry.visible is not None and not entry.visible(user):
        return ""
    names = [drilldown] if drilldown else []
    if entry is not None:
        names.append(entry.url_name)
    for name in names:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        query = {"org": organization_pk, "from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
        query.update(extra or {})
        return f"{url}?{urlencode(query)}"
    return ""


LIVE_SECONDS = 300  # a live chart is computed at most once in five minutes


def _live(*, period: Period, organization: Any, prefix: str) -> tuple[list[FigureResult], list[BreakdownResult]]:
    """The figures and breakdowns under ``prefix`` as they are now; computed once per
    five minutes for an organisation and period (a leader's page served again costs
    nothing)."""
    key = f"reports:live:{prefix}:{organization.pk}:{period.start.isoformat()}:{period.end.isoformat()}"
    kept = cache.get(key)
    if kept is not None and len(kept) == 3:
        taken_at, values, split = kept
        found = {f.key: f for f in figures_registered(f"{prefix}.")}
        splits = {b.key: b for b in breakdowns_registered(f"{prefix}.")}
        if set(values) == set(found) and set(split) == set(splits):
            measured_at = Period(period.start, period.end, taken_at)
            return (
                [
                    FigureResult(
                        figure=found[k], period=measured_at, organization=organization, measured=FigureValue(*v)
                    )
                    for k, v in values.items()
                ],
                [
                    BreakdownResult(
                        breakdown=splits[k],
                        period=measured_at,
                        organization=organization,
                        rows=tuple(BreakdownRow.from_stored(r) for r in rows),
                    )
                    for k, rows in split.items()
                ],
            )
    with figures_pass():
        results = figures_all(period=period, organization=organization, prefix=f"{prefix}.")
        breakdowns = breakdowns_all(period=period, organization=organization, prefix=f"{prefix}.")
    values = {r.key: (r.measured.value, r.measured.numerator, r.measured.denominator) for r in results}
    split = {b.key: [row.stored() for row in b.rows] for b in breakdowns}
    cache.set(key, (period.as_of, values, split), LIVE_SECONDS)
    return results, breakdowns


@dataclass
class BreakdownLine:
    """One row of a breakdown's table: its cells (a value per series, with unit), its
    colour in words, where its records are listed."""

    row: BreakdownRow
    cells: list[tuple[str, str]]  # (the series' name, the value with its unit)
    colour: str = ""
    colour_label: str = ""
    link: str = ""


@dataclass
class BreakdownView:
    """A breakdown as the dashboard shows it: a chart, a table, a download."""

    result: BreakdownResult
    lines: list[BreakdownLine] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.result.key

    @property
    def slug(self) -> str:
        return self.result.key.replace(".", "-").replace("_", "-")

    @property
    def kind(self) -> str:
        return str(self.result.breakdown.chart)

    @property
    def colour_counts(self) -> list[tuple[str, str, int]]:
        """(colour, word, how many rows) for a map of coloured tiles."""
        counts = dict.fromkeys(Rag.values, 0)
        for line in self.lines:
            if line.colour in counts:
                counts[line.colour] += 1
        return [(rag, str(Rag(rag).label), counts[rag]) for rag in reversed(Rag.values)]

    def chart(self) -> dict[str, Any]:
        """What the chart script draws: one list of values per series, row by row."""
        result = self.result
        return {
            "id": self.slug,
            "kind": self.kind,
            "title": result.label,
            "unit": str(result.unit.label),
            "scale": result.unit.value,
            "series": [str(s.label) for s in result.series],
            "labels": [r.label for r in result.rows],
            "values": [result.values(i) for i in range(len(result.series))],
            "colours": [r.colour for r in result.rows],
        }


def breakdown_view(
    result: BreakdownResult, organization: Any, period: Period, user: Any = None, *, links: bool = True
) -> BreakdownView:
    """The breakdown's rows with their cells and links: a row standing for an
    organisation or carrying filters links to the records (where the menu offers them;
    ``links=False``: none, as on the public page, whose readers have no workbench)."""
    lines = []
    breakdown = result.breakdown
    for row in result.rows:
        link = ""
        if links and row.key != REST_KEY and (row.organization is not None or row.query):
            pk = row.organization if row.organization is not None else organization.pk
            link = records_url(breakdown.app, breakdown.drilldown, pk, period, user, row.query)
        lines.append(
            BreakdownLine(
                row=row,
                cells=[(str(s.label), result.display(v)) for s, v in zip(result.series, row.values, strict=True)],
                colour=row.colour if row.colour in Rag.values else "",
                colour_label=str(Rag(row.colour).label) if row.colour in Rag.values else "",
                link=link,
            )
        )
    return BreakdownView(result=result, lines=lines)


@dataclass
class Section:
    prefix: str
    name: str
    results: list[FigureResult] = field(default_factory=list)
    drilldown: str = ""
    breakdowns: list[BreakdownView] = field(default_factory=list)

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
    wanted = [(prefix, name) for prefix, name in mechanism_prefixes() if not only or prefix == only]

    def measured(prefix: str) -> tuple[list[FigureResult], list[BreakdownResult]]:
        if as_of is not None:
            return (
                figures_as_of(period=period, organization=organization, as_of=as_of, prefix=f"{prefix}."),
                breakdowns_as_of(period=period, organization=organization, as_of=as_of, prefix=f"{prefix}."),
            )
        return _live(period=period, organization=organization, prefix=prefix)

    # Live, each mechanism's figures are computed side by side with the others'; snapshots
    # are a read each, not worth a thread and a connection.
    prefixes = [prefix for prefix, _name in wanted]
    every = figures_side_by_side(prefixes, measured) if as_of is None else [measured(p) for p in prefixes]
    sections = []
    for (prefix, name), (results, breakdowns) in zip(wanted, every, strict=True):
        if not results:
            continue
        sections.append(
            Section(
                prefix=prefix,
                name=name,
                results=results,
                drilldown=drilldown_url(results[0], organization, period, user),
                breakdowns=[breakdown_view(b, organization, period, user) for b in breakdowns],
            )
        )
    return sections
