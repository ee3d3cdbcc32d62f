from django import template

from sunshine.funds.services import yuan

register = template.Library()


@register.filter
def fen_yuan(fen: int | None) -> str:
    return yuan(int(fen or 0))


@register.filter
def bp_pct(bp: int | None) -> str:
    return f"{int(bp or 0) / 100:g}"
