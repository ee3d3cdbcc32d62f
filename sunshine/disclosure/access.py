"""Who may see and do what in disclosure.

* A school's catalogue is written by its clerks and principal; its principal approves.
* The bureau's catalogue is written and approved by the bureau's department staff
  (the office publishes for the bureau) and its leaders.
* FOI requests to a bureau are handled by its designated FOI office only — the
  department the system administrator marked ``handles_foi`` (the 办公室 in the
  demo): its staff and its head — and by the bureau's leaders. Other departments'
  staff never see an applicant's request. An extension (FOI-3) is approved by the
  office head (a leader of the FOI office) or a leader of the bureau.
* An applicant with an account sees their own requests (:func:`foi_requests_of`).
* The quarterly inspection is run by the bureau's department staff and leaders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from sunshine.disclosure.models import Category, Document, DocumentVersion, FoiRequest, Inspection
from sunshine.orgs.access import organizations_of
from sunshine.orgs.models import Organization, Role

WRITER_ROLES = (Role.SCHOOL_CLERK, Role.PRINCIPAL, Role.DEPARTMENT_STAFF, Role.LEADER)


def _bureaus_of(user: Any, *roles: str) -> QuerySet[Organization]:
    """Bureaus where the user holds ``roles`` in the bureau itself or in one of its departments."""
    orgs = organizations_of(user, *roles)
    return Organization.objects.filter(
        Q(pk__in=orgs.filter(kind=Organization.Kind.BUREAU).values("pk"))
        | Q(pk__in=orgs.filter(kind=Organization.Kind.DEPARTMENT).values("parent_id")),
        kind=Organization.Kind.BUREAU,
    )


def organizations_writable_by(user: Any) -> QuerySet[Organization]:
    """Organisations whose catalogue the user may write."""
    schools = organizations_of(user, Role.SCHOOL_CLERK, Role.PRINCIPAL).filter(kind=Organization.Kind.SCHOOL)
    bureaus = _bureaus_of(user, Role.DEPARTMENT_STAFF, Role.LEADER)
    return Organization.objects.filter(Q(pk__in=schools.values("pk")) | Q(pk__in=bureaus.values("pk")))


def organizations_approvable_by(user: Any) -> QuerySet[Organization]:
    """Organisations whose documents the user may approve for publication."""
    schools = organizations_of(user, Role.PRINCIPAL).filter(kind=Organization.Kind.SCHOOL)
    bureaus = _bureaus_of(user, Role.DEPARTMENT_STAFF, Role.LEADER)
    return Organization.objects.filter(Q(pk__in=schools.values("pk")) | Q(pk__in=bureaus.values("pk")))


def may_use_workbench(user: Any) -> bool:
    return organizations_writable_by(user).exists()


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """Staff: every document of the organisations they write for, in any state; bureau
    staff also read their schools' documents."""
    writable = organizations_writable_by(user)
    bureau_ids = list(writable.filter(kind=Organization.Kind.BUREAU).values_list("pk", flat=True))
    return Document.objects.filter(Q(organization__in=writable) | Q(organization__parent_id__in=bureau_ids))


def may_edit(user: Any, document: Document) -> bool:
    return organizations_writable_by(user).filter(pk=document.organization_id).exists()


def may_approve(user: Any, document: Document) -> bool:
    return organizations_approvable_by(user).filter(pk=document.organization_id).exists()


def documents_public() -> QuerySet[Document]:
    """What the public site shows: published at least once, not withdrawn."""
    return Document.objects.filter(first_published_at__isnull=False).exclude(status=Document.Status.WITHDRAWN)


def documents_archived() -> QuerySet[Document]:
    """The public archive (公开档案): documents once published, then withdrawn."""
    return Document.objects.filter(status=Document.Status.WITHDRAWN, first_published_at__isnull=False)


def versions_published() -> QuerySet[DocumentVersion]:
    """Every published version (a version exists only once published; withdrawn ones stay on record)."""
    return DocumentVersion.objects.all()


def categories_public() -> QuerySet[Category]:
    return Category.objects.all()


def organizations_public(*kinds: str) -> QuerySet[Organization]:
    """The active bureaus and schools whose catalogues the public site shows (``kinds`` narrows)."""
    wanted = kinds or (Organization.Kind.BUREAU, Organization.Kind.SCHOOL)
    return Organization.objects.filter(kind__in=wanted, is_active=True).order_by("code")


def organization_public_get(code: str, *kinds: str) -> Organization:
    """The bureau or school ``code`` of the public site; Http404 otherwise."""
    return get_object_or_404(organizations_public(*kinds), code=code)


def bulletins_public() -> QuerySet[Inspection]:
    """Published bulletins (通报) of the quarterly inspections."""
    return Inspection.objects.filter(status=Inspection.Status.PUBLISHED)


def _foi_bureaus(user: Any, *office_roles: str) -> QuerySet[Organization]:
    """Bureaus whose FOI office holds the user in ``office_roles``, or that the user leads."""
    office = organizations_of(user, *office_roles).filter(kind=Organization.Kind.DEPARTMENT, handles_foi=True)
    leads = organizations_of(user, Role.LEADER).filter(kind=Organization.Kind.BUREAU)
    return Organization.objects.filter(
        Q(pk__in=office.values("parent_id")) | Q(pk__in=leads.values("pk")), kind=Organization.Kind.BUREAU
    )


def foi_bureaus_of(user: Any) -> QuerySet[Organization]:
    """Bureaus whose FOI requests the user handles: staff or head of its FOI office, or its leader."""
    return _foi_bureaus(user, Role.DEPARTMENT_STAFF, Role.LEADER)


def foi_requests_visible_to(user: Any) -> QuerySet[FoiRequest]:
    return FoiRequest.objects.filter(organization__in=foi_bureaus_of(user))


def foi_request_get_for(user: Any, pk: Any) -> FoiRequest:
    """The request ``pk`` if ``user`` handles it; Http404 otherwise."""
    return get_object_or_404(foi_requests_visible_to(user), pk=pk)


def foi_requests_of(user: Any) -> QuerySet[FoiRequest]:
    """The requests the user filed with their account ("my requests")."""
    if not getattr(user, "is_authenticated", False):
        return FoiRequest.objects.none()
    return FoiRequest.objects.filter(requester_id=user.pk)


def may_handle_foi(user: Any, request: FoiRequest) -> bool:
    return foi_bureaus_of(user).filter(pk=request.organization_id).exists()


def foi_letter_readable(user: Any, document: Any) -> bool:
    """The readers of an issued FOI reply letter (core kind "disclosure.foi_reply"): the
    staff who may see the request (it names the applicant)."""
    return foi_requests_visible_to(user).filter(pk=document.item_id).exists()


def may_approve_extension(user: Any, request: FoiRequest) -> bool:
    """FOI-3: the office head approves an extension — a leader of the FOI office or of the bureau."""
    return _foi_bureaus(user, Role.LEADER).filter(pk=request.organization_id).exists()


def inspection_bureaus_of(user: Any) -> QuerySet[Organization]:
    return _bureaus_of(user, Role.DEPARTMENT_STAFF, Role.LEADER)


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.filter(bureau__in=inspection_bureaus_of(user))


def attachment_readable(user: Any, stored_file: Any) -> bool:
    """Registered with core.uploads: an attachment is public once a published version of a
    document that is not withdrawn carries it; otherwise only the document's staff read it."""
    from sunshine.disclosure.models import Attachment, DocumentVersion

    attachment = Attachment.objects.select_related("document").filter(stored_file=stored_file).first()
    if attachment is None:
        return False
    document = attachment.document
    if document.is_public and DocumentVersion.objects.filter(attachments=attachment).exists():
        return True
    return documents_visible_to(user).filter(pk=document.pk).exists()


def search_hit_visible(user: Any, hit: Any) -> bool:
    """Staff search: a non-public document entry is shown to those who may read the document."""
    return documents_visible_to(user).filter(pk=int(hit.object_id)).exists()
