"""Who may see and do what in fees. Views never query the models for a user-facing
read without going through here.

* fee reviewer (bureau or a department): every school of their bureau; reviews
  declarations, runs audits, confirms findings, issues and verifies refund orders,
  keeps the catalogue.
* school clerk / principal: their own school only; declares, generates and publishes
  the notice, uploads ledgers, records refunds.
* leader: reads everything of their bureau.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sunshine.fees.models import (
    CatalogueItem,
    FeeDeclaration,
    FeeNotice,
    Finding,
    LedgerMapping,
    LedgerUpload,
    RefundOrder,
)
from sunshine.orgs.access import has_role, organizations_of
from sunshine.orgs.models import Organization, Role, Term

SCHOOL_ROLES = (Role.SCHOOL_CLERK, Role.PRINCIPAL)
BUREAU_ROLES = (Role.FEE_REVIEWER, Role.LEADER)
WORKBENCH_ROLES = (*SCHOOL_ROLES, *BUREAU_ROLES)


def bureaus_of(user: Any, *roles: str) -> list[Organization]:
    """The bureaus in which the user holds one of ``roles`` (directly or in a department)."""
    return list({org.bureau.pk: org.bureau for org in organizations_of(user, *roles).select_related("parent")}.values())


def fee_schools_visible_to(user: Any) -> QuerySet[Organization]:
    """Schools whose fee records the user may read."""
    bureaus = bureaus_of(user, *BUREAU_ROLES)
    own = organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL)
    schools = Organization.objects.filter(kind=Organization.Kind.SCHOOL)
    if bureaus:
        return schools.filter(parent__in=bureaus) | schools.filter(pk__in=own.values("pk"))
    return schools.filter(pk__in=own.values("pk"))


def fee_schools_managed_by(user: Any) -> QuerySet[Organization]:
    """Schools for which the user declares, publishes, uploads and records refunds."""
    return organizations_of(user, *SCHOOL_ROLES).filter(kind=Organization.Kind.SCHOOL)


def reviewer_bureaus(user: Any) -> list[Organization]:
    return bureaus_of(user, Role.FEE_REVIEWER)


def can_review(user: Any, school: Organization) -> bool:
    """The fee reviewer of the school's bureau."""
    return has_role(user, Role.FEE_REVIEWER) and any(b.pk == school.parent_id for b in reviewer_bureaus(user))


def can_review_bureau(user: Any, bureau: Organization) -> bool:
    """The fee reviewer of ``bureau``: keeps its catalogue."""
    return any(b.pk == bureau.pk for b in reviewer_bureaus(user))


def can_manage_school(user: Any, school: Organization) -> bool:
    return fee_schools_managed_by(user).filter(pk=school.pk).exists()


def can_import_ledger(user: Any, school: Organization) -> bool:
    """The school's clerk or principal, or the fee reviewer of its bureau."""
    return can_manage_school(user, school) or can_review(user, school)


def can_use_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def fee_declarations_visible_to(user: Any) -> QuerySet[FeeDeclaration]:
    return FeeDeclaration.objects.filter(school__in=fee_schools_visible_to(user))


def fee_notices_visible_to(user: Any) -> QuerySet[FeeNotice]:
    return FeeNotice.objects.filter(school__in=fee_schools_visible_to(user))


def ledgers_visible_to(user: Any) -> QuerySet[LedgerUpload]:
    return LedgerUpload.objects.filter(school__in=fee_schools_visible_to(user))


def findings_visible_to(user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(school__in=fee_schools_visible_to(user))


def refund_orders_visible_to(user: Any) -> QuerySet[RefundOrder]:
    return RefundOrder.objects.filter(school__in=fee_schools_visible_to(user))


def ledger_mappings_visible_to(user: Any) -> QuerySet[LedgerMapping]:
    return LedgerMapping.objects.filter(school__in=fee_schools_visible_to(user))


def fee_terms_visible_to(user: Any) -> QuerySet[Term]:
    """The terms of the bureaus whose schools the user may read."""
    return Term.objects.filter(bureau__in=fee_schools_visible_to(user).values("parent_id"))


def catalogue_items_visible_to(user: Any) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(term__in=fee_terms_visible_to(user))


def fee_notices_public() -> QuerySet[FeeNotice]:
    """What the public site shows: published notices."""
    return FeeNotice.objects.filter(status=FeeNotice.Status.PUBLISHED)


def fee_school_public_get(code: str) -> Organization:
    """An active school by its code, for its public notice page; Http404 otherwise."""
    return get_object_or_404(Organization, code=code, kind=Organization.Kind.SCHOOL, is_active=True)


def ledger_file_access(user: Any, stored_file: Any) -> bool:
    """Registered with core.uploads for purpose "fees.ledger": whoever may read the ledger."""
    return ledgers_visible_to(user).filter(stored_file=stored_file).exists()


def refund_document_may_issue(actor: Any, organization: Organization) -> bool:
    """The 清退通知书 is issued in the bureau's name by its fee reviewers and leaders."""
    return any(b.pk == organization.pk for b in bureaus_of(actor, *BUREAU_ROLES))


def refund_document_may_read(user: Any, document: Any) -> bool:
    """The bureau's reviewers and the school it is addressed to read the 清退通知书."""
    return refund_orders_visible_to(user).filter(pk=document.item_id).exists()
