"""Reads of disclosure that other pages share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sunshine.disclosure.models import Inspection


def bulletins_latest(*, limit: int = 5) -> list[dict[str, Any]]:
    """The home page's bulletins (通报): the newest published quarterly inspection bulletins."""
    from django.urls import reverse

    inspections = Inspection.objects.filter(status=Inspection.Status.PUBLISHED).order_by("-published_at")[:limit]
    return [
        {
            "title": _("Bulletin of the %(year)s Q%(quarter)s inspection of school disclosure")
            % {"year": item.year, "quarter": item.quarter},
            "url": reverse("disclosure:bulletin", args=[item.pk]),
            "date": item.published_at,
        }
        for item in inspections
    ]
