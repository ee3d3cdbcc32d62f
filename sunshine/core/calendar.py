"""The official working-day calendar (CAL-1) and the counting of days (CAL-2).

CAL-1: a day is a working day on the official Chinese calendar: Monday to Friday,
except statutory holidays, plus the make-up working days (调休) that fall on a
weekend. The data comes from, in order:

1. a :class:`~sunshine.core.models.CalendarDay` entered by the admin for that date
   (it overrides the package);
2. the ``chinese-calendar`` package, for the years it covers (it raises
   ``NotImplementedError`` outside them);
3. nothing: the weekdays alone (Monday to Friday are working days). A year is
   "without data" when the package does not cover it and no
   :class:`~sunshine.core.models.CalendarYear` row exists for it; a deadline
   computed across such a year is *provisional* (see :func:`is_provisional`).

CAL-2 (民法典 Art. 201, 203): the day of the triggering event is not counted; a
period counts from the next day. When the last day of a calendar-day period is a rest
day (weekend or statutory holiday, but not a make-up working day), the period ends
on the first working day after it. Deadlines are computed by rule ID in
``sunshine.core.clocks``; apps call that, not this module.

Lookups are cached per year and per process: one year costs two queries, after which
every question about that year is a set lookup. The cache is dropped on every save or
delete of a ``CalendarDay`` / ``CalendarYear`` in this process (signals), after a bulk
import (:func:`calendar_year_import`), and in any case after ``CACHE_TTL_SECONDS`` so
that other worker processes pick up an admin's change. Call :func:`calendar_cache_clear`
where data changes without signals (tests that roll back their transaction).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.core.models import CalendarDay, CalendarYear

__all__ = [
    "CACHE_TTL_SECONDS",
    "CalendarDayRow",
    "add_calendar_days",
    "add_working_days",
    "calendar_cache_clear",
    "calendar_year_import",
    "has_data",
    "is_provisional",
    "is_rest_day",
    "is_working_day",
    "next_working_day",
    "working_day_on_or_after",
    "working_days_between",
]

CACHE_TTL_SECONDS = 300.0
_ONE_DAY = timedelta(days=1)

Paused = Sequence[tuple[date, date]]


@dataclass(frozen=True, slots=True)
class _Year:
    working: frozenset[date]
    has_data: bool
    loaded_at: float


_cache: dict[int, _Year] = {}
_cache_lock = threading.Lock()


def calendar_cache_clear(**_kwargs: Any) -> None:
    """Forget every cached year (also the receiver of the model signals)."""
    with _cache_lock:
        _cache.clear()


for _model in (CalendarDay, CalendarYear):
    post_save.connect(calendar_cache_clear, sender=_model, dispatch_uid=f"core.calendar.cache.save.{_model.__name__}")
    post_delete.connect(
        calendar_cache_clear, sender=_model, dispatch_uid=f"core.calendar.cache.delete.{_model.__name__}"
    )


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _load_year(year: int) -> _Year:
    """CAL-1: the working days of ``year``, from admin data, the package or weekdays."""
    overrides = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    entered = CalendarYear.objects.filter(year=year).exists()
    package = _package_covers(year)
    working: set[date] = set()
    day = date(year, 1, 1)
    while day.year == year:
        kind = overrides.get(day)
        if kind is not None:
            is_working = kind == CalendarDay.Kind.MAKEUP_WORKDAY
        elif package:
            is_working = chinese_calendar.is_workday(day)
        else:
            is_working = day.weekday() < 5
        if is_working:
            working.add(day)
        if day == date.max:
            break
        day += _ONE_DAY
    return _Year(working=frozenset(working), has_data=package or entered, loaded_at=time.monotonic())


def _year(year: int) -> _Year:
    cached = _cache.get(year)
    if cached is not None and time.monotonic() - cached.loaded_at < CACHE_TTL_SECONDS:
        return cached
    loaded = _load_year(year)
    with _cache_lock:
        _cache[year] = loaded
    return loaded


def _check_date(d: date) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")


def _check_paused(paused: Paused) -> None:
    for first, last in paused:
        _check_date(first)
        _check_date(last)
        if last < first:
            raise ValueError(_("A paused interval ends before it starts."))


def _in_paused(d: date, paused: Paused) -> bool:
    return any(first <= d <= last for first, last in paused)


def is_working_day(d: date) -> bool:
    """CAL-1: True on an official working day (weekdays, minus holidays, plus 调休)."""
    _check_date(d)
    return d in _year(d.year).working


def is_rest_day(d: date) -> bool:
    """CAL-1/CAL-2: a weekend day or statutory holiday that is not a make-up working day."""
    return not is_working_day(d)


def has_data(year: int) -> bool:
    """CAL-1: True when ``year`` is covered by the package or the admin entered its notice."""
    return _year(year).has_data


def is_provisional(first: date, last: date) -> bool:
    """CAL-1: True when any year from ``first`` to ``last`` (either order) has no data."""
    low, high = sorted((first.year, last.year))
    return any(not has_data(year) for year in range(low, high + 1))


def next_working_day(d: date) -> date:
    """The first working day strictly after ``d``."""
    _check_date(d)
    d += _ONE_DAY
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def working_day_on_or_after(d: date) -> date:
    """CAL-2 roll-forward: ``d`` itself if it is a working day, else the next one."""
    return d if is_working_day(d) else next_working_day(d)


def add_working_days(start: date, n: int, *, paused: Paused = ()) -> date:
    """CAL-2: the ``n``-th working day after ``start``; ``start`` itself is not counted.

    Working days inside a ``paused`` interval (inclusive dates) are not counted. With
    ``n == 0`` the answer is ``start``.
    """
    _check_date(start)
    _check_paused(paused)
    if n < 0:
        raise ValueError(_("A number of days cannot be negative."))
    d = start
    counted = 0
    while counted < n:
        d += _ONE_DAY
        if is_working_day(d) and not _in_paused(d, paused):
            counted += 1
    return d


def add_calendar_days(start: date, n: int, *, paused: Paused = ()) -> date:
    """CAL-2: the last day of an ``n``-calendar-day period triggered on ``start``.

    The period counts from the day after ``start``; days inside a ``paused`` interval
    (inclusive dates) are not counted, so each paused day extends the period by one
    day. When the last day is a rest day it moves to the first working day after it;
    a make-up working day (调休) is a working day and stays.
    """
    _check_date(start)
    _check_paused(paused)
    if n < 0:
        raise ValueError(_("A number of days cannot be negative."))
    d = start
    counted = 0
    while counted < n:
        d += _ONE_DAY
        if not _in_paused(d, paused):
            counted += 1
    return working_day_on_or_after(d) if n > 0 else d


def working_days_between(a: date, b: date) -> int:
    """CAL-2: the number of working days in ``(a, b]`` (``a`` is not counted).

    Negative when ``b`` is before ``a``: ``working_days_between(b, a) * -1``.
    """
    _check_date(a)
    _check_date(b)
    if b < a:
        return -working_days_between(b, a)
    count = 0
    d = a
    while d < b:
        d += _ONE_DAY
        if is_working_day(d):
            count += 1
    return count


# --- Writes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarDayRow:
    """One parsed row of a holiday notice import; ``line`` names it in error messages."""

    line: int
    date: date
    kind: str
    name: str


@transaction.atomic
def calendar_year_import(
    *,
    actor: Any,
    year: int,
    document_number: str,
    rows: Iterable[CalendarDayRow],
    published_on: date | None = None,
    replace: bool = False,
) -> CalendarYear:
    """CAL-1: record a State Council holiday notice for ``year``, all or nothing.

    Writes one :class:`CalendarYear` and a :class:`CalendarDay` per row. Raises
    ``ValidationError`` listing every bad row by its line number. A year already
    entered (or with days already entered) is refused unless ``replace`` is true,
    in which case its days and year row are replaced.
    """
    rows = list(rows)
    errors: list[str] = []
    seen: dict[date, int] = {}
    for row in rows:
        prefix = _("Row %(line)s") % {"line": row.line}
        if row.date.year != year:
            errors.append(
                _("%(prefix)s: %(date)s is not in %(year)s.") % {"prefix": prefix, "date": row.date, "year": year}
            )
        if row.date in seen:
            errors.append(
                _("%(prefix)s: %(date)s already appears in row %(other)s.")
                % {"prefix": prefix, "date": row.date, "other": seen[row.date]}
            )
        else:
            seen[row.date] = row.line
        day = CalendarDay(
            date=row.date, kind=row.kind, name=row.name, source_document=document_number, created_by=_actor(actor)
        )
        try:
            day.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.append(
                        _("%(prefix)s: %(field)s: %(message)s") % {"prefix": prefix, "field": field, "message": message}
                    )
    if not document_number.strip():
        errors.append(_("The notice document number is required."))
    if not rows:
        errors.append(_("The file has no rows."))
    if errors:
        raise ValidationError(errors)

    existing_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    existing_days = CalendarDay.objects.select_for_update().filter(date__year=year)
    if (existing_year is not None or existing_days.exists()) and not replace:
        raise ValidationError(
            _("Calendar data for %(year)s is already entered; replace it explicitly.") % {"year": year}
        )
    replaced_days = existing_days.count()
    existing_days.delete()
    if existing_year is not None:
        existing_year.delete()

    calendar_year = CalendarYear(
        year=year, document_number=document_number.strip(), published_on=published_on, entered_by=_actor(actor)
    )
    calendar_year.full_clean()
    days = [
        CalendarDay(
            date=row.date,
            kind=row.kind,
            name=row.name.strip(),
            source_document=document_number.strip(),
            created_by=_actor(actor),
        )
        for row in rows
    ]
    try:
        with transaction.atomic():
            calendar_year.save()
            CalendarDay.objects.bulk_create(days)
    except IntegrityError as exc:  # a concurrent import of the same year won the race
        raise ValidationError(
            _("Calendar data for %(year)s was entered at the same time; try again.") % {"year": year}
        ) from exc
    audit_record(
        actor=actor,
        action="core.calendar_year_import",
        target=calendar_year,
        data={
            "year": year,
            "document_number": calendar_year.document_number,
            "holidays": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
            "makeup_workdays": sum(1 for d in days if d.kind == CalendarDay.Kind.MAKEUP_WORKDAY),
            "replaced": bool(existing_year is not None or replaced_days),
            "replaced_days": replaced_days,
        },
    )
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)
    return calendar_year


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
