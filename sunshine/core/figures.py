"""The figures registry: every figure the platform reports, registered once.

A domain app registers each of its figures in ``AppConfig.ready()`` (usually from its
own ``figures.py``)::

    register_figure(
        key="petitions.closure_rate",
        label=_("Closure rate"),
        unit=Unit.PERCENT,
        numerator=_("cases closed with a reply"),
        denominator=_("cases accepted"),
        compute=closure_rate,  # (period, organization) -> FigureValue
    )

The dashboard, the public statistics, the annual summary, the evaluation indicators,
the API and ``manage.py figures`` read figures only through :func:`figure_value` and
:func:`figures_all`; no app computes a reported figure anywhere else.

A breakdown is a figure split by a dimension (letters by channel, each school's
colour, money planned and paid by month), registered the same way with
:func:`register_breakdown` and read through :func:`breakdown_value` and
:func:`breakdowns_all`; it is snapshotted with the figures and read "as of" a past
moment from the snapshots only (:func:`breakdowns_as_of`).

A figure is computed for a :class:`Period` (aware, Asia/Shanghai; start inclusive, end
exclusive) and an organisation: a bureau stands for everything in its tree, a school
or department for its own. A rate always carries its numerator and denominator, so it
is never shown without its parts; money is integer fen inside and yuan when shown.
"""

from __future__ import annotations

import calendar
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models.expressions import TemporalSubtraction
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

__all__ = [
    "REST_KEY",
    "Breakdown",
    "BreakdownResult",
    "BreakdownRow",
    "Chart",
    "Figure",
    "FigureResult",
    "FigureValue",
    "Period",
    "Series",
    "Unit",
    "breakdown_get",
    "breakdown_value",
    "breakdowns_all",
    "breakdowns_as_of",
    "breakdowns_registered",
    "breakdowns_snapshot",
    "figure_get",
    "figure_value",
    "figure_value_as_of",
    "figures_all",
    "figures_as_of",
    "figures_pass",
    "figures_registered",
    "figures_side_by_side",
    "figures_snapshot",
    "figures_snapshot_nightly",
    "number_display",
    "pass_shared",
    "register_breakdown",
    "register_figure",
    "snapshot_moments",
    "within",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
Number = int | float


class Unit(models.TextChoices):
    """The unit a figure is counted in. Money is integer fen inside and shown in yuan."""

    CASES = "cases", pgettext_lazy("unit", "cases")
    SCHOOLS = "schools", pgettext_lazy("unit", "schools")
    PERSONS = "persons", pgettext_lazy("unit", "persons")
    PEOPLE = "people", pgettext_lazy("unit", "people")  # heads (places, applicants), not person-times
    PERCENT = "percent", pgettext_lazy("unit", "%")
    YUAN = "yuan", pgettext_lazy("unit", "yuan")
    DAYS = "days", pgettext_lazy("unit", "days")
    POINTS = "points", pgettext_lazy("unit", "points")

    @property
    def scale(self) -> int:
        """How many stored units make one shown unit (fen per yuan)."""
        return 100 if self == Unit.YUAN else 1

    @property
    def places(self) -> int:
        """Decimal places a value of this unit is shown with."""
        return {Unit.CASES: 0, Unit.SCHOOLS: 0, Unit.PERSONS: 0, Unit.PEOPLE: 0, Unit.YUAN: 2}.get(self, 1)


# --- periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) in Asia/Shanghai, and the moment the figures are taken at
    (``as_of``): a deadline that has passed by then and was not met counts as missed."""

    start: datetime
    end: datetime
    as_of: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        if timezone.is_naive(self.start) or timezone.is_naive(self.end) or timezone.is_naive(self.as_of):
            raise ValueError("a period is made of aware datetimes")
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @staticmethod
    def _midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=SHANGHAI)

    @classmethod
    def between(cls, first: date, last: date, *, as_of: datetime | None = None) -> Period:
        """From the first day to the last day, both included."""
        if last < first:
            raise ValueError("the last day is before the first")
        return cls(cls._midnight(first), cls._midnight(last + timedelta(days=1)), as_of or timezone.now())

    @classmethod
    def year(cls, year: int, *, as_of: datetime | None = None) -> Period:
        return cls.between(date(year, 1, 1), date(year, 12, 31), as_of=as_of)

    @classmethod
    def quarter(cls, year: int, quarter: int, *, as_of: datetime | None = None) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("a quarter is 1 to 4")
        first = date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        return cls.between(first, date(year, last_month, calendar.monthrange(year, last_month)[1]), as_of=as_of)

    @classmethod
    def month(cls, year: int, month: int, *, as_of: datetime | None = None) -> Period:
        if not 1 <= month <= 12:
            raise ValueError("a month is 1 to 12")
        return cls.between(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), as_of=as_of)

    @classmethod
    def of(
        cls, year: int, *, quarter: int | None = None, month: int | None = None, as_of: datetime | None = None
    ) -> Period:
        """A year, or one quarter or one month of it (not both)."""
        if quarter is not None and month is not None:
            raise ValueError("a period is a quarter or a month, not both")
        if quarter is not None:
            return cls.quarter(year, quarter, as_of=as_of)
        if month is not None:
            return cls.month(year, month, as_of=as_of)
        return cls.year(year, as_of=as_of)

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start, SHANGHAI).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end, SHANGHAI).date() - timedelta(days=1)

    @property
    def as_of_day(self) -> date:
        return timezone.localtime(self.as_of, SHANGHAI).date()

    def __str__(self) -> str:
        return f"{self.first_day.isoformat()}–{self.last_day.isoformat()}"


def number_display(number: Number | None, unit: Unit, *, with_unit: bool = True) -> str:
    """A number as a person reads it in ``unit`` (already in yuan for money): grouped
    thousands, the unit's decimal places, its unit ("66.7%", "830.00元", "12件"); "—"
    when there is none. ``with_unit=False``: the number alone (a rate's parts)."""
    if number is None:
        return "—"
    places = unit.places if (with_unit or unit == Unit.YUAN) else (0 if float(number).is_integer() else unit.places)
    text = f"{number:,.{places}f}"
    if not with_unit:
        return text
    if unit == Unit.PERCENT:
        return f"{text}%"
    return gettext("%(number)s %(unit)s") % {"number": text, "unit": unit.label}


def within(organization: Any, field: str) -> models.Q:
    """Rows whose ``field`` (an organisation) lies in ``organization``'s tree: a bureau
    takes everything below it, a school or department itself."""
    return models.Q(**{f"{field}__path__startswith": organization.path})


# Asia/Shanghai has kept UTC+8 without summer time since 15 September 1991: a moment
# stored from then on (SQLite keeps UTC text) is a Shanghai day by adding eight hours.
_FIXED_SINCE = "1991-09-16 00:00:00"


class LocalDate(TruncDate):
    """The Asia/Shanghai day of a moment, computed in the database (``TruncDate`` in
    Shanghai). On SQLite, Django's own translation calls a Python function a row; this
    uses SQLite's ``date()`` eight hours on for every moment since Shanghai's last clock
    change, and Django's function before it — the same day, at C speed."""

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, tzinfo=SHANGHAI, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        moment, params = compiler.compile(self.lhs)
        fallback, fallback_params = self.as_sql(compiler, connection, **extra_context)
        sql = f"(CASE WHEN {moment} >= %s THEN date({moment}, '+8 hours') ELSE {fallback} END)"
        return sql, (*params, _FIXED_SINCE, *params, *fallback_params)


class Elapsed(models.Func):
    """``end - start`` of two moments as a duration, computed in the database. On SQLite,
    Django's subtraction calls a Python function a row; this counts the whole seconds
    with SQLite's ``strftime('%s')`` and adds the stored fractions (Django keeps a moment
    as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC; SQLite itself would round a fraction to
    milliseconds, so it is cut off first) — the same whole number of microseconds."""

    arity = 2
    output_field = models.DurationField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        end, start = self.get_source_expressions()
        sql, params = compiler.compile(TemporalSubtraction(end, start))
        return sql, tuple(params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        end, start = self.get_source_expressions()
        e, e_params = compiler.compile(end)
        s, s_params = compiler.compile(start)
        sql = (
            f"((CAST(strftime('%%s', substr({e}, 1, 19)) AS INTEGER)"
            f" - CAST(strftime('%%s', substr({s}, 1, 19)) AS INTEGER)) * 1000000"
            f" + CAST(substr({e}, 21) AS INTEGER) - CAST(substr({s}, 21) AS INTEGER))"
        )
        return sql, (*e_params, *s_params, *e_params, *s_params)


# --- values ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureValue:
    """What a figure's ``compute`` returns: the value with its numerator and denominator
    (a count is its own numerator and has no denominator). ``value`` is None when the
    denominator is zero — a rate of nothing is not 0 %."""

    value: Number | None
    numerator: Number | None = None
    denominator: Number | None = None

    @classmethod
    def count(cls, n: int) -> FigureValue:
        return cls(value=n, numerator=n)

    @classmethod
    def rate(cls, numerator: int, denominator: int) -> FigureValue:
        """A percentage to one decimal."""
        value = round(100.0 * numerator / denominator, 1) if denominator else None
        return cls(value=value, numerator=numerator, denominator=denominator)

    @classmethod
    def average(cls, total: Number, n: int, *, places: int = 1) -> FigureValue:
        """``total`` ÷ ``n`` (e.g. days to answer over cases answered)."""
        return cls(value=round(total / n, places) if n else None, numerator=round(total, places), denominator=n)


@dataclass(frozen=True)
class Figure:
    """One registered figure. ``numerator`` and ``denominator`` say in words what is
    counted (the denominator is empty for a plain count or amount)."""

    key: str
    label: str | Promise
    unit: Unit
    numerator: str | Promise
    compute: Callable[[Period, Any], FigureValue]
    denominator: str | Promise = ""
    order: int = 100
    # The URL name of the page listing the records behind the figure (optional); the
    # dashboard links each chart there, else to the module's workbench entry.
    drilldown: str = ""
    # Shown on the public statistics page and through the open-figures API.
    public: bool = True

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def definition(self) -> str:
        """The definition as a person reads it: "numerator ÷ denominator", or what is counted."""
        if not self.denominator:
            return str(self.numerator)
        return gettext("%(numerator)s ÷ %(denominator)s") % {
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


@dataclass(frozen=True)
class FigureResult:
    """A figure computed for a period and an organisation."""

    figure: Figure
    period: Period
    organization: Any
    measured: FigureValue
    # When the figure was read from a snapshot: the moment the snapshot was taken.
    snapshot_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def label(self) -> str:
        return str(self.figure.label)

    @property
    def unit(self) -> Unit:
        return self.figure.unit

    @property
    def definition(self) -> str:
        return self.figure.definition

    def _shown(self, number: Number | None) -> Number | None:
        """A stored number in the unit a person reads (fen → yuan)."""
        if number is None:
            return None
        scale = self.unit.scale
        if scale != 1:
            return float(Decimal(number) / scale)
        return number

    @property
    def value(self) -> Number | None:
        return self._shown(self.measured.value)

    @property
    def numerator(self) -> Number | None:
        return self._shown(self.measured.numerator) if self.figure.denominator else self.value

    @property
    def denominator(self) -> Number | None:
        return self.measured.denominator

    @property
    def display(self) -> str:
        """The value with its unit ("66.7%", "830.00元", "12件"); "—" when there is none."""
        return number_display(self.value, self.unit)

    @property
    def numerator_display(self) -> str:
        """The numerator as a person reads it: a rate's count alone ("1,204"), else in
        the figure's unit (money in yuan: "502,900.00元", days: "36.0天")."""
        rate = self.unit == Unit.PERCENT
        return number_display(self.numerator, self.unit, with_unit=not rate)

    @property
    def denominator_display(self) -> str:
        """The denominator, a count of what the figure is taken over ("1,250"); "—"."""
        return number_display(self.denominator, Unit.CASES, with_unit=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": str(self.unit.label),
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "definition": self.definition,
        }


# --- the registry ---------------------------------------------------------------------------------

_FIGURES: dict[str, Figure] = {}
_BREAKDOWNS: dict[str, Breakdown] = {}  # see "breakdowns" below


def register_figure(
    *,
    key: str,
    label: str | Promise,
    unit: Unit,
    numerator: str | Promise,
    compute: Callable[[Period, Any], FigureValue],
    denominator: str | Promise = "",
    order: int = 100,
    drilldown: str = "",
    public: bool = True,
) -> Figure:
    """Register a figure once; a second registration of the same key is refused (two
    definitions of one figure are what this registry exists to prevent)."""
    if "." not in key or key != key.strip():
        raise ImproperlyConfigured(f"a figure key is '<app>.<name>', not {key!r}")
    if key in _FIGURES or key in _BREAKDOWNS:
        raise ImproperlyConfigured(f"the figure {key!r} is already registered")
    if unit == Unit.PERCENT and not denominator:
        raise ImproperlyConfigured(f"the rate {key!r} needs its denominator in words")
    figure = Figure(
        key=key,
        label=label,
        unit=unit,
        numerator=numerator,
        denominator=denominator,
        compute=compute,
        order=order,
        drilldown=drilldown,
        public=public,
    )
    _FIGURES[key] = figure
    return figure


def figures_registered(prefix: str = "") -> list[Figure]:
    """Registered figures whose key starts with ``prefix``: apps in the order they
    registered (INSTALLED_APPS), each app's figures by their ``order``."""
    apps: dict[str, int] = {}
    for figure in _FIGURES.values():
        apps.setdefault(figure.app, len(apps))
    found = [f for key, f in _FIGURES.items() if key.startswith(prefix)]
    return sorted(found, key=lambda f: (apps[f.app], f.order, f.key))


def figure_get(key: str) -> Figure:
    try:
        return _FIGURES[key]
    except KeyError:
        raise KeyError(f"no figure {key!r} is registered") from None


def figure_value(key: str, *, period: Period, organization: Any, max_age: int = 0) -> FigureResult:
    """The figure ``key`` for ``period`` and ``organization`` (a bureau: its whole tree).

    ``max_age`` (seconds; a live figure on a public page): what was measured for the
    same period and organisation at most that long ago is read again from Django's
    cache instead of computed, so a page served again costs no query. The result's
    ``period.as_of`` is the moment it was measured."""
    figure = figure_get(key)
    if max_age <= 0:
        return FigureResult(
            figure=figure, period=period, organization=organization, measured=figure.compute(period, organization)
        )
    from django.core.cache import cache

    owner = getattr(organization, "pk", organization)
    kept_key = f"figures:live:{key}:{owner}:{period.start.isoformat()}:{period.end.isoformat()}"
    kept = cache.get(kept_key)
    if kept is not None:
        taken_at, values = kept
        if timedelta(0) <= period.as_of - taken_at <= timedelta(seconds=max_age):
            return FigureResult(
                figure=figure,
                period=Period(period.start, period.end, taken_at),
                organization=organization,
                measured=FigureValue(*values),
            )
    measured = figure.compute(period, organization)
    cache.set(kept_key, (period.as_of, (measured.value, measured.numerator, measured.denominator)), max_age)
    return FigureResult(figure=figure, period=period, organization=organization, measured=measured)


# One pass over the figures (``figures_all``, or a page reading several with
# ``figure_value`` inside ``figures_pass()``) may share what several figures of one app
# are computed from — one aggregate query instead of one per figure. What is shared
# lives only for the pass, so nothing measured before a change is read after it.
_PASS: ContextVar[dict[Any, Any] | None] = ContextVar("figures_pass", default=None)


@contextlib.contextmanager
def figures_pass() -> Iterator[None]:
    """Figures computed inside share what ``pass_shared`` keeps (nested: the outer pass)."""
    if _PASS.get() is not None:
        yield
        return
    token = _PASS.set({})
    try:
        yield
    finally:
        _PASS.reset(token)


def pass_shared[T](key: Any, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` for the rest of the current pass (computed
    afresh each time outside a pass). ``key`` must name everything the result depends
    on (the period with its ``as_of``, the organisation)."""
    shared = _PASS.get()
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]  # type: ignore[no-any-return]


# Threads that compute independent groups of figures at once (one database connection
# each): a bureau's cold dashboard is a dozen scans of different tables, and a
# database server — PostgreSQL, or SQLite in WAL mode — reads them side by side.
FIGURES_THREADS = int(os.environ.get("SUNSHINE_FIGURES_THREADS", str(min(4, os.cpu_count() or 1))))


def figures_side_by_side[K, T](keys: Sequence[K], compute: Callable[[K], T]) -> list[T]:
    """``[compute(k) for k in keys]``, the keys computed side by side in
    ``FIGURES_THREADS`` threads, each with its own database connection (closed when it
    is done) and the caller's language and time zone. Inside a transaction (a write
    underway, a test) one after the other on the caller's connection, which alone
    sees what the transaction wrote."""
    if len(keys) < 2 or FIGURES_THREADS < 2 or connection.in_atomic_block:
        return [compute(k) for k in keys]
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def one(key: K) -> T:
        try:
            with translation.override(language), timezone.override(zone):
                return compute(key)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=min(FIGURES_THREADS, len(keys)), thread_name_prefix="figures") as pool:
        return list(pool.map(one, keys))


def figures_all(*, period: Period, organization: Any, prefix: str = "") -> list[FigureResult]:
    """Every registered figure (or those whose key starts with ``prefix``)."""
    with figures_pass():
        return [
            FigureResult(figure=f, period=period, organization=organization, measured=f.compute(period, organization))
            for f in figures_registered(prefix)
        ]


# --- snapshots ------------------------------------------------------------------------------------
#
# A snapshot keeps what a figure measured for a period and an organisation at a moment
# (``FigureSnapshot``), so a chart or a document shown "as of" a past date reproduces
# exactly what it showed then, however the records changed since.


def figures_snapshot(
    *,
    period: Period,
    organization: Any,
    prefix: str = "",
    taken_at: datetime | None = None,
    with_breakdowns: bool = True,
) -> list[FigureResult]:
    """Compute every figure (or those under ``prefix``) for ``period`` and
    ``organization`` as at ``taken_at`` (default: the period's ``as_of``), keep them as
    snapshots and return them; the breakdowns under ``prefix`` are kept with them (see
    :func:`breakdowns_snapshot`). Taking the same moment twice keeps the first."""
    from sunshine.core.models import FigureSnapshot

    moment = taken_at or period.as_of
    measured_at = Period(period.start, period.end, moment)
    with figures_pass():
        results = figures_all(period=measured_at, organization=organization, prefix=prefix)
        if with_breakdowns:
            breakdowns_snapshot(period=period, organization=organization, prefix=prefix, taken_at=moment)
    FigureSnapshot.objects.bulk_create(
        [
            FigureSnapshot(
                key=r.key,
                organization=organization,
                period_start=period.start,
                period_end=period.end,
                taken_at=moment,
                value=r.measured.value,
                numerator=r.measured.numerator,
                denominator=r.measured.denominator,
            )
            for r in results
        ],
        ignore_conflicts=True,
    )
    return [
        FigureResult(
            figure=r.figure, period=r.period, organization=organization, measured=r.measured, snapshot_at=moment
        )
        for r in results
    ]


def figures_as_of(*, period: Period, organization: Any, as_of: datetime, prefix: str = "") -> list[FigureResult]:
    """The figures of ``period`` and ``organization`` as the latest snapshot taken at or
    before ``as_of`` recorded them; a figure with no such snapshot (or no longer
    registered) is left out. Nothing is recomputed."""
    from sunshine.core.models import FigureSnapshot

    wanted = {f.key: f for f in figures_registered(prefix)}
    rows = (
        FigureSnapshot.objects.filter(
            organization=organization,
            period_start=period.start,
            period_end=period.end,
            taken_at__lte=as_of,
            key__in=list(wanted),
        )
        .order_by("key", "-taken_at")
        .values("key", "taken_at", "value", "numerator", "denominator")
    )
    latest: dict[str, Any] = {}
    for found in rows:
        latest.setdefault(found["key"], found)
    results = []
    for key, figure in wanted.items():
        row = latest.get(key)
        if row is None:
            continue
        results.append(
            FigureResult(
                figure=figure,
                period=Period(period.start, period.end, row["taken_at"]),
                organization=organization,
                measured=FigureValue(row["value"], row["numerator"], row["denominator"]),
                snapshot_at=row["taken_at"],
            )
        )
    return results


def figure_value_as_of(key: str, *, period: Period, organization: Any, as_of: datetime) -> FigureResult | None:
    """One figure as the latest snapshot at or before ``as_of`` recorded it, or None."""
    if key not in _FIGURES:
        return None
    for result in figures_as_of(period=period, organization=organization, as_of=as_of, prefix=key):
        if result.key == key:
            return result
    return None


def snapshot_moments(now: datetime) -> list[Period]:
    """The periods the nightly job keeps: the year, the quarter and the month of ``now``
    (Asia/Shanghai), each taken at ``now``."""
    day = timezone.localtime(now, SHANGHAI).date()
    return [
        Period.year(day.year, as_of=now),
        Period.quarter(day.year, (day.month - 1) // 3 + 1, as_of=now),
        Period.month(day.year, day.month, as_of=now),
    ]


def figures_snapshot_nightly(*, now: datetime | None = None, organizations: Any = None) -> int:
    """Snapshot every figure for every active organisation: a bureau (for its tree) and
    each department for the current year, quarter and month; each school for the year
    (a city has thousands of schools; the year is what a school's page shows by
    default). Returns how many figure values were kept."""
    from django.apps import apps

    moment = now or timezone.now()
    if organizations is None:
        organizations = apps.get_model("orgs", "Organization").objects.filter(is_active=True).order_by("path")
    kept = 0
    for organization in organizations:
        periods = snapshot_moments(moment)
        if getattr(organization, "kind", "") == "school":
            periods = periods[:1]
        for period in periods:
            with figures_pass():
                kept += len(
                    figures_snapshot(period=period, organization=organization, taken_at=moment, with_breakdowns=False)
                )
                kept += len(breakdowns_snapshot(period=period, organization=organization, taken_at=moment))
    return kept


# --- breakdowns -----------------------------------------------------------------------------------
#
# A breakdown splits a figure by a dimension: letters received by channel, received and
# closed by school, each school's colour in the latest evaluation, money planned and
# paid by month. Its ``compute(period, organization)`` returns rows, each with one
# FigureValue per named series (one series: a plain split; two: e.g. planned and
# disbursed), in the order they are shown. Rows past ``top`` are summed into one row
# ("the other N"), so a city's 4,500 schools are never drawn nor kept one by one.
# Snapshots keep a breakdown as one FigureSnapshot row (its key, ``value`` holding the
# rows), so it is read "as of" a past moment with the figures of that moment.


class Chart(models.TextChoices):
    """How the dashboard draws a breakdown."""

    BARS = "bars", pgettext_lazy("chart", "bars")
    MONTHS = "months", pgettext_lazy("chart", "lines over months")
    TILES = "tiles", pgettext_lazy("chart", "coloured tiles")


@dataclass(frozen=True)
class Series:
    """One named value of every row (``name`` is code, ``label`` is read)."""

    name: str
    label: str | Promise


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown: what it stands for (``key``: a channel code, an
    organisation's id, ``2026-03``), what a person reads, one value per series; the
    organisation it stands for (the dashboard drills down to it), its colour (red,
    amber or green: ``core.clocks.Rag``) and any filters the drill-down page takes."""

    key: str
    label: str
    values: tuple[FigureValue, ...]
    organization: int | None = None
    colour: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @classmethod
    def counts(
        cls,
        key: Any,
        label: Any,
        *numbers: int,
        organization: int | None = None,
        colour: str = "",
        query: dict[str, str] | None = None,
    ) -> BreakdownRow:
        """A row of plain counts or amounts, one per series."""
        return cls(
            key=str(key),
            label=str(label),
            values=tuple(FigureValue.count(int(n or 0)) for n in numbers),
            organization=organization,
            colour=colour,
            query=dict(query or {}),
        )

    def stored(self) -> dict[str, Any]:
        """The row as JSON keeps it (a snapshot, the live cache)."""
        kept: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "values": [[v.value, v.numerator, v.denominator] for v in self.values],
        }
        if self.organization is not None:
            kept["org"] = self.organization
        if self.colour:
            kept["colour"] = self.colour
        if self.query:
            kept["query"] = self.query
        return kept

    @classmethod
    def from_stored(cls, kept: dict[str, Any]) -> BreakdownRow:
        return cls(
            key=str(kept["key"]),
            label=str(kept["label"]),
            values=tuple(FigureValue(*v) for v in kept["values"]),
            organization=kept.get("org"),
            colour=kept.get("colour", ""),
            query=dict(kept.get("query") or {}),
        )


REST_KEY = "_rest"
ADDED_UP = frozenset({Unit.CASES, Unit.SCHOOLS, Unit.PERSONS, Unit.PEOPLE, Unit.YUAN})


@dataclass(frozen=True)
class Breakdown:
    """One registered breakdown. ``dimension`` names in words what it is split by
    ("channel", "school"): the heading of its rows."""

    key: str
    label: str | Promise
    unit: Unit
    dimension: str | Promise
    compute: Callable[[Period, Any], list[BreakdownRow]]
    series: tuple[Series, ...]
    chart: Chart = Chart.BARS
    top: int = 0
    order: int = 100
    drilldown: str = ""
    public: bool = True
    # What is counted, in words (the public page and the API show it with the rows).
    definition: str | Promise = ""

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def explained(self) -> str:
        """The definition as a person reads it: the registered words, else what the
        series are and what they are split by."""
        if str(self.definition).strip():
            return str(self.definition)
        return gettext("%(series)s, by %(dimension)s") % {
            "series": "、".join(str(s.label) for s in self.series),
            "dimension": self.dimension,
        }

    def measured(self, period: Period, organization: Any) -> tuple[BreakdownRow, ...]:
        """``compute``, checked (one value per series) and cut to ``top`` rows."""
        rows = list(self.compute(period, organization))
        for row in rows:
            if len(row.values) != len(self.series):
                raise ValueError(f"a row of {self.key!r} has {len(row.values)} values for {len(self.series)} series")
        if self.top and len(rows) > self.top:
            rest = rows[self.top :]
            rows = [*rows[: self.top], self._rest(rest)]
        return tuple(rows)

    def _rest(self, rows: list[BreakdownRow]) -> BreakdownRow:
        """The rows past ``top``, summed into one."""
        values: list[FigureValue] = []
        for i in range(len(self.series)):
            parts = [r.values[i] for r in rows]
            numerator = sum((p.numerator or 0) for p in parts)
            if self.unit == Unit.PERCENT:
                values.append(FigureValue.rate(int(numerator), int(sum((p.denominator or 0) for p in parts))))
            elif self.unit in ADDED_UP:
                total: Number = sum((p.value or 0) for p in parts)
                values.append(FigureValue(value=total, numerator=total))
            else:  # scores or days of several rows do not add up
                values.append(FigureValue(None))
        label = gettext("The other %(count)s") % {"count": len(rows)}
        return BreakdownRow(key=REST_KEY, label=label, values=tuple(values))


@dataclass(frozen=True)
class BreakdownResult:
    """A breakdown computed (or read from a snapshot) for a period and an organisation."""

    breakdown: Breakdown
    period: Period
    organization: Any
    rows: tuple[BreakdownRow, ...]
    snapshot_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.breakdown.key

    @property
    def label(self) -> str:
        return str(self.breakdown.label)

    @property
    def unit(self) -> Unit:
        return self.breakdown.unit

    @property
    def dimension(self) -> str:
        return str(self.breakdown.dimension)

    @property
    def definition(self) -> str:
        return self.breakdown.explained

    @property
    def series(self) -> tuple[Series, ...]:
        return self.breakdown.series

    def shown(self, number: Number | None) -> Number | None:
        """A stored number in the unit a person reads (fen → yuan)."""
        if number is None or self.unit.scale == 1:
            return number
        return float(Decimal(number) / self.unit.scale)

    def display(self, value: FigureValue) -> str:
        """One value with its unit ("12件", "66.7%", "830.00元"); "—" when there is none."""
        return number_display(self.shown(value.value), self.unit)

    def values(self, series: int = 0) -> list[Number | None]:
        """The shown values of one series, row by row."""
        return [self.shown(r.values[series].value) for r in self.rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": str(self.unit.label),
            "dimension": self.dimension,
            "definition": self.definition,
            "series": [str(s.label) for s in self.series],
            "rows": [
                {
                    "label": r.label,
                    "values": [self.shown(v.value) for v in r.values],
                    "numerators": [v.numerator for v in r.values],
                    "denominators": [v.denominator for v in r.values],
                    **({"colour": r.colour} if r.colour else {}),
                }
                for r in self.rows
            ],
        }


def register_breakdown(
    *,
    key: str,
    label: str | Promise,
    unit: Unit,
    dimension: str | Promise,
    compute: Callable[[Period, Any], list[BreakdownRow]],
    series: tuple[Series, ...] | None = None,
    chart: Chart = Chart.BARS,
    top: int = 0,
    order: int = 100,
    drilldown: str = "",
    public: bool = True,
    definition: str | Promise = "",
) -> Breakdown:
    """Register a breakdown once (its key shares the figures' names: no breakdown and
    figure have one key). ``series`` defaults to one series named ``value`` read as the
    label; ``top`` (0: no limit) keeps that many rows and sums the rest into one;
    ``definition`` says in words what is counted (public page, API, downloads)."""
    if "." not in key or key != key.strip() or not key.split(".", 1)[1]:
        raise ImproperlyConfigured(f"a breakdown key is '<app>.<name>', not {key!r}")
    if key in _BREAKDOWNS or key in _FIGURES:
        raise ImproperlyConfigured(f"the breakdown {key!r} is already registered")
    if not isinstance(unit, Unit):
        raise ImproperlyConfigured(f"the breakdown {key!r} needs a Unit")
    if not isinstance(chart, Chart):
        raise ImproperlyConfigured(f"the breakdown {key!r} is drawn as one of {Chart.values}")
    if not str(dimension).strip():
        raise ImproperlyConfigured(f"the breakdown {key!r} needs its dimension in words")
    series = series if series is not None else (Series("value", label),)
    names = [s.name for s in series]
    if not series or len(set(names)) != len(names) or not all(n.strip() for n in names):
        raise ImproperlyConfigured(f"the breakdown {key!r} needs one or more series with distinct names")
    if top < 0:
        raise ImproperlyConfigured(f"the breakdown {key!r} keeps a positive number of rows (or 0: all)")
    breakdown = Breakdown(
        key=key,
        label=label,
        unit=unit,
        dimension=dimension,
        compute=compute,
        series=tuple(series),
        chart=chart,
        top=top,
        order=order,
        drilldown=drilldown,
        public=public,
        definition=definition,
    )
    _BREAKDOWNS[key] = breakdown
    return breakdown


def breakdowns_registered(prefix: str = "") -> list[Breakdown]:
    """Registered breakdowns under ``prefix``, in the order their apps registered
    (INSTALLED_APPS), each app's by ``order``."""
    apps: dict[str, int] = {}
    for breakdown in _BREAKDOWNS.values():
        apps.setdefault(breakdown.app, len(apps))
    found = [b for key, b in _BREAKDOWNS.items() if key.startswith(prefix)]
    return sorted(found, key=lambda b: (apps[b.app], b.order, b.key))


def breakdown_get(key: str) -> Breakdown:
    try:
        return _BREAKDOWNS[key]
    except KeyError:
        raise KeyError(f"no breakdown {key!r} is registered") from None


def breakdown_value(key: str, *, period: Period, organization: Any) -> BreakdownResult:
    """The breakdown ``key`` for ``period`` and ``organization`` (a bureau: its tree)."""
    breakdown = breakdown_get(key)
    return BreakdownResult(
        breakdown=breakdown,
        period=period,
        organization=organization,
        rows=breakdown.measured(period, organization),
    )


def breakdowns_all(*, period: Period, organization: Any, prefix: str = "") -> list[BreakdownResult]:
    """Every registered breakdown (or those under ``prefix``), in one figures pass."""
    with figures_pass():
        return [
            BreakdownResult(
                breakdown=b, period=period, organization=organization, rows=b.measured(period, organization)
            )
            for b in breakdowns_registered(prefix)
        ]


def breakdowns_snapshot(
    *, period: Period, organization: Any, prefix: str = "", taken_at: datetime | None = None
) -> list[BreakdownResult]:
    """Compute every breakdown under ``prefix`` as at ``taken_at`` (default: the
    period's ``as_of``) and keep it as a snapshot; the same moment twice keeps the first."""
    from sunshine.core.models import FigureSnapshot

    moment = taken_at or period.as_of
    measured_at = Period(period.start, period.end, moment)
    results = breakdowns_all(period=measured_at, organization=organization, prefix=prefix)
    FigureSnapshot.objects.bulk_create(
        [
            FigureSnapshot(
                key=r.key,
                organization=organization,
                period_start=period.start,
                period_end=period.end,
                taken_at=moment,
                value=[row.stored() for row in r.rows],
            )
            for r in results
        ],
        ignore_conflicts=True,
    )
    return [
        BreakdownResult(
            breakdown=r.breakdown, period=r.period, organization=organization, rows=r.rows, snapshot_at=moment
        )
        for r in results
    ]


def breakdowns_as_of(*, period: Period, organization: Any, as_of: datetime, prefix: str = "") -> list[BreakdownResult]:
    """The breakdowns under ``prefix`` as the latest snapshot at or before ``as_of``
    kept them; one with no such snapshot is left out. Nothing is recomputed."""
    from sunshine.core.models import FigureSnapshot

    wanted = {b.key: b for b in breakdowns_registered(prefix)}
    if not wanted:
        return []
    rows = FigureSnapshot.objects.filter(
        organization=organization,
        period_start=period.start,
        period_end=period.end,
        taken_at__lte=as_of,
        key__in=list(wanted),
    ).order_by("key", "-taken_at")
    if _distinct_on():
        rows = rows.distinct("key")
    latest: dict[str, Any] = {}
    for found in rows.values("key", "taken_at", "value"):
        latest.setdefault(found["key"], found)
    results = []
    for key, breakdown in wanted.items():
        row = latest.get(key)
        if row is None or not isinstance(row["value"], list):
            continue
        results.append(
            BreakdownResult(
                breakdown=breakdown,
                period=Period(period.start, period.end, row["taken_at"]),
                organization=organization,
                rows=tuple(BreakdownRow.from_stored(kept) for kept in row["value"]),
                snapshot_at=row["taken_at"],
            )
        )
    return results


def _distinct_on() -> bool:
    """PostgreSQL reads only the latest snapshot of each key (a breakdown's rows are
    large; older ones are not fetched); elsewhere the first row of each key is kept."""
    from django.db import connection

    return bool(connection.features.can_distinct_on_fields)


def _unregister(key: str) -> None:
    """Tests only: take a figure or a breakdown a test registered off the registry again."""
    _FIGURES.pop(key, None)
    _BREAKDOWNS.pop(key, None)
