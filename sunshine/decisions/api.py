"""A small read-only API: decisions published and drafts open for comment (JSON)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone

from sunshine.decisions import access
from sunshine.decisions.models import Consultation


def decisions_api(request: HttpRequest) -> JsonResponse:
    rows = access.decisions_public().select_related("organization").order_by("-decided_at")[:100]
    return JsonResponse(
        {
            "decisions": [
                {
                    "id": item.pk,
                    "title": item.public_title,  # as it passed the personal-data gate
                    "organization": item.organization.name,
                    "category": str(item.get_category_display()),
                    "decided_on": timezone.localdate(item.decided_at).isoformat() if item.decided_at else None,
                    "url": reverse("decisions:public-decision", args=[item.pk]),
                }
                for item in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


def consultations_api(request: HttpRequest) -> JsonResponse:
    rows = access.consultations_public().filter(status=Consultation.Status.OPEN)
    return JsonResponse(
        {
            "consultations": [
                {
                    "id": c.pk,
                    "title": c.title,
                    "organization": c.item.organization.name,
                    "open_until": c.closes_on.isoformat(),
                    "url": reverse("decisions:public-consultation", args=[c.pk]),
                }
                for c in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
