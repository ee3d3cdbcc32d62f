"""Who may see and do what in funds. Views read user-facing lists and objects only
through here; every write service checks its right with these functions.

* Finance staff — a fee reviewer (财务审核) of the bureau or of one of its departments
  (the 计划财务股): create funds and allocations, record and import disbursements,
  pay projects, issue statements, publish a school's funds page, order a lagging
  allocation's rectification.
* Department staff of the bureau: read every fund of the bureau; certify a project's
  progress when they are its named certifier (or, when none is named, any of them).
  The one who pays never certifies: finance staff do not certify progress.
* Leaders of the bureau: read everything; may order a rectification.
* A school's clerk and principal: read their own school's allocations and arrivals.
* Everyone: a school's public funds page (what arrived, when) and the statements the
  bureau published.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sunshine.core.models import StoredFile
from sunshine.funds.models import Allocation, Fund, LagAlert, ProgressCertification
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Organization, Role

FINANCE_ROLES = (Role.FEE_REVIEWER,)
READER_ROLES = (Role.FEE_REVIEWER, Role.DEPARTMENT_STAFF, Role.LEADER)
SCHOOL_ROLES = (Role.SCHOOL_CLERK, Role.PRINCIPAL)


def _bureau_ids(user: Any, *roles: str) -> set[int]:
    ids: set[int] = set()
    for org in organizations_of(user, *roles).select_related("parent"):
        try:
            ids.add(org.bureau.pk)
        except ValueError:
            continue
    return ids


def finance_bureau_ids(user: Any) -> set[int]:
    return _bureau_ids(user, *FINANCE_ROLES)


def reader_bureau_ids(user: Any) -> set[int]:
    return _bureau_ids(user, *READER_ROLES)


def own_school_ids(user: Any) -> set[int]:
    return set(organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL).values_list("pk", flat=True))


def can_use_workbench(user: Any) -> bool:
    return has_role(user, *READER_ROLES, *SCHOOL_ROLES)


def is_bureau_reader(user: Any) -> bool:
    return bool(reader_bureau_ids(user))


def can_manage_bureau(user: Any, bureau: Organization) -> bool:
    """Finance staff of ``bureau``."""
    return bureau.pk in finance_bureau_ids(user)


def can_manage_fund(user: Any, fund: Fund) -> bool:
    return fund.bureau_id in finance_bureau_ids(user)


def can_order_rectification(user: Any, fund: Fund) -> bool:
    return fund.bureau_id in _bureau_ids(user, Role.FEE_REVIEWER, Role.LEADER)


def can_certify(user: Any, allocation: Allocation) -> bool:
    """FND-2: the project's certifier; without one named, the bureau's department staff."""
    if not allocation.fund.is_project or not getattr(user, "is_authenticated", False):
        return False
    if allocation.certifier_id is not None:
        # The one who pays never certifies: a finance role does not count here.
        certifiers = _bureau_ids(user, Role.DEPARTMENT_STAFF, Role.LEADER)
        return bool(allocation.certifier_id == user.pk and allocation.fund.bureau_id in certifiers)
    return allocation.fund.bureau_id in _bureau_ids(user, Role.DEPARTMENT_STAFF)


def funds_visible_to(user: Any) -> QuerySet[Fund]:
    bureaus = reader_bureau_ids(user)
    schools = own_school_ids(user)
    if not bureaus and not schools:
        return Fund.objects.none()
    funds = Fund.objects.filter(bureau_id__in=bureaus)
    if schools:
        funds = funds | Fund.objects.filter(allocations__organization_id__in=schools)
    return funds.distinct()


def allocations_visible_to(user: Any) -> QuerySet[Allocation]:
    bureaus = reader_bureau_ids(user)
    schools = own_school_ids(user)
    return Allocation.objects.filter(fund__bureau_id__in=bureaus) | Allocation.objects.filter(
        organization_id__in=schools
    )


def fund_get_for(user: Any, pk: int) -> Fund:
    return get_object_or_404(funds_visible_to(user), pk=pk)


def allocation_get_for(user: Any, pk: int) -> Allocation:
    return get_object_or_404(allocations_visible_to(user).select_related("fund", "organization"), pk=pk)


def fund_allocations_for(user: Any, fund: Fund) -> QuerySet[Allocation]:
    return allocations_visible_to(user).filter(fund=fund)


def alerts_visible_to(user: Any) -> QuerySet[LagAlert]:
    return LagAlert.objects.filter(allocation__in=allocations_visible_to(user).values("pk"))


def alert_get_for(user: Any, pk: int) -> LagAlert:
    return get_object_or_404(alerts_visible_to(user).select_related("allocation__fund"), pk=pk)


def schools_public() -> QuerySet[Organization]:
    """Schools with at least one allocation: each has a public funds page."""
    return Organization.objects.filter(
        kind=Organization.Kind.SCHOOL, fund_allocations__isnull=False, is_active=True
    ).distinct()


def school_public_get(code: str) -> Organization:
    return get_object_or_404(schools_public(), code=code)


def evidence_file_access(user: Any, stored: StoredFile) -> bool:
    """Evidence of progress: read by whoever may read the allocation."""
    cert = ProgressCertification.objects.filter(evidence=stored).select_related("allocation").first()
    return cert is not None and allocations_visible_to(user).filter(pk=cert.allocation_id).exists()


def import_file_access(user: Any, stored: StoredFile) -> bool:
    from sunshine.funds.models import DisbursementImport

    batch = DisbursementImport.objects.filter(stored_file=stored).select_related("fund").first()
    return batch is not None and batch.fund.bureau_id in reader_bureau_ids(user)


def statement_may_issue(user: Any, organization: Organization) -> bool:
    return can_manage_bureau(user, organization)


def statement_may_read(user: Any, document: Any) -> bool:
    return document.organization_id in reader_bureau_ids(user)
