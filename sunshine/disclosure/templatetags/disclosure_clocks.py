"""Limits a disclosure page states, read from their clocks (never repeated in a template)."""

from __future__ import annotations

from django import template

from sunshine.core.clocks import clock_get
from sunshine.disclosure import rules

register = template.Library()


@register.simple_tag
def reply_days() -> int:
    """FOI-3: the working days within which a request is answered."""
    return clock_get(rules.REPLY_CLOCK).length
