"""The rules of decisions as code: OVS-3 (what must be decided collectively), DEC-2
(the statutory steps), DEC-3 (quorum without those who step aside, the principal last)
and the red flags of tenders and purchases shown to discipline inspection."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from sunshine.core.local_rules import local_rule
from sunshine.decisions.models import AgendaItem, Category, Contract, DecisionItem, Step, Tender

# Red flags (discipline inspection): a winning price at or above this share of the ceiling,
# purchases of the same purpose within this many days, the same winner this many times.
PRICE_NEAR_CEILING = Fraction(98, 100)
SPLIT_WINDOW_DAYS = 90
REPEAT_WINNER_TIMES = 3
REPEAT_WINNER_DAYS = 365


def share(value: Any) -> Fraction:
    """A LOCAL share as an exact fraction: 0.6667 is two thirds, 0.5 one half."""
    return Fraction(str(value)).limit_denominator(100)


def threshold_fen() -> int:
    """OVS-3: the large-expenditure threshold, in fen."""
    return int(local_rule("OVS-3-threshold-fen"))


def category_error(category: str, amount_fen: int) -> str:
    """OVS-3: a large expenditure is one at or above the LOCAL threshold."""
    if category == Category.LARGE_EXPENDITURE and amount_fen < threshold_fen():
        return _("A large expenditure is one of at least %(yuan)s yuan; this amount is below it.") % {
            "yuan": f"{threshold_fen() / 100:,.0f}"
        }
    return ""


def steps_missing(item: DecisionItem) -> list[str]:
    """DEC-2: the statutory steps a major administrative decision still lacks."""
    if not item.major_administrative:
        return []
    done = set(item.steps.values_list("step", flat=True))
    return [step for step in Step.values if step not in done]


def steps_missing_labels(item: DecisionItem) -> list[str]:
    return [str(Step(step).label) for step in steps_missing(item)]


@dataclass(frozen=True)
class Quorum:
    members: int  # not stepping aside
    present: int
    needed: Fraction
    strict: bool  # present share must be strictly more than ``needed``

    @property
    def share(self) -> Fraction:
        return Fraction(self.present, self.members) if self.members else Fraction(0)

    @property
    def met(self) -> bool:
        if self.members == 0:
            return False
        return self.share > self.needed if self.strict else self.share >= self.needed


def quorum(agenda_item: AgendaItem) -> Quorum:
    """DEC-3: the quorum of one agenda item, recomputed without the members who step
    aside: more than ``DEC-3-quorum`` of them present, or at least
    ``DEC-3-quorum-appointments`` for an appointment or removal."""
    recused = set(agenda_item.recusals.values_list("member_id", flat=True))
    members = [m for m in agenda_item.meeting.members.all() if m.pk not in recused]
    present = sum(1 for m in members if m.present)
    if agenda_item.item.category == Category.APPOINTMENT:
        return Quorum(len(members), present, share(local_rule("DEC-3-quorum-appointments")), strict=False)
    return Quorum(len(members), present, share(local_rule("DEC-3-quorum")), strict=True)


def principal_last() -> bool:
    return bool(local_rule("DEC-3-principal-last"))


# --- Red flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlag:
    kind: str
    label: str
    detail: str
    organization_id: int
    on: date
    project_id: int | None = None


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def tender_flags(tenders: Any) -> list[RedFlag]:
    """Single bidder, winning price at or above 98% of the ceiling, the same winner again
    and again (within a year in the same bureau)."""
    flags: list[RedFlag] = []
    wins: dict[tuple[int, str], list[date]] = defaultdict(list)
    bureau_of: dict[int, int] = {}
    rows = list(tenders.select_related("project", "project__organization", "winner").prefetch_related("bids"))
    for tender in rows:
        project = tender.project
        bids = list(tender.bids.all())
        if len(bids) == 1:
            flags.append(
                RedFlag(
                    "single_bidder",
                    _("Single bidder"),
                    _("%(project)s: only %(bidder)s bid.") % {"project": project.title, "bidder": bids[0].bidder},
                    project.organization_id,
                    tender.opened_on,
                    project.pk,
                )
            )
        if tender.winner is not None:
            if Fraction(tender.winner.amount_fen) >= PRICE_NEAR_CEILING * project.ceiling_fen:
                flags.append(
                    RedFlag(
                        "near_ceiling",
                        _("Winning price near the ceiling"),
                        _("%(project)s: won at %(price)s yuan against a ceiling of %(ceiling)s yuan.")
                        % {
                            "project": project.title,
                            "price": _yuan(tender.winner.amount_fen),
                            "ceiling": _yuan(project.ceiling_fen),
                        },
                        project.organization_id,
                        tender.awarded_on or tender.opened_on,
                        project.pk,
                    )
                )
            # The bureau above each organisation, found once per organisation (walking up
            # the tree for every tender cost a query each).
            bureau_id = bureau_of.get(project.organization_id)
            if bureau_id is None:
                bureau_id = bureau_of[project.organization_id] = project.organization.bureau.pk
            wins[(bureau_id, tender.winner.bidder)].append(tender.awarded_on or tender.opened_on)
    for (bureau_id, bidder), days in wins.items():
        days.sort()
        for i in range(len(days) - REPEAT_WINNER_TIMES + 1):
            if (days[i + REPEAT_WINNER_TIMES - 1] - days[i]).days <= REPEAT_WINNER_DAYS:
                flags.append(
                    RedFlag(
                        "repeat_winner",
                        _("The same winner again and again"),
                        _("%(bidder)s won %(count)s tenders within a year.") % {"bidder": bidder, "count": len(days)},
                        bureau_id,
                        days[-1],
                    )
                )
                break
    return flags


def split_flags(contracts: Any) -> list[RedFlag]:
    """Purchases split below the threshold: several contracts of one organisation for the
    same purpose within a short window, each under the OVS-3 threshold, together at or
    above it."""
    limit = threshold_fen()
    groups: dict[tuple[int, str], list[Contract]] = defaultdict(list)
    for contract in contracts.filter(price_fen__lt=limit).order_by("signed_on", "pk"):
        groups[(contract.organization_id, contract.purpose.strip())].append(contract)
    flags: list[RedFlag] = []
    for (org_id, purpose), rows in groups.items():
        start = 0
        total = 0
        for end, contract in enumerate(rows):
            total += contract.price_fen
            while contract.signed_on - rows[start].signed_on > timedelta(days=SPLIT_WINDOW_DAYS):
                total -= rows[start].price_fen
                start += 1
            if end - start >= 1 and total >= limit:
                flags.append(
                    RedFlag(
                        "split",
                        _("Purchase split below the threshold"),
                        _("%(purpose)s: %(count)s contracts within %(days)s days, %(total)s yuan together.")
                        % {
                            "purpose": purpose,
                            "count": end - start + 1,
                            "days": SPLIT_WINDOW_DAYS,
                            "total": _yuan(total),
                        },
                        org_id,
                        contract.signed_on,
                    )
                )
                break
    return flags


def red_flags(*, tenders: Any = None, contracts: Any = None) -> list[RedFlag]:
    """Every red flag, computed live from the tenders and contracts given."""
    tenders = Tender.objects.all() if tenders is None else tenders
    contracts = Contract.objects.all() if contracts is None else contracts
    return sorted(tender_flags(tenders) + split_flags(contracts), key=lambda f: f.on, reverse=True)
