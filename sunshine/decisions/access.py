"""Who may see and do what in decisions. Views read user-facing lists and objects only
through here.

* The bureau's leaders and the staff of its departments prepare items, run the
  leadership meetings, consultations, tasks and projects of the bureau, and read those
  of its schools.
* A school's principal and clerk do the same for their school (its leadership meeting
  and staff congress).
* Discipline inspectors read everything of their bureau and see the red flags.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from sunshine.decisions.models import Consultation, DecisionItem, Meeting, Project, Task, TitleRound
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Organization, Role

BUREAU_ROLES = (Role.LEADER, Role.DEPARTMENT_STAFF)
SCHOOL_ROLES = (Role.PRINCIPAL, Role.SCHOOL_CLERK)
READER_ROLES = (Role.DISCIPLINE_INSPECTOR,)
WORKBENCH_ROLES = (*BUREAU_ROLES, *SCHOOL_ROLES, *READER_ROLES)


def _bureau_ids(user: Any, *roles: str) -> set[int]:
    ids: set[int] = set()
    for org in organizations_of(user, *roles).select_related("parent"):
        if org.kind == Organization.Kind.BUREAU:
            ids.add(org.pk)
        elif org.kind == Organization.Kind.DEPARTMENT and org.parent_id:
            ids.add(org.parent_id)
    return ids


def managed_organizations(user: Any) -> QuerySet[Organization]:
    """Where the user prepares items and runs meetings: their bureau, or their school."""
    bureaus = _bureau_ids(user, *BUREAU_ROLES)
    schools = organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL).values("pk")
    return Organization.objects.filter(Q(pk__in=bureaus) | Q(pk__in=schools))


def visible_organizations(user: Any) -> QuerySet[Organization]:
    """Whose records the user reads: their bureaus with the bureau's schools, or their school."""
    bureaus = _bureau_ids(user, *BUREAU_ROLES, *READER_ROLES)
    schools = organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL).values("pk")
    return Organization.objects.filter(
        Q(pk__in=bureaus) | Q(parent__in=bureaus, kind=Organization.Kind.SCHOOL) | Q(pk__in=schools)
    )


def can_manage(user: Any, organization: Organization) -> bool:
    return managed_organizations(user).filter(pk=organization.pk).exists()


def can_use_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def can_see_red_flags(user: Any) -> bool:
    return has_role(user, Role.DISCIPLINE_INSPECTOR, Role.LEADER)


def items_visible_to(user: Any) -> QuerySet[DecisionItem]:
    return DecisionItem.objects.filter(organization__in=visible_organizations(user))


def item_get_for(user: Any, pk: int) -> DecisionItem:
    return get_object_or_404(items_visible_to(user).select_related("organization", "proposer"), pk=pk)


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organization__in=visible_organizations(user))


def meeting_get_for(user: Any, pk: int) -> Meeting:
    return get_object_or_404(meetings_visible_to(user).select_related("organization", "minutes"), pk=pk)


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    return Consultation.objects.filter(item__organization__in=visible_organizations(user))


def consultation_get_for(user: Any, pk: int) -> Consultation:
    return get_object_or_404(consultations_visible_to(user).select_related("item", "item__organization"), pk=pk)


def projects_visible_to(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(organization__in=visible_organizations(user))


def project_get_for(user: Any, pk: int) -> Project:
    return get_object_or_404(projects_visible_to(user).select_related("item", "organization"), pk=pk)


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    return Task.objects.filter(
        Q(item__organization__in=visible_organizations(user)) | Q(unit__in=organizations_of(user))
    )


def rounds_visible_to(user: Any) -> QuerySet[TitleRound]:
    return TitleRound.objects.filter(organization__in=visible_organizations(user))


def round_get_for(user: Any, pk: int) -> TitleRound:
    return get_object_or_404(rounds_visible_to(user).select_related("organization"), pk=pk)


# --- Public -------------------------------------------------------------------------------


def consultations_public() -> QuerySet[Consultation]:
    """Every consultation: open ones take comments, closed ones show their report."""
    return Consultation.objects.select_related("item", "item__organization")


def consultation_public_get(pk: int) -> Consultation:
    return get_object_or_404(consultations_public(), pk=pk)


def decisions_public() -> QuerySet[DecisionItem]:
    return DecisionItem.objects.filter(published_at__isnull=False, status=DecisionItem.Status.DECIDED)


def decision_public_get(pk: int) -> DecisionItem:
    return get_object_or_404(decisions_public().select_related("organization"), pk=pk)


# --- Files and documents --------------------------------------------------------------------


def material_file_access(user: Any, stored_file: Any) -> bool:
    """Registered with core.uploads for "decisions.material": whoever reads the item."""
    return (
        items_visible_to(user)
        .filter(Q(materials__stored_file=stored_file) | Q(steps__stored_file=stored_file))
        .exists()
    )


def minutes_may_issue(actor: Any, organization: Organization) -> bool:
    return can_manage(actor, organization)


def minutes_may_read(user: Any, document: Any) -> bool:
    return meetings_visible_to(user).filter(pk=document.item_id).exists()


def report_may_read(user: Any, document: Any) -> bool:
    return consultations_visible_to(user).filter(pk=document.item_id).exists()
