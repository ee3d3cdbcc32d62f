"""Every statutory and local clock of rules.md, computed by rule ID.

This module is the ONE place where a deadline is computed. Apps never add
``timedelta(days=60)`` themselves; they call :func:`deadline` with the rule ID.

API contract (stable; other modules code against it):

    class Unit(StrEnum): CALENDAR_DAYS, WORKING_DAYS, HOURS
        # plus ANNUAL_DATE, used only by FOI-5 (see below)

    @dataclass(frozen=True)
    class Clock:
        rule_id: str            # e.g. "PET-5"
        unit: Unit
        length: int             # in units
        extension: int = 0      # the most one extension may add (0 = none allowed)
        ceiling: int | None = None  # hard ceiling in units, extensions included
        description: str = ""   # translatable (gettext_lazy)
        # additions (all defaulted, so the contract above is unchanged):
        local: bool = False     # a LOCAL rule: length set by the administrator (below)
        minimum: bool = False   # a minimum period (display at least N days), not a time limit
        month_day: tuple[int, int] | None = None  # ANNUAL_DATE only: (month, day)
        # what supervision needs from the clock's definition (OVS-1, PET-5, FOI-2, FOI-3):
        max_extensions: int = 0             # how many extensions may be granted (PET-5, FOI-3: 1)
        grantors: tuple[str, ...] = ()      # roles that may grant one, held in the responsible
                                            # unit or above it (PET-5: principal, leader; FOI-3: leader)
        pauses: tuple[Pause, ...] = ()      # the ways the clock may stop (FOI-3: consultation, correction)
        kind -> ClockKind                   # LIMIT, or DISPLAY for a minimum display period

    @dataclass(frozen=True)
    class Pause:
        kind: str               # "consultation", "correction"
        cap: str | None = None  # clock ID bounding the pause (FOI-3-consultation: 15 wd)
        restart: bool = False   # the clock starts afresh when the pause ends (FOI-2)

    def pause_last_day(cap_rule_id: str, start: date) -> date
        # the last day a pause started on ``start`` may stop the clock (its cap)

    CLOCKS: dict[str, Clock]    # every clock of rules.md, keyed by clock ID

    @dataclass(frozen=True)
    class Deadline:
        rule_id: str
        start: datetime         # aware; the triggering event
        due: datetime           # aware (Asia/Shanghai); day-based clocks end at 23:59:59.999999 local on due_date
        due_date: date
        provisional: bool       # True when any year the count crossed has no calendar data (CAL-1)

    def deadline(rule_id: str, start: datetime | date, *, extension: int = 0,
                 paused: Sequence[tuple[date, date]] = ()) -> Deadline
        # extension: units added by an approved extension (<= clock.extension; ceiling enforced)
        # paused: inclusive date intervals that do not count (e.g. FOI-3 third-party consultation)
        # raises ValueError (Chinese-translatable message) on unknown rule, over-long extension, ceiling breach

    def rag(*, start: datetime, due: datetime, now: datetime, amber_share: float | None = None) -> Rag
        # OVS-1: GREEN on time; AMBER when <= 30% (LOCAL default) of the allowed time is left; RED when overdue

    class Rag(TextChoices): GREEN="green", AMBER="amber", RED="red"

    def score_rag(score: float, *, period: str, thresholds: ScoreThresholds | None = None) -> Rag
        # OVS-1 for a scored evaluation: GREEN at or above the period's green line, AMBER at or
        # above its amber line, RED below; the lines are the LOCAL table OVS-1-score-thresholds

    def score_thresholds(period: str) -> ScoreThresholds   # the lines in force for a period

    def clock_get(rule_id: str) -> Clock   # the clock with its LOCAL value applied

Clock IDs: the rule ID, with a suffix where one rule has several clocks:
PET-3, PET-3-named-report, PET-4, PET-5, PET-7-review-apply, PET-7-review-answer,
PET-7-reexam-apply, PET-7-reexam-answer, PET-8, DIS-1, FOI-2, FOI-3,
FOI-3-consultation, FOI-5, FEE-5-notice, FEE-5-collection, OPN-1, OPN-1-major-info,
OPN-1-major-statement, FND-3-general, FND-3-special, ENR-3. ``Clock.rule_id`` and
``Deadline.rule_id`` carry the clock ID; ``Clock.rule`` gives the bare rule ID.

Counting (CAL-2, 民法典 Art. 201/203), by unit:

* ``CALENDAR_DAYS``: the day of the triggering event (its Asia/Shanghai date) is not
  counted; the period counts from the next day. When its last day is a rest day
  (weekend or statutory holiday, but not a make-up working day 调休) it ends on the
  first working day after it. Each paused day inside the count extends it by one day.
* ``WORKING_DAYS``: the ``length``-th working day after the start date; working days
  inside a paused interval are not counted.
* ``HOURS``: exact: ``start + length hours`` (no pause, no roll-forward; ``paused``
  is ignored). Never provisional.
* ``ANNUAL_DATE`` (FOI-5 only): a fixed date, not a period: ``month_day`` of the year
  ``length`` years after the start's year (FOI-5: 31 January of the next year). The
  date is statutory ("每年1月31日前"), so it is never moved to a working day; ``paused``
  is ignored, no extension is possible, and it is never provisional.

An extension is counted with the original period from the start (PET-5: 60 + 30 = 90
days after acceptance, then CAL-2's roll-forward), never from a rolled-forward date.
A clock with ``minimum=True`` (FEE-5-notice, ENR-3) gives the last day of the minimum
display period: the thing may follow only after ``due``. Its ``kind`` is
``ClockKind.DISPLAY``: supervision never calls it overdue, never escalates it, and
refuses to end it before ``due``.

A pause stops a working-day or calendar-day clock: its days (inclusive dates) go into
``paused``. A capped pause stops the clock for at most the cap clock's length, counted
from the pause's first day (FOI-3: a third-party consultation stops the reply clock for
at most 15 working days; then the clock runs again). A ``restart`` pause ends with the
clock starting afresh from the day it ends (FOI-2: the reply clock restarts when the
correction arrives).

A LOCAL clock (FEE-5-notice, FEE-5-collection, ENR-3) takes its length from the
LOCAL rule of the same key in ``sunshine.core.local_rules`` (the system administrator's
value, else the default of rules.md); ``clock_get`` applies it, ``CLOCKS`` holds the
defaults. OVS-1's amber share is the LOCAL rule ``OVS-1-amber-share``.

OVS-1 has one meaning in the house: a deadline's colour is :func:`rag`; a scored
evaluation's colour (a school's inspection score, …) is :func:`score_rag`, with the
lines of its period (``2026-Q3``, else ``2026``, else the default row ``*``) from the
LOCAL table ``OVS-1-score-thresholds``. No app keeps a colour scheme of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.core.calendar import add_calendar_days, add_working_days, is_provisional
from sunshine.core.local_rules import ScoreThresholds, local_rule, local_rule_for_period

__all__ = [
    "CLOCKS",
    "Clock",
    "ClockKind",
    "Deadline",
    "Pause",
    "Rag",
    "Unit",
    "clock_get",
    "deadline",
    "pause_last_day",
    "rag",
    "score_rag",
    "score_thresholds",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    ANNUAL_DATE = "annual_date"


class ClockKind(StrEnum):
    LIMIT = "limit"  # a time limit: reminded, overdue, escalated (OVS-1)
    DISPLAY = "display"  # a minimum display period: never overdue, may not end early (FEE-5, ENR-3)


@dataclass(frozen=True)
class Pause:
    """A way a clock may stop: ``kind`` names it; ``cap`` is the clock ID that bounds
    it (the clock runs again when the cap is reached); ``restart`` starts the clock
    afresh from the day the pause ends."""

    kind: str
    cap: str | None = None
    restart: bool = False


@dataclass(frozen=True)
class Clock:
    rule_id: str
    unit: Unit
    length: int
    extension: int = 0
    ceiling: int | None = None
    description: str | Promise = ""
    local: bool = False
    minimum: bool = False
    month_day: tuple[int, int] | None = None
    max_extensions: int = 0
    grantors: tuple[str, ...] = ()
    pauses: tuple[Pause, ...] = ()

    @property
    def kind(self) -> ClockKind:
        """DISPLAY for a minimum display period (FEE-5-notice, ENR-3), else LIMIT."""
        return ClockKind.DISPLAY if self.minimum else ClockKind.LIMIT

    def pause_get(self, kind: str) -> Pause | None:
        """The pause of this kind the clock allows, if any."""
        return next((p for p in self.pauses if p.kind == kind), None)

    @property
    def rule(self) -> str:
        """The bare rule ID of rules.md ("PET-7" for "PET-7-review-apply")."""
        return "-".join(self.rule_id.split("-")[:2])


@dataclass(frozen=True)
class Deadline:
    rule_id: str
    start: datetime
    due: datetime
    due_date: date
    provisional: bool


class Rag(models.TextChoices):
    GREEN = "green", gettext_lazy("green")
    AMBER = "amber", gettext_lazy("amber")
    RED = "red", gettext_lazy("red")


def _c(rule_id: str, unit: Unit, length: int, description: str | Promise, **kwargs: Any) -> tuple[str, Clock]:
    return rule_id, Clock(rule_id=rule_id, unit=unit, length=length, description=description, **kwargs)


_D, _WD, _H = Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.HOURS

_DEFAULT_CLOCKS: dict[str, Clock] = dict(
    [
        _c("PET-3", _D, 15, gettext_lazy("Written notice of acceptance, forwarding or refusal")),
        _c("PET-3-named-report", _WD, 15, gettext_lazy("Notice to the filer of a real-name report against staff")),
        _c("PET-4", _WD, 5, gettext_lazy("Objection to a forwarded case that is not ours")),
        _c(
            "PET-5",
            _D,
            60,
            gettext_lazy("Handling concluded"),
            extension=30,
            ceiling=90,
            max_extensions=1,
            grantors=("principal", "leader"),  # the head of the handling unit, or above it
        ),
        _c("PET-7-review-apply", _D, 30, gettext_lazy("Application for review")),
        _c("PET-7-review-answer", _D, 30, gettext_lazy("Answer to a review")),
        _c("PET-7-reexam-apply", _D, 30, gettext_lazy("Application for re-examination")),
        _c("PET-7-reexam-answer", _D, 30, gettext_lazy("Answer to a re-examination")),
        _c("PET-8", _WD, 15, gettext_lazy("Result told to the filer of a real-name report")),
        _c("DIS-1", _WD, 20, gettext_lazy("Proactive disclosure")),
        _c("FOI-2", _WD, 7, gettext_lazy("Request for correction")),
        _c(
            "FOI-3",
            _WD,
            20,
            gettext_lazy("Reply to an FOI request"),
            extension=20,
            max_extensions=1,
            grantors=("leader",),  # the office head
            pauses=(Pause("consultation", cap="FOI-3-consultation"), Pause("correction", restart=True)),
        ),
        _c("FOI-3-consultation", _WD, 15, gettext_lazy("Third-party consultation")),
        _c("FOI-5", Unit.ANNUAL_DATE, 1, gettext_lazy("Disclosure annual report"), month_day=(1, 31)),
        _c("FEE-5-notice", _D, 7, gettext_lazy("Fee notice displayed before collection"), local=True, minimum=True),
        _c("FEE-5-collection", _D, 14, gettext_lazy("Term-start fee collection window"), local=True),
        _c("FEE-1-refund", _WD, 20, gettext_lazy("Refund of illegal fees on the bureau's order"), local=True),
        _c("OPN-1", _H, 48, gettext_lazy("Response to government-related opinion")),
        _c("OPN-1-major-info", _H, 5, gettext_lazy("Authoritative information on a major incident")),
        _c("OPN-1-major-statement", _H, 24, gettext_lazy("Press statement on a major incident")),
        _c("FND-3-general", _D, 30, gettext_lazy("Transfer of general funds to lower levels")),
        _c("FND-3-special", _D, 60, gettext_lazy("Transfer of special-purpose funds to lower levels")),
        _c("ENR-3", _D, 7, gettext_lazy("Publication of recruitment results"), local=True, minimum=True),
        _c(
            "ENR-4-advance",
            _D,
            15,
            gettext_lazy("Enrollment policy and plan published before applications open"),
            local=True,
            minimum=True,
        ),
        _c("ENR-4-results", _WD, 3, gettext_lazy("Publication of cutoff lines and results"), local=True),
        _c("OVS-2-appeal", _WD, 10, gettext_lazy("Appeal against an advanced-unit veto"), local=True),
        _c("OVS-4", _D, 30, gettext_lazy("Rectification item put right"), local=True),
        _c("OVS-4-verify", _WD, 10, gettext_lazy("Verification of a rectification report"), local=True),
        _c("OVS-5-receipt", _WD, 3, gettext_lazy("Receipt of a circulated document confirmed"), local=True),
        _c("OVS-5-study", _WD, 15, gettext_lazy("Study of a circulated document confirmed"), local=True),
        _c("DEC-1", _D, 30, gettext_lazy("Public comment on a draft decision"), minimum=True),
        _c("DEC-2-task", _D, 30, gettext_lazy("Execution of a collective decision reported")),
    ]
)

CLOCKS: dict[str, Clock] = _DEFAULT_CLOCKS


def clock_get(rule_id: str) -> Clock:
    """The clock ``rule_id`` with its LOCAL override applied; ValueError if unknown."""
    if rule_id not in _DEFAULT_CLOCKS:
        raise ValueError(_("Unknown deadline rule %(rule)s.") % {"rule": rule_id})
    clock = CLOCKS[rule_id]
    if clock.local:
        return replace(clock, length=local_rule(rule_id))
    return clock


def _start(start: datetime | date) -> datetime:
    if isinstance(start, datetime):
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(_("The start of a deadline must be a time with a time zone."))
        return start
    if isinstance(start, date):
        return datetime.combine(start, time.min, tzinfo=SHANGHAI)
    raise TypeError(f"expected a date or datetime, got {type(start).__name__}")


def deadline(
    rule_id: str, start: datetime | date, *, extension: int = 0, paused: Sequence[tuple[date, date]] = ()
) -> Deadline:
    """The deadline of clock ``rule_id`` for an event at ``start`` (CAL-1, CAL-2).

    Encodes the clocks of PET-3, PET-4, PET-5, PET-7, PET-8, DIS-1, FOI-2, FOI-3,
    FOI-5, FEE-5, OPN-1, FND-3 and ENR-3; see the module docstring for the counting.
    """
    clock = clock_get(rule_id)
    start_at = _start(start)
    if isinstance(extension, bool) or not isinstance(extension, int) or extension < 0:
        raise ValueError(_("An extension must be a whole number of zero or more."))
    if extension > clock.extension:
        if clock.extension == 0:
            raise ValueError(_("The deadline of %(rule)s cannot be extended.") % {"rule": rule_id})
        raise ValueError(
            _("The deadline of %(rule)s can be extended by at most %(most)s.")
            % {"rule": rule_id, "most": clock.extension}
        )
    units = clock.length + extension
    if clock.ceiling is not None and units > clock.ceiling:
        raise ValueError(
            _("The deadline of %(rule)s cannot go past %(ceiling)s in all.")
            % {"rule": rule_id, "ceiling": clock.ceiling}
        )

    if clock.unit == Unit.HOURS:
        due_at = start_at + timedelta(hours=units)
        return Deadline(
            rule_id=rule_id,
            start=start_at,
            due=due_at.astimezone(SHANGHAI),
            due_date=due_at.astimezone(SHANGHAI).date(),
            provisional=False,
        )

    start_date = start_at.astimezone(SHANGHAI).date()
    provisional = False
    if clock.unit == Unit.ANNUAL_DATE:
        if clock.month_day is None:  # pragma: no cover - a table error
            raise ImproperlyConfigured(f"clock {rule_id} needs month_day")
        month, day = clock.month_day
        due_date = date(start_date.year + units, month, day)
    elif clock.unit == Unit.CALENDAR_DAYS:
        due_date = add_calendar_days(start_date, units, paused=paused)
        provisional = is_provisional(start_date, due_date)
    else:
        due_date = add_working_days(start_date, units, paused=paused)
        provisional = is_provisional(start_date, due_date)
    return Deadline(
        rule_id=rule_id,
        start=start_at,
        due=datetime.combine(due_date, time.max, tzinfo=SHANGHAI),
        due_date=due_date,
        provisional=provisional,
    )


def pause_last_day(cap_rule_id: str, start: date) -> date:
    """The last day a pause starting on ``start`` may stop a clock when clock
    ``cap_rule_id`` bounds it: its ``length`` units, the first day included (FOI-3:
    a consultation stops the reply clock for at most 15 working days)."""
    clock = clock_get(cap_rule_id)
    if clock.unit == Unit.WORKING_DAYS:
        return add_working_days(start - timedelta(days=1), clock.length)
    if clock.unit == Unit.CALENDAR_DAYS:
        return start + timedelta(days=clock.length - 1)
    raise ValueError(_("The deadline of %(rule)s cannot bound a pause.") % {"rule": cap_rule_id})


def rag(*, start: datetime, due: datetime, now: datetime, amber_share: float | None = None) -> Rag:
    """OVS-1 (LOCAL): RED when ``now`` is past ``due``; AMBER when at most
    ``amber_share`` (default: the LOCAL rule ``OVS-1-amber-share``, 0.3)
    of the allowed time ``due - start`` is left; GREEN otherwise."""
    share = float(local_rule("OVS-1-amber-share")) if amber_share is None else amber_share
    if not 0 <= share <= 1:
        raise ValueError(_("The amber share must be between 0 and 1."))
    if now > due:
        return Rag.RED
    allowed = (due - start).total_seconds()
    left = (due - now).total_seconds()
    if allowed <= 0 or left <= share * allowed:
        return Rag.AMBER
    return Rag.GREEN


def rag_changes_at(
    *, start: datetime, due: datetime, now: datetime, amber_share: float | None = None
) -> datetime | None:
    """The moment (a millisecond early rather than late) after which :func:`rag` of the
    same clock may give another colour than at ``now`` (green turns amber, amber turns
    red), or None once it is red for good. What shows a colour may keep it until then (a
    cached page)."""
    share = float(local_rule("OVS-1-amber-share")) if amber_share is None else amber_share
    if now > due:
        return None
    amber_from = due - (due - start) * share
    if due > start and now < amber_from:
        return amber_from - timedelta(milliseconds=1)  # green until then: ``left <= share * allowed`` from that moment
    return due + timedelta(microseconds=1)  # amber while ``now`` is not past ``due``


def score_thresholds(period: str) -> ScoreThresholds:
    """OVS-1 (LOCAL): the lines of a scored evaluation in ``period`` (``2026-Q3``): the
    row of that period in ``OVS-1-score-thresholds``, else of its year, else the default."""
    row: ScoreThresholds = local_rule_for_period("OVS-1-score-thresholds", period)[0]
    return row


def score_rag(score: float, *, period: str, thresholds: ScoreThresholds | None = None) -> Rag:
    """OVS-1 (LOCAL) for a scored evaluation: GREEN at or above the green line of
    ``period``, AMBER at or above its amber line, RED below. ``thresholds`` gives the
    lines already read for the period (an evaluation that records the lines it used)."""
    lines = thresholds if thresholds is not None else score_thresholds(period)
    if score >= lines.green_min:
        return Rag.GREEN
    if score >= lines.amber_min:
        return Rag.AMBER
    return Rag.RED
