"""Every statutory and local clock of rules.md, computed by rule ID.

This module is the ONE place where a deadline is computed. Apps never add
``timedelta(days=60)`` themselves; they call :func:`deadline` with the rule ID.

API contract (stable; other modules code against it):

    class Unit(StrEnum): CALENDAR_DAYS, WORKING_DAYS, HOURS

    @dataclass(frozen=True)
    class Clock:
        rule_id: str            # e.g. "PET-5"
        unit: Unit
        length: int             # in units
        extension: int = 0      # the most one extension may add (0 = none allowed)
        ceiling: int | None = None  # hard ceiling in units, extensions included
        description: str = ""   # translatable (gettext_lazy)

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
"""
