"""Reads of decisions shared by pages and core's registry."""

from __future__ import annotations

from typing import Any

from sunshine.decisions import rules
from sunshine.decisions.access import consultations_public, visible_organizations
from sunshine.decisions.models import Consultation, Contract, Tender


def open_consultations(limit: int = 5) -> list[Any]:
    """The drafts open for comment now, newest first (the home page's panel)."""
    return list(consultations_public().filter(status=Consultation.Status.OPEN)[:limit])


def red_flags_for(user: Any) -> list[rules.RedFlag]:
    """The red flags of the tenders and purchases the user may read (computed live)."""
    organizations = visible_organizations(user)
    return rules.red_flags(
        tenders=Tender.objects.filter(project__organization__in=organizations),
        contracts=Contract.objects.filter(organization__in=organizations),
    )


def red_flag_count(user: Any) -> int:
    """The workbench home's tile for discipline inspectors and leaders."""
    return len(red_flags_for(user))
