"""Reads of decisions shared by pages (no access rules: public data only)."""

from __future__ import annotations

from typing import Any

from sunshine.decisions.access import consultations_public
from sunshine.decisions.models import Consultation


def open_consultations(limit: int = 5) -> list[Any]:
    """The drafts open for comment now, newest first (the home page's panel)."""
    return list(consultations_public().filter(status=Consultation.Status.OPEN)[:limit])
