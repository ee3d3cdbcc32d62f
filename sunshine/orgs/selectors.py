"""Reads of organisations that several modules share."""

from __future__ import annotations

from django.conf import settings

from sunshine.orgs.models import Organization


def site_bureau() -> Organization | None:
    """The bureau this installation's public site speaks for: ``SUNSHINE_SITE["bureau_code"]``
    when set, else the first top-level bureau (the only one in a district installation).
    A city installation hosting several bureaus sets the code per site."""
    bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU, is_active=True)
    code = settings.SUNSHINE_SITE.get("bureau_code")
    if code:
        return bureaus.filter(code=code).first()
    return bureaus.filter(parent__isnull=True).order_by("pk").first()
