"""Template helpers of the login pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.helpers import get_cool_off
from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def lockout_retry_at(context: dict[str, Any]) -> datetime | None:
    """When a locked-out account and address may try again: every refused attempt
    restarts axes's cool-off, so it is this attempt's time plus the cool-off."""
    request = context.get("request")
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    started = getattr(request, "axes_attempt_time", None) or timezone.now()
    return started + cool_off
