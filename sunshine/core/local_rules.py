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
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.core.audit import audit_record
from sunshine.core.models.local_rules import LocalRuleValue

CACHE_SECONDS = 30


@dataclass(frozen=True)
class LocalRule:
    key: str
    rule: str
    default: int | float | bool
    description: str | Promise
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, raw: Any) -> int | float | bool:
        """The value ``raw`` as this rule's type, or ValidationError with a clear message."""
        kind = type(self.default)
        try:
            if kind is bool:
                if isinstance(raw, str):
                    lowered = raw.strip().lower()
                    if lowered not in {"true", "false", "1", "0", "是", "否"}:
                        raise ValueError(raw)
                    value: int | float | bool = lowered in {"true", "1", "是"}
                else:
                    value = bool(raw)
            elif kind is int:
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError(raw)
                value = int(str(raw).strip()) if isinstance(raw, str) else int(raw)
            else:
                value = float(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                _("“%(value)s” is not a valid value for %(rule)s.") % {"value": raw, "rule": self.key},
                code="invalid",
            ) from exc
        if kind is not bool and (
            (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum)
        ):
            raise ValidationError(
                _("%(rule)s must be between %(min)s and %(max)s.")
                % {"rule": self.key, "min": self.minimum, "max": self.maximum},
                code="out_of_range",
            )
        return value


def _r(key: str, default: int | float | bool, description: str | Promise, **kwargs: Any) -> tuple[str, LocalRule]:
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
        _r("FEE-6-veto", True, gettext_lazy("A confirmed illegal fee vetoes the school's annual advanced rating")),
        _r(
            "OVS-1-amber-share",
            0.3,
            gettext_lazy("Share of the allowed time left that turns an item amber"),
            minimum=0,
            maximum=1,
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
            "ENR-3", 7, gettext_lazy("Days recruitment results are published before appointment"), minimum=1, maximum=60
        ),
    ]
)

_cache: dict[str, Any] = {}
_cache_loaded_at = 0.0


def local_rule_cache_clear(**_kwargs: Any) -> None:
    global _cache_loaded_at
    _cache.clear()
    _cache_loaded_at = 0.0


def local_rule(key: str) -> Any:
    """The value in force of LOCAL rule ``key`` (the administrator's, else the default)."""
    global _cache_loaded_at
    rule = LOCAL_RULES.get(key)
    if rule is None:
        raise KeyError(f"{key} is not a LOCAL rule")
    if time.monotonic() - _cache_loaded_at > CACHE_SECONDS:
        _cache.clear()
        _cache.update({row.key: row.value for row in LocalRuleValue.objects.all()})
        _cache_loaded_at = time.monotonic()
    if key in _cache:
        return rule.parse(_cache[key])
    return rule.default


@transaction.atomic
def local_rule_set(*, actor: Any, key: str, value: Any) -> LocalRuleValue:
    """Set LOCAL rule ``key`` (validated by its type and range); audited."""
    rule = LOCAL_RULES.get(key)
    if rule is None:
        raise ValidationError(_("%(key)s is not a LOCAL rule.") % {"key": key}, code="unknown")
    parsed = rule.parse(value)
    row = LocalRuleValue.objects.select_for_update().filter(key=key).first()
    old = row.value if row is not None else rule.default
    if row is None:
        row = LocalRuleValue(key=key, value=parsed, changed_by=actor if getattr(actor, "pk", None) else None)
    else:
        row.value = parsed
        row.changed_by = actor if getattr(actor, "pk", None) else None
    row.full_clean()
    row.save()
    audit_record(actor=actor, action="core.local_rule_set", target=row, data={"key": key, "old": old, "new": parsed})
    return row


post_save.connect(local_rule_cache_clear, sender=LocalRuleValue, dispatch_uid="local_rule_cache_save")
post_delete.connect(local_rule_cache_clear, sender=LocalRuleValue, dispatch_uid="local_rule_cache_delete")
