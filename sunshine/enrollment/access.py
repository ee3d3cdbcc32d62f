"""Who may see and do what in enrollment. Views read only through here.

* the bureau's department staff (the enrollment office) and leaders: manage the
  bureau's seasons, review applications (and read the child's identity: need to know),
  freeze and draw the lottery, publish the disclosures;
* everyone: the published disclosures, the lottery page, its bundle and the verifier;
  a family its own application, by its receipt code.
Schools and the other roles see no application.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sunshine.enrollment.models import Application, Disclosure, Lottery, Recruitment, Season
from sunshine.orgs.access import organizations_of
from sunshine.orgs.models import Organization, Role

MANAGER_ROLES = (Role.DEPARTMENT_STAFF, Role.LEADER)


def bureaus_managed_by(user: Any) -> list[Organization]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        {o.bureau.pk: o.bureau for o in organizations_of(user, *MANAGER_ROLES).select_related("parent")}.values()
    )


def can_manage(user: Any, bureau: Organization) -> bool:
    return any(b.pk == bureau.pk for b in bureaus_managed_by(user))


def can_use_workbench(user: Any) -> bool:
    return bool(bureaus_managed_by(user))


def seasons_managed_by(user: Any) -> QuerySet[Season]:
    return Season.objects.filter(bureau__in=bureaus_managed_by(user))


def season_managed_get(user: Any, pk: int) -> Season:
    return get_object_or_404(seasons_managed_by(user), pk=pk)


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(season__bureau__in=bureaus_managed_by(user)).select_related("season")


def application_get_for(user: Any, pk: int) -> Application:
    return get_object_or_404(applications_visible_to(user), pk=pk)


def seasons_public() -> QuerySet[Season]:
    """Seasons shown to the public: those whose policy is published."""
    return Season.objects.filter(disclosures__kind=Disclosure.Kind.POLICY).distinct().select_related("bureau")


def season_public_get(pk: int) -> Season:
    return get_object_or_404(seasons_public(), pk=pk)


def seasons_taking_applications() -> QuerySet[Season]:
    return seasons_public().filter(status=Season.Status.OPEN)


def lotteries_public() -> QuerySet[Lottery]:
    """Every lottery's frozen list is public from the freeze; the bundle once published."""
    return Lottery.objects.select_related("season", "season__bureau")


def lottery_public_get(pk: int) -> Lottery:
    return get_object_or_404(lotteries_public(), pk=pk)


def recruitments_public() -> QuerySet[Recruitment]:
    """Recruitments with a published list."""
    return Recruitment.objects.filter(lists__isnull=False).distinct().select_related("organization")


def recruitment_public_get(pk: int) -> Recruitment:
    return get_object_or_404(recruitments_public(), pk=pk)


def recruitments_managed_by(user: Any) -> QuerySet[Recruitment]:
    bureaus = bureaus_managed_by(user)
    return Recruitment.objects.filter(organization__in=bureaus) | Recruitment.objects.filter(
        organization__parent__in=bureaus
    )


def recruitment_managed_get(user: Any, pk: int) -> Recruitment:
    return get_object_or_404(recruitments_managed_by(user), pk=pk)
