"""Reads for the pages of funds: rows of schedule against actual and the chart drawn
from them (an inline SVG made on the server: no script)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sunshine.funds.lag import Lag, lags_at
from sunshine.funds.models import Allocation


@dataclass(frozen=True)
class ChartRow:
    label: str
    schedule_pct: float
    actual_pct: float
    allocation: Allocation | None = None
    lag: Lag | None = None

    @property
    def lag_pp(self) -> float:
        return round(self.schedule_pct - self.actual_pct, 1)


def rows_for(allocations: QuerySet[Allocation], on: date, *, label: str = "recipient") -> list[ChartRow]:
    items = {a.pk: a for a in allocations.select_related("fund", "organization")}
    lags = lags_at(allocations, on)
    rows = []
    for lag in lags:
        a = items[lag.allocation_id]
        if label == "fund":
            text = a.fund.name + (f"（{a.title}）" if a.title else "")
        else:
            text = a.title or a.organization.name
        rows.append(ChartRow(text, lag.schedule_pct, lag.actual_pct, a, lag))
    rows.sort(key=lambda r: r.label)
    return rows


BAR = 18
GAP = 10
LEFT = 190
WIDTH = 620


def chart_svg(rows: list[ChartRow], *, title: str) -> SafeString:
    """Horizontal bars of the actual share, each with a mark at the time schedule."""
    scale = (WIDTH - LEFT - 60) / 100
    height = 30 + len(rows) * (BAR + GAP) + 20
    bars = []
    for i, row in enumerate(rows):
        y = 30 + i * (BAR + GAP)
        actual = max(0.0, min(row.actual_pct, 100.0))
        schedule = max(0.0, min(row.schedule_pct, 100.0))
        behind = row.schedule_pct - row.actual_pct > 0.05
        bars.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="funds-chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="funds-chart-track"/>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="funds-chart-schedule"/>'
                '<text x="{}" y="{}" class="funds-chart-value">{}%</text>',
                LEFT - 8,
                y + BAR - 4,
                row.label[:14],
                LEFT,
                y,
                f"{100 * scale:.1f}",
                BAR,
                LEFT,
                y,
                f"{actual * scale:.1f}",
                BAR,
                "funds-chart-actual behind" if behind else "funds-chart-actual",
                f"{LEFT + schedule * scale:.1f}",
                f"{LEFT + schedule * scale:.1f}",
                y - 3,
                y + BAR + 3,
                f"{LEFT + 100 * scale + 6:.1f}",
                y + BAR - 4,
                f"{row.actual_pct:.1f}",
            )
        )
    legend = format_html(
        '<rect x="{}" y="6" width="14" height="10" class="funds-chart-actual"/>'
        '<text x="{}" y="15" class="funds-chart-legend">{}</text>'
        '<line x1="{}" x2="{}" y1="4" y2="18" class="funds-chart-schedule"/>'
        '<text x="{}" y="15" class="funds-chart-legend">{}</text>',
        LEFT,
        LEFT + 18,
        _("arrived"),
        LEFT + 90,
        LEFT + 90,
        LEFT + 96,
        _("time schedule"),
    )
    return format_html(
        '<svg class="funds-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>',
        title,
        WIDTH,
        height,
        title,
        legend,
        format_html_join("", "{}", ((b,) for b in bars)),
    )
