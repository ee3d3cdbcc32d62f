"""Who may see the reports.

* leader (at the bureau or one of its departments): the dashboard of the bureau, each
  department and each school of the bureau's tree; the annual work summary.
* principal: the dashboard of their own school only.
* department staff and the discipline inspector of the bureau: write the annual
  summary's narrative and issue it (with the leaders); they do not see the dashboard.
* everyone else, the three administrators included: nothing here. The public
  statistics page (open figures) is for everyone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from sunshine.orgs.access import organizations_of
from sunshine.orgs.models import Organization, Role

SUMMARY_ROLES = (Role.LEADER, Role.DEPARTMENT_STAFF, Role.DISCIPLINE_INSPECTOR)


def leader_bureaus(user: Any) -> list[Organization]:
    """The bureaus in which the user is a leader (at the bureau or in a department)."""
    found = organizations_of(user, Role.LEADER).select_related("parent")
    return list({org.bureau.pk: org.bureau for org in found}.values())


def dashboard_organizations(user: Any) -> QuerySet[Organization]:
    """The organisations whose dashboard the user may open, the bureaus first."""
    bureaus = leader_bureaus(user)
    schools = organizations_of(user, Role.PRINCIPAL).filter(kind=Organization.Kind.SCHOOL)
    found = Organization.objects.filter(pk__in=schools.values("pk"))
    for bureau in bureaus:
        found = found | Organization.objects.filter(path__startswith=bureau.path)
    return found.filter(is_active=True).distinct().order_by("path")


def can_see_dashboard(user: Any) -> bool:
    return bool(leader_bureaus(user)) or organizations_of(user, Role.PRINCIPAL).exists()


def dashboard_organization_for(user: Any, pk: Any) -> Organization:
    """The organisation ``pk`` if the user may see its dashboard, else 404."""
    try:
        return dashboard_organizations(user).get(pk=int(pk))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def summary_bureaus(user: Any) -> list[Organization]:
    """The bureaus whose annual summary the user may write and issue."""
    found = organizations_of(user, *SUMMARY_ROLES).select_related("parent")
    return list({org.bureau.pk: org.bureau for org in found if org.kind != Organization.Kind.SCHOOL}.values())


def can_write_summary(user: Any) -> bool:
    return bool(summary_bureaus(user))


def summary_may_issue(actor: Any, organization: Organization) -> bool:
    from sunshine.core.actors import is_system

    return is_system(actor) or any(b.pk == organization.pk for b in summary_bureaus(actor))
