"""The evaluation's indicators: the standard catalogue (the names of the LOCAL table
OVS-2-weights and where each is fed from), a period's figures read for every school,
and the points an indicator gives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sunshine.core.figures import Period, figure_value
from sunshine.orgs.models import Organization
from sunshine.oversight.figures import MEASURES
from sunshine.oversight.models import Indicator

# name (as in OVS-2-weights) → (source: a figure key or "manual", method, points per case)
STANDARD_INDICATORS: dict[str, tuple[str, str, int]] = {
    "信访举报": ("petitions.received", Indicator.Method.DEDUCT, 2),
    "规范收费": ("fees.findings_confirmed", Indicator.Method.DEDUCT, 10),
    "校务公开": ("disclosure.inspection_average", Indicator.Method.RATE, 0),
    "整改落实": ("oversight.rectification_on_time_rate", Indicator.Method.RATE, 0),
    "文件学习": ("oversight.circular_completion_rate", Indicator.Method.RATE, 0),
    "监督检查": ("oversight.findings", Indicator.Method.DEDUCT, 5),
    "师德师风": (Indicator.MANUAL, Indicator.Method.RATE, 0),
}

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


def period_of(name: str) -> Period:
    """``2026`` → the year, ``2026-Q3`` → the quarter."""
    match = _PERIOD.match(name or "")
    if not match:
        raise ValidationError(_("A period is a year (2026) or a quarter (2026-Q3)."))
    year, quarter = int(match.group(1)), match.group(2)
    return Period.quarter(year, int(quarter)) if quarter else Period.year(year)


def collect_raw(source: str, *, period: Period, bureau: Any, school_ids: Sequence[int]) -> dict[int, Decimal]:
    """The figure ``source`` for every school of ``bureau``: oversight's own in one grouped
    query each, any other through the registry school by school. A rate of nothing is
    left out (no value: the indicator gives full points, nothing having been due)."""
    if source in MEASURES:
        found = MEASURES[source].bulk(period, bureau, school_ids)
    else:
        found = {}
        for school in Organization.objects.filter(pk__in=school_ids):
            value = figure_value(source, period=period, organization=school).value
            found[school.pk] = None if value is None else Decimal(str(value))
    return {pk: value for pk, value in found.items() if value is not None}


def hundredths(value: Decimal | float | None) -> int | None:
    """A raw value in hundredths (the scores keep two places), rounded half up."""
    if value is None:
        return None
    if isinstance(value, float):
        return int(Decimal(repr(value)).scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


@cache
def shown(h: int | None) -> str | None:
    """Hundredths as the two-place number a reader recomputes with."""
    if h is None:
        return None
    sign = "-" if h < 0 else ""
    return f"{sign}{abs(h) // 100}.{abs(h) % 100:02d}"
