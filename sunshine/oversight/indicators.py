"""The evaluation's indicators: the standard catalogue (the names of the LOCAL table
OVS-2-weights and where each is fed from), a period's figures read for every school,
and the points an indicator gives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sunshine.core.figures import Period, figure_value
from sunshine.oversight.figures import MEASURES
from sunshine.oversight.models import Indicator

# name (as in OVS-2-weights) → (source: a figure key or "manual", method, points per case)
STANDARD_INDICATORS: dict[str, tuple[str, str, int]] = {
    "信访举报": ("petitions.received", Indicator.Method.DEDUCT, 5),
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


def collect_raw(source: str, *, period: Period, schools: Sequence[Any]) -> dict[int, Decimal]:
    """The figure ``source`` for every school: oversight's own in one grouped query each,
    any other through the registry school by school. A rate of nothing is left out
    (no value: the indicator gives full points, nothing having been due)."""
    ids = [s.pk for s in schools]
    if source in MEASURES:
        found = MEASURES[source].bulk(period, ids)
    else:
        found = {}
        for school in schools:
            value = figure_value(source, period=period, organization=school).value
            found[school.pk] = None if value is None else Decimal(str(value))
    return {pk: value for pk, value in found.items() if value is not None}


def points_for(method: str, *, weight: int, per_unit: Decimal, raw: Decimal | None) -> Decimal:
    """The points of one indicator. A rate or score with no value (nothing was due or no
    inspection took place) gives full points; a count with no value counts nothing."""
    w = Decimal(weight)
    if method == Indicator.Method.DEDUCT:
        return max(Decimal(0), w - (raw or 0) * per_unit).quantize(Decimal("0.01"))
    if raw is None:
        return w.quantize(Decimal("0.01"))
    return (w * min(max(raw, Decimal(0)), Decimal(100)) / 100).quantize(Decimal("0.01"))
