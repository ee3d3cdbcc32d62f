"""Who may see and do what in oversight. Views read only through here.

* bureau overseers (leader, discipline inspector, department staff of the bureau or its
  departments): every school of their bureau; issue and verify rectification orders, run
  evaluations, circulate documents, decide appeals.
* school clerk / principal: their own school; report rectification with evidence,
  confirm circulars, appeal a veto. A covert inspection stays hidden until filed.
* social supervisor: their own appointments and inspections.
* talks and sanctions: discipline inspectors and leaders only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Organization, Role
from sunshine.oversight.models import (
    AdvancedList,
    Campaign,
    CampaignReturn,
    Circular,
    CircularConfirmation,
    Evaluation,
    Inspection,
    InspectionFinding,
    RectificationItem,
    RectificationOrder,
    SupervisorAppointment,
    Talk,
    Veto,
)

SCHOOL_ROLES = (Role.SCHOOL_CLERK, Role.PRINCIPAL)
BUREAU_ROLES = (Role.LEADER, Role.DISCIPLINE_INSPECTOR, Role.DEPARTMENT_STAFF)
TALK_ROLES = (Role.LEADER, Role.DISCIPLINE_INSPECTOR)
WORKBENCH_ROLES = (*SCHOOL_ROLES, *BUREAU_ROLES, Role.SUPERVISOR)


def bureaus_of(user: Any, *roles: str) -> list[Organization]:
    return list({org.bureau.pk: org.bureau for org in organizations_of(user, *roles).select_related("parent")}.values())


def bureau_ids(user: Any, *roles: str) -> set[int]:
    return {b.pk for b in bureaus_of(user, *(roles or BUREAU_ROLES))}


def own_schools(user: Any) -> QuerySet[Organization]:
    return organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL)


def schools_visible_to(user: Any) -> QuerySet[Organization]:
    schools = Organization.objects.filter(kind=Organization.Kind.SCHOOL)
    return schools.filter(Q(parent__in=bureau_ids(user)) | Q(pk__in=own_schools(user).values("pk")))


def can_use_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def is_overseer(user: Any, bureau: Organization | None = None) -> bool:
    ids = bureau_ids(user)
    return bool(ids) if bureau is None else bureau.bureau.pk in ids


def can_manage_school(user: Any, school: Organization) -> bool:
    return own_schools(user).filter(pk=school.pk).exists()


# --- rectification ------------------------------------------------------------------------


def orders_visible_to(user: Any) -> QuerySet[RectificationOrder]:
    return RectificationOrder.objects.filter(
        Q(organization__in=schools_visible_to(user))
        | Q(issuer__in=bureau_ids(user))
        | Q(organization__parent__in=bureau_ids(user))
    ).distinct()


def order_get_for(user: Any, pk: int) -> RectificationOrder:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(orders_visible_to(user).select_related("organization", "issuer"), pk=pk)


def can_report(user: Any, item: RectificationItem) -> bool:
    """The staff of the unit the order is addressed to (a school's clerk or principal)."""
    return organizations_of(user, *SCHOOL_ROLES, Role.DEPARTMENT_STAFF).filter(pk=item.order.organization_id).exists()


def can_verify(user: Any, item: RectificationItem) -> bool:
    return item.order.issuer.bureau.pk in bureau_ids(user)


def evidence_file_access(user: Any, stored_file: Any) -> bool:
    items = RectificationItem.objects.filter(evidence=stored_file)
    return items.filter(order__in=orders_visible_to(user)).exists()


# --- supervisors ---------------------------------------------------------------------------


def appointments_of(user: Any) -> QuerySet[SupervisorAppointment]:
    if not has_role(user, Role.SUPERVISOR):
        return SupervisorAppointment.objects.none()
    return SupervisorAppointment.objects.filter(user=user)


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    """The supervisor's own; the bureau's overseers all of theirs; a school its own,
    a covert visit only once its report is filed."""
    own_school_ids = own_schools(user).values("pk")
    return Inspection.objects.filter(
        Q(appointment__in=appointments_of(user))
        | Q(appointment__bureau__in=bureau_ids(user))
        | (Q(school__in=own_school_ids) & (Q(mode=Inspection.Mode.OPEN) | Q(status=Inspection.Status.FILED)))
    ).distinct()


def inspection_get_for(user: Any, pk: int) -> Inspection:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(inspections_visible_to(user).select_related("school", "appointment"), pk=pk)


def can_inspect(user: Any, inspection: Inspection) -> bool:
    return appointments_of(user).filter(pk=inspection.appointment_id).exists()


def photo_file_access(user: Any, stored_file: Any) -> bool:
    return InspectionFinding.objects.filter(photos=stored_file, inspection__in=inspections_visible_to(user)).exists()


# --- evaluation, veto, circulars, talks -----------------------------------------------------


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(indicator_set__bureau__in=bureau_ids(user))


def evaluation_get_for(user: Any, pk: int) -> Evaluation:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(evaluations_visible_to(user).select_related("indicator_set__bureau"), pk=pk)


def evaluations_public() -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(status=Evaluation.Status.ISSUED)


def advanced_lists_public() -> QuerySet[AdvancedList]:
    return AdvancedList.objects.filter(published_at__isnull=False)


def vetoes_visible_to(user: Any) -> QuerySet[Veto]:
    return Veto.objects.filter(school__in=schools_visible_to(user))


def veto_get_for(user: Any, pk: int) -> Veto:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(vetoes_visible_to(user).select_related("school"), pk=pk)


def circulars_visible_to(user: Any) -> QuerySet[Circular]:
    return Circular.objects.filter(
        Q(bureau__in=bureau_ids(user)) | Q(confirmations__school__in=own_schools(user).values("pk"))
    ).distinct()


def circular_get_for(user: Any, pk: int) -> Circular:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(circulars_visible_to(user), pk=pk)


def confirmations_visible_to(user: Any, circular: Circular) -> QuerySet[CircularConfirmation]:
    rows = CircularConfirmation.objects.filter(circular=circular).select_related("school")
    if is_overseer(user, circular.bureau):
        return rows
    return rows.filter(school__in=own_schools(user).values("pk"))


def can_read_talks(user: Any) -> bool:
    return bool(bureau_ids(user, *TALK_ROLES))


def talks_visible_to(user: Any) -> QuerySet[Talk]:
    return Talk.objects.filter(bureau__in=bureau_ids(user, *TALK_ROLES))


def talk_file_access(user: Any, stored_file: Any) -> bool:
    return talks_visible_to(user).filter(record=stored_file).exists()


def bulletin_may_issue(actor: Any, organization: Organization) -> bool:
    """The bulletin is issued in the bureau's name by its overseers (or a scheduled job)."""
    from sunshine.core.actors import is_system

    return is_system(actor) or is_overseer(actor, organization)


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.filter(
        Q(bureau__in=bureau_ids(user)) | Q(returns__school__in=own_schools(user).values("pk"))
    ).distinct()


def campaign_get_for(user: Any, pk: int) -> Campaign:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(campaigns_visible_to(user), pk=pk)


def returns_visible_to(user: Any, campaign: Campaign) -> QuerySet[CampaignReturn]:
    rows = CampaignReturn.objects.filter(campaign=campaign).select_related("school")
    if is_overseer(user, campaign.bureau):
        return rows
    return rows.filter(school__in=own_schools(user).values("pk"))


def pledge_file_access(user: Any, stored_file: Any) -> bool:
    return (
        CampaignReturn.objects.filter(paper=stored_file, campaign__in=campaigns_visible_to(user))
        .filter(Q(campaign__bureau__in=bureau_ids(user)) | Q(school__in=own_schools(user).values("pk")))
        .exists()
    )


def attendance_file_access(user: Any, stored_file: Any) -> bool:
    """Attendance lists are read by the bureau's overseers only."""
    return is_overseer(user)
