from __future__ import annotations

from typing import Any

from django import template

from sunshine.fees.models import Category, FeeDeclaration, Unit

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen as yuan with two decimals (12345 → "123.45")."""
    if fen is None or fen == "":
        return ""
    value = int(fen)
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100:,}.{value % 100:02d}"


@register.filter
def category_label(value: str) -> str:
    return str(dict(Category.choices).get(value, value))


@register.filter
def unit_label(value: str) -> str:
    return str(dict(Unit.choices).get(value, value))


@register.filter
def scope_label(value: str) -> str:
    return str(dict(FeeDeclaration.Scope.choices).get(value, value))
