"""LOCAL rules: bureau settings that have no national text (rules.md marks them LOCAL).

Each has a default from rules.md and can be changed by the system administrator (in
the admin, through :func:`local_rule_set`, which validates and audits the change).
Code reads a value with :func:`local_rule`; the values are cached per process and
refreshed when one is changed here, or within ``CACHE_SECONDS`` when another process
changed it.

This table is the one place a LOCAL value lives. A module that needs a new LOCAL rule
adds it here with the rule ID of rules.md; so does a bureau setting that a national rule
leaves open (OPN-1 says when to answer, the bureau says which events are handed over
without waiting for a monitor: ``OPN-1-auto-severity``).

A value is one of four kinds (``LocalRule.kind``), stored as JSON in ``LocalRuleValue``:

* a number or a yes/no (``int``, ``float``, ``bool``): ``local_rule`` returns it as is;
* a list (``choices`` set): an ordered selection from fixed choices, no item twice
  (ENR-2's tie-break subject order); ``local_rule`` returns a tuple of str. Typed as
  one item per line or separated by commas;
* a table (``row`` set to a frozen dataclass whose fields, made with :func:`column`,
  are the typed columns): ``local_rule`` returns a tuple of rows. Typed one row per
  line, columns separated by commas. A table keyed by period (OVS-1's score lines,
  OVS-2's weights) has a default row with the period ``*``; :func:`local_rule_for_period`
  gives the rows of the most specific period (``2026-Q1``, then ``2026``, then ``*``).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.core.audit import audit_record
from sunshine.core.models.local_rules import LocalRuleValue

CACHE_SECONDS = 30

PERIOD_DEFAULT = "*"
_PERIOD = re.compile(r"\*|\d{4}(-Q[1-4])?")
_LIST_SEPARATORS = re.compile(r"[\n,，、;；]+")
_CELL_SEPARATORS = re.compile(r"[,，\t]")


def column(
    label: str | Promise,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: Sequence[str] = (),
    period: bool = False,
) -> Any:
    """A typed column of a LOCAL table row (a dataclass field): its label and bounds;
    ``period=True`` for the period column (``2026``, ``2026-Q1`` or ``*``)."""
    return field(
        metadata={"label": label, "minimum": minimum, "maximum": maximum, "choices": tuple(choices), "period": period}
    )


def period_name(year: int, quarter: int | None = None) -> str:
    """The period of an evaluation as LOCAL tables name it: ``2026`` or ``2026-Q3``."""
    return f"{year}" if quarter is None else f"{year}-Q{quarter}"


@dataclass(frozen=True)
class ScoreThresholds:
    """OVS-1: one period's lines for a scored evaluation: green at or above
    ``green_min``, amber at or above ``amber_min``, red below."""

    period: str = column(gettext_lazy("period"), period=True)
    green_min: int = column(gettext_lazy("green at least"), minimum=0, maximum=100)
    amber_min: int = column(gettext_lazy("amber at least"), minimum=0, maximum=100)


@dataclass(frozen=True)
class IndicatorWeight:
    """OVS-2: the weight (in points of 100) of one indicator of the annual conduct
    evaluation in one period."""

    period: str = column(gettext_lazy("period"), period=True)
    indicator: str = column(gettext_lazy("indicator"))
    weight: int = column(gettext_lazy("weight"), minimum=0, maximum=100)


# ENR-2: the subjects a tie at a cutoff may be broken by (中考 subjects).
EXAM_SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "道德与法治", "历史", "地理", "生物", "体育与健康")


def _check_periods(rows: tuple[Any, ...], *, one_per_period: bool) -> list[str]:
    errors = []
    periods = [row.period for row in rows]
    if PERIOD_DEFAULT not in periods:
        errors.append(_("Add a default row with the period *."))
    if one_per_period:
        doubled = sorted({p for p in periods if periods.count(p) > 1})
        if doubled:
            errors.append(_("Each period may have one row only: %(periods)s.") % {"periods": ", ".join(doubled)})
    return errors


def _check_thresholds(rows: tuple[ScoreThresholds, ...]) -> list[str]:
    errors = _check_periods(rows, one_per_period=True)
    for row in rows:
        if row.amber_min > row.green_min:
            errors.append(_("%(period)s: the amber line cannot be above the green one.") % {"period": row.period})
    return errors


def _check_weights(rows: tuple[IndicatorWeight, ...]) -> list[str]:
    errors = _check_periods(rows, one_per_period=False)
    by_period: dict[str, list[IndicatorWeight]] = {}
    for row in rows:
        by_period.setdefault(row.period, []).append(row)
    for period, group in by_period.items():
        names = [row.indicator for row in group]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            errors.append(
                _("%(period)s: an indicator is listed twice: %(names)s.")
                % {"period": period, "names": ", ".join(doubled)}
            )
        total = sum(row.weight for row in group)
        if total != 100:
            errors.append(
                _("%(period)s: the weights add up to %(total)s, not 100.") % {"period": period, "total": total}
            )
    return errors


@dataclass(frozen=True)
class LocalRule:
    key: str
    rule: str
    default: Any
    description: str | Promise
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    row: type | None = None
    check: Callable[[tuple[Any, ...]], list[str]] | None = None

    @property
    def kind(self) -> str:
        """``bool``, ``int``, ``float``, ``list`` or ``table``."""
        if self.row is not None:
            return "table"
        if self.choices:
            return "list"
        return type(self.default).__name__

    def _invalid(self, raw: Any) -> ValidationError:
        return ValidationError(
            _("“%(value)s” is not a valid value for %(rule)s.") % {"value": raw, "rule": self.key}, code="invalid"
        )

    def parse(self, raw: Any) -> Any:
        """The value ``raw`` (typed text, or the stored JSON) as this rule's type, or
        ValidationError with a clear message for each fault."""
        if self.row is not None:
            return self._parse_table(self.row, raw)
        if self.choices:
            return self._parse_list(raw)
        return self._parse_scalar(raw)

    def _parse_scalar(self, raw: Any) -> int | float | bool:
        kind = type(self.default)
        try:
            if kind is bool:
                if isinstance(raw, str):
                    lowered = raw.strip().lower()
                    if lowered not in {"true", "false", "1", "0", "是", "否", "yes", "no"}:
                        raise ValueError(raw)
                    value: int | float | bool = lowered in {"true", "1", "是", "yes"}
                else:
                    value = bool(raw)
            else:
                value = _number(kind, raw)
        except (TypeError, ValueError) as exc:
            raise self._invalid(raw) from exc
        if kind is not bool and not _within(value, self.minimum, self.maximum):
            raise ValidationError(
                _("%(rule)s must be between %(min)s and %(max)s.")
                % {"rule": self.key, "min": self.minimum, "max": self.maximum},
                code="out_of_range",
            )
        return value

    def _parse_list(self, raw: Any) -> tuple[str, ...]:
        if isinstance(raw, str):
            items = [item.strip() for item in _LIST_SEPARATORS.split(raw)]
        elif isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
            items = [item.strip() for item in raw]
        else:
            raise self._invalid(raw)
        items = [item for item in items if item]
        errors = []
        if not items:
            errors.append(_("List at least one item."))
        unknown = [item for item in items if item not in self.choices]
        if unknown:
            errors.append(
                _("Not one of the choices: %(items)s. Choose from: %(choices)s.")
                % {"items": "、".join(unknown), "choices": "、".join(self.choices)}
            )
        doubled = sorted({item for item in items if items.count(item) > 1}, key=items.index)
        if doubled:
            errors.append(_("Listed twice: %(items)s.") % {"items": "、".join(doubled)})
        if errors:
            raise ValidationError(errors, code="invalid")
        return tuple(items)

    def _parse_table(self, row_type: type, raw: Any) -> tuple[Any, ...]:
        columns = dataclasses.fields(row_type)
        if isinstance(raw, str):
            lines = [(n, line) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
            cells_of = [(n, [cell.strip() for cell in _CELL_SEPARATORS.split(line)]) for n, line in lines]
        elif isinstance(raw, list | tuple):
            cells_of = []
            for n, item in enumerate(raw, start=1):
                if isinstance(item, dict):
                    cells_of.append((n, [item.get(c.name) for c in columns]))
                elif dataclasses.is_dataclass(item) and not isinstance(item, type):
                    cells_of.append((n, [getattr(item, c.name) for c in columns]))
                elif isinstance(item, list | tuple):
                    cells_of.append((n, list(item)))
                else:
                    raise self._invalid(raw)
        else:
            raise self._invalid(raw)
        errors: list[str] = []
        rows = []
        for n, cells in cells_of:
            row = _parse_row(row_type, n, cells, errors)
            if row is not None:
                rows.append(row)
        if not cells_of:
            errors.append(_("Enter at least one row."))
        if not errors and self.check is not None:
            errors.extend(self.check(tuple(rows)))
        if errors:
            raise ValidationError(errors, code="invalid")
        return tuple(rows)

    def dump(self, value: Any) -> Any:
        """``value`` (already parsed) as JSON for storage and the audit log."""
        if self.kind == "list":
            return list(value)
        if self.kind == "table":
            return [dataclasses.asdict(row) for row in value]
        return value

    def to_text(self, value: Any) -> str:
        """``value`` (already parsed) as the administrator types it."""
        if self.kind == "list":
            return "\n".join(value)
        if self.kind == "table":
            return "\n".join(", ".join(str(cell) for cell in dataclasses.astuple(row)) for row in value)
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        return str(value)

    @property
    def help_text(self) -> str:
        """How to type a value of this rule (for the admin form)."""
        if self.kind == "list":
            return _("One item per line, or separated by commas, in order; each once, from: %(choices)s.") % {
                "choices": "、".join(self.choices)
            }
        if self.row is not None:
            columns = dataclasses.fields(self.row)
            text = _("One row per line, columns separated by commas: %(columns)s.") % {
                "columns": ", ".join(str(c.metadata["label"]) for c in columns)
            }
            if any(c.metadata["period"] for c in columns):
                text += " " + _("A period is written 2026 or 2026-Q1; the period * is the default for every other.")
            return text
        if self.kind == "bool":
            return _("Yes or no: type yes or no.")
        return _("A number between %(min)s and %(max)s.") % {
            "min": self.minimum if self.minimum is not None else "—",
            "max": self.maximum if self.maximum is not None else "—",
        }


def _parse_row(row_type: type, line: int, cells: list[Any], errors: list[str]) -> Any:
    """One typed row of a LOCAL table, or None with its faults added to ``errors``."""
    columns = dataclasses.fields(row_type)
    types = get_type_hints(row_type)
    if len(cells) != len(columns):
        errors.append(
            _("Line %(line)s: %(count)s columns are needed (%(columns)s), found %(found)s.")
            % {
                "line": line,
                "count": len(columns),
                "columns": ", ".join(str(c.metadata["label"]) for c in columns),
                "found": len(cells),
            }
        )
        return None
    values: dict[str, Any] = {}
    ok = True
    for spec, cell in zip(columns, cells, strict=True):
        label = spec.metadata["label"]
        kind = types[spec.name]
        try:
            value = _number(kind, cell) if kind in (int, float) else str(cell if cell is not None else "").strip()
        except (TypeError, ValueError):
            errors.append(
                _("Line %(line)s: “%(value)s” is not a number (%(column)s).")
                % {"line": line, "value": cell, "column": label}
            )
            ok = False
            continue
        fault = _cell_fault(spec.metadata, value)
        if fault:
            errors.append(_("Line %(line)s: %(column)s: %(fault)s") % {"line": line, "column": label, "fault": fault})
            ok = False
        values[spec.name] = value
    return row_type(**values) if ok else None


def _number(kind: type, raw: Any) -> int | float:
    if isinstance(raw, bool) or raw is None:
        raise ValueError(raw)
    if kind is int:
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        return int(raw.strip()) if isinstance(raw, str) else int(raw)
    return float(raw)


def _within(value: float, minimum: float | None, maximum: float | None) -> bool:
    return (minimum is None or value >= minimum) and (maximum is None or value <= maximum)


def _cell_fault(meta: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, str):
        if not value:
            return _("enter a value.")
        if meta["period"] and not _PERIOD.fullmatch(value):
            return _("“%(value)s” is not a period; write 2026, 2026-Q1 or *.") % {"value": value}
        if meta["choices"] and value not in meta["choices"]:
            return _("“%(value)s” is not one of %(choices)s.") % {"value": value, "choices": "、".join(meta["choices"])}
        if len(value) > 40:
            return _("at most 40 characters.")
        return ""
    if not _within(value, meta["minimum"], meta["maximum"]):
        return _("must be between %(min)s and %(max)s.") % {"min": meta["minimum"], "max": meta["maximum"]}
    return ""


def _r(key: str, default: Any, description: str | Promise, **kwargs: Any) -> tuple[str, LocalRule]:
    return key, LocalRule(
        key=key, rule="-".join(key.split("-")[:2]), default=default, description=description, **kwargs
    )


LOCAL_RULES: dict[str, LocalRule] = dict(
    [
        _r("FEE-5-notice", 7, gettext_lazy("Days a term-start fee notice stays up, at least"), minimum=1, maximum=60),
        _r(
            "FEE-5-collection",
            14,
            gettext_lazy("Days of the fee collection window from registration"),
            minimum=1,
            maximum=60,
        ),
        _r(
            "FEE-1-refund",
            20,
            gettext_lazy("Working days a school has to refund illegal fees on the bureau's order"),
            minimum=1,
            maximum=120,
        ),
        _r("FEE-6-veto", True, gettext_lazy("A confirmed illegal fee vetoes the school's annual advanced rating")),
        _r(
            "OVS-1-amber-share",
            0.3,
            gettext_lazy("Share of the allowed time left that turns an item amber"),
            minimum=0,
            maximum=1,
        ),
        _r(
            "OVS-1-score-thresholds",
            (ScoreThresholds(period=PERIOD_DEFAULT, green_min=90, amber_min=70),),
            gettext_lazy("Scored evaluations: the lowest score for green and for amber, per period"),
            row=ScoreThresholds,
            check=_check_thresholds,
        ),
        _r(
            "OPN-1-auto-severity",
            60,
            gettext_lazy(
                "Event severity (0–100) at which an opinion event is handed over automatically; 101 turns it off"
            ),
            minimum=1,
            maximum=101,
        ),
        _r("OVS-2-veto", True, gettext_lazy("The school ranked last in conduct cannot be rated advanced")),
        _r(
            "OVS-2-weights",
            (
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="师德师风", weight=15),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="规范收费", weight=20),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="信访举报", weight=15),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="校务公开", weight=15),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="整改落实", weight=15),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="文件学习", weight=10),
                IndicatorWeight(period=PERIOD_DEFAULT, indicator="监督检查", weight=10),
            ),
            gettext_lazy("Annual conduct evaluation: the weight of each indicator, per period (adding up to 100)"),
            row=IndicatorWeight,
            check=_check_weights,
        ),
        _r("OVS-3-threshold-fen", 50_000_000, gettext_lazy("Large expenditure threshold, in fen"), minimum=0),
        _r(
            "FND-1-alert-lag-pp",
            10.0,
            gettext_lazy("Disbursement lag that raises an alert, in percentage points"),
            minimum=0,
            maximum=100,
        ),
        _r(
            "ENR-2-quota-floor-margin",
            20,
            gettext_lazy("Quota seats: points below the general cutoff still admitted"),
            minimum=0,
            maximum=200,
        ),
        _r(
            "ENR-2-tiebreak",
            ("语文", "数学", "英语", "物理", "化学"),
            gettext_lazy("Ties at a cutoff: the subjects compared, in order"),
            choices=EXAM_SUBJECTS,
        ),
        _r(
            "ENR-3", 7, gettext_lazy("Days recruitment results are published before appointment"), minimum=1, maximum=60
        ),
        _r(
            "ENR-4-advance",
            15,
            gettext_lazy("Days the enrollment policy and plan are published before applications open, at least"),
            minimum=1,
            maximum=90,
        ),
        _r(
            "ENR-4-results",
            3,
            gettext_lazy("Working days to publish cutoff lines and results once decided"),
            minimum=1,
            maximum=30,
        ),
        _r(
            "OVS-2-appeal",
            10,
            gettext_lazy("Working days a school has to appeal against an advanced-unit veto"),
            minimum=1,
            maximum=60,
        ),
        _r(
            "OVS-4",
            30,
            gettext_lazy("Days a rectification item is due in, unless its order sets a date"),
            minimum=1,
            maximum=365,
        ),
        _r(
            "OVS-4-verify",
            10,
            gettext_lazy("Working days the issuer has to verify a school's rectification report"),
            minimum=1,
            maximum=60,
        ),
        _r(
            "OVS-5-receipt",
            3,
            gettext_lazy("Working days a school has to confirm receipt of a circulated document"),
            minimum=1,
            maximum=30,
        ),
        _r(
            "OVS-5-study",
            15,
            gettext_lazy("Working days from receipt to confirm the study of a circulated document"),
            minimum=1,
            maximum=90,
        ),
        _r(
            "DEC-3-quorum",
            0.5,
            gettext_lazy("Share of the members (not stepping aside) that must be present, more than"),
            minimum=0,
            maximum=1,
        ),
        _r(
            "DEC-3-quorum-appointments",
            0.6667,
            gettext_lazy("Appointments and removals: share of the members that must be present, at least"),
            minimum=0,
            maximum=1,
        ),
        _r("DEC-3-principal-last", True, gettext_lazy("The principal leader speaks last in the leadership meeting")),
        _r(
            "PET-6-leader-signoff",
            False,
            gettext_lazy("A written reply is issued only after a leader has signed it off"),
        ),
        _r(
            "PET-7-lookback-days",
            0,
            gettext_lazy(
                "Days after a re-examination in which the same matter is not accepted again; 0 means for ever"
            ),
            minimum=0,
            maximum=3650,
        ),
        _r(
            "PET-2-repeat-lookback-days",
            90,
            gettext_lazy(
                "Days before and after a case within which cases of the same filer or alike in content are linked"
            ),
            minimum=1,
            maximum=730,
        ),
    ]
)

_cache: dict[str, Any] = {}
_parsed: dict[str, Any] = {}
_cache_loaded_at = 0.0


def local_rule_cache_clear(**_kwargs: Any) -> None:
    global _cache_loaded_at
    _cache.clear()
    _parsed.clear()
    _cache_loaded_at = 0.0


def local_rule(key: str) -> Any:
    """The value in force of LOCAL rule ``key`` (the administrator's, else the default),
    typed: a number or bool, a tuple of str (a list), a tuple of rows (a table)."""
    global _cache_loaded_at
    rule = LOCAL_RULES.get(key)
    if rule is None:
        raise KeyError(f"{key} is not a LOCAL rule")
    if time.monotonic() - _cache_loaded_at > CACHE_SECONDS:
        _cache.clear()
        _parsed.clear()
        _cache.update({row.key: row.value for row in LocalRuleValue.objects.all() if row.key in LOCAL_RULES})
        _cache_loaded_at = time.monotonic()
    if key not in _cache:
        return rule.default
    if key not in _parsed:
        _parsed[key] = rule.parse(_cache[key])
    return _parsed[key]


def local_rule_for_period(key: str, period: str) -> tuple[Any, ...]:
    """The rows of the period-keyed LOCAL table ``key`` for ``period`` (``2026-Q1``):
    the rows of that period if there are any, else of its year (``2026``), else the
    default rows (``*``)."""
    rows = local_rule(key)
    for candidate in (period, period.split("-")[0], PERIOD_DEFAULT):
        found = tuple(row for row in rows if row.period == candidate)
        if found:
            return found
    raise KeyError(f"{key} has no row for {period}")  # pragma: no cover - the check requires a default row


@transaction.atomic
def local_rule_set(*, actor: Any, key: str, value: Any) -> LocalRuleValue:
    """Set LOCAL rule ``key`` from typed text or a value of its kind (validated: type,
    range, choices, the table's own checks); the old and new values are audited."""
    rule = LOCAL_RULES.get(key)
    if rule is None:
        raise ValidationError(_("%(key)s is not a LOCAL rule.") % {"key": key}, code="unknown")
    new = rule.dump(rule.parse(value))
    row = LocalRuleValue.objects.select_for_update().filter(key=key).first()
    old = row.value if row is not None else rule.dump(rule.default)
    if row is None:
        row = LocalRuleValue(key=key, value=new, changed_by=actor if getattr(actor, "pk", None) else None)
    else:
        row.value = new
        row.changed_by = actor if getattr(actor, "pk", None) else None
    row.full_clean()
    row.save()
    audit_record(actor=actor, action="core.local_rule_set", target=row, data={"key": key, "old": old, "new": new})
    return row


post_save.connect(local_rule_cache_clear, sender=LocalRuleValue, dispatch_uid="local_rule_cache_save")
post_delete.connect(local_rule_cache_clear, sender=LocalRuleValue, dispatch_uid="local_rule_cache_delete")
