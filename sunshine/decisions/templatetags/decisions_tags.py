"""Template filters of decisions: money in yuan, shares in per cent."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return f"{(fen or 0) / 100:,.2f}"


@register.filter
def percent_bp(bp: int | None) -> str:
    return f"{(bp or 0) / 100:.2f}%"


@register.filter
def share_of(fen: int | None, ceiling: int | None) -> str:
    if not ceiling:
        return "—"
    return f"{100 * (fen or 0) / ceiling:.2f}%"
