"""Staff pages of fees under /fees/staff/: the workbench (reviewer's queue, notice
status of every school, ledgers and findings, refund orders), declaring, reviewing,
notices, ledger upload, findings and refunds. Reads go through ``fees.access``."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook

from sunshine.core.clocks import rag
from sunshine.core.downloads import DOCX_TYPE, XLSX_TYPE, attachment_response
from sunshine.core.exports import safe_row
from sunshine.core.figures import Period, figures_all
from sunshine.core.issued import document_for
from sunshine.core.rules import rule_label
from sunshine.core.views.files import issued_document_response
from sunshine.fees import access, services
from sunshine.fees.forms import (
    CatalogueItemForm,
    DeclarationForm,
    FindingActionForm,
    LedgerUploadForm,
    RefundRecordForm,
    ReviewForm,
    yuan_to_fen,
)
from sunshine.fees.models import FeeDeclaration, Finding, RefundLine, RefundOrder
from sunshine.fees.refund_notice import REFUND_DOCUMENT, refund_deadline
from sunshine.fees.selectors import finding_counts, ledger_name_conflicts, notice_status_list, term_current
from sunshine.orgs.models import Organization, Term


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Fee reviewer, leader, school clerk and principal."""

    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_use_workbench(self.request.user)

    def bureau(self) -> Organization | None:
        bureaus = access.bureaus_of(self.request.user, *access.BUREAU_ROLES)
        if bureaus:
            return bureaus[0]
        school = access.fee_schools_managed_by(self.request.user).select_related("parent").first()
        return school.parent if school else None

    def terms(self) -> QuerySet[Term]:
        bureau = self.bureau()
        terms = access.fee_terms_visible_to(self.request.user).filter(bureau=bureau)
        return terms.order_by("-starts_on") if bureau else terms.none()


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class WorkbenchView(StaffMixin, View):
    template_name = "fees/staff/workbench.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        bureau = self.bureau()
        term = term_current(bureau) if bureau else None
        schools = access.fee_schools_visible_to(user)
        now = timezone.now()
        context: dict[str, Any] = {
            "term": term,
            "is_reviewer": bool(access.reviewer_bureaus(user)),
            "is_school": access.fee_schools_managed_by(user).exists(),
            "queue": access.fee_declarations_visible_to(user)
            .filter(status__in=[FeeDeclaration.Status.DECLARED, FeeDeclaration.Status.APPROVED])
            .select_related("school", "item", "term")[:100],
            "statuses": notice_status_list(schools=schools, term=term, now=now) if term else [],
            "ledgers": access.ledgers_visible_to(user).select_related("school", "term")[:30],
            "refunds": access.refund_orders_visible_to(user).select_related("school")[:30],
            "finding_counts": {
                Finding.Kind(kind).label: n
                for kind, n in finding_counts(
                    access.findings_visible_to(user).filter(status=Finding.Status.OPEN)
                ).items()
            },
        }
        if bureau is not None and access.has_role(user, *access.BUREAU_ROLES):
            context["figures"] = figures_all(
                period=Period.year(timezone.localdate().year), organization=bureau, prefix="fees."
            )
        return render(request, self.template_name, context)


class DeclarationCreateView(StaffMixin, View):
    """A school clerk or principal declares a fee item (申报)."""

    template_name = "fees/staff/declaration_form.html"

    def test_func(self) -> bool:
        return access.fee_schools_managed_by(self.request.user).exists()

    def _form(self, data: Any = None) -> DeclarationForm:
        return DeclarationForm(data, schools=access.fee_schools_managed_by(self.request.user), terms=self.terms())

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.fee_declare(
                    actor=request.user,
                    school=data["school"],
                    term=data["term"],
                    item=data["item"],
                    standard_fen=yuan_to_fen(data["standard"]),
                    unit=data["unit"],
                    grades=data["grades"],
                    scope=data["scope"],
                    reductions=data["reductions"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Declared. The fee reviewer will approve or reject it."))
                return HttpResponseRedirect(reverse("fees:workbench"))
        return render(request, self.template_name, {"form": form}, status=400)


class DeclarationReviewView(StaffMixin, View):
    """A declaration; the fee reviewer approves, rejects or files it."""

    template_name = "fees/staff/declaration_review.html"

    def _get(self, pk: int) -> FeeDeclaration:
        return get_object_or_404(
            access.fee_declarations_visible_to(self.request.user).select_related("school", "item", "term"), pk=pk
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        declaration = self._get(pk)
        can = access.can_review(request.user, declaration.school)
        return render(request, self.template_name, {"d": declaration, "form": ReviewForm(), "can_review": can})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        declaration = self._get(pk)
        if not access.can_review(request.user, declaration.school):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "approve":
                    services.fee_declaration_approve(
                        declaration=declaration,
                        actor=request.user,
                        approving_body=data["approving_body"],
                        document_number=data["document_number"],
                        note=data["note"],
                        resemblance_cleared=data["resemblance_cleared"],
                    )
                elif data["action"] == "reject":
                    services.fee_declaration_reject(declaration=declaration, actor=request.user, reason=data["note"])
                else:
                    services.fee_declaration_file(declaration=declaration, actor=request.user)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Saved: %(status)s.") % {"status": declaration.get_status_display()})
        return HttpResponseRedirect(reverse("fees:declaration-review", args=[declaration.pk]))


class NoticeStaffView(StaffMixin, View):
    """The school's notice for a term: generate, preview, publish."""

    template_name = "fees/staff/notice.html"

    def get(self, request: HttpRequest, school: int, term: int) -> HttpResponse:
        school_obj = get_object_or_404(access.fee_schools_visible_to(request.user), pk=school)
        term_obj = get_object_or_404(access.fee_terms_visible_to(request.user), pk=term, bureau_id=school_obj.parent_id)
        notice = access.fee_notices_visible_to(request.user).filter(school=school_obj, term=term_obj).first()
        can = access.can_manage_school(request.user, school_obj)
        late = timezone.localdate() > term_obj.registration_date  # FEE-5
        context = {"school": school_obj, "term": term_obj, "notice": notice, "can_manage": can, "late": late}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, school: int, term: int) -> HttpResponse:
        school_obj = get_object_or_404(access.fee_schools_visible_to(request.user), pk=school)
        if not access.can_manage_school(request.user, school_obj):
            raise PermissionDenied
        term_obj = get_object_or_404(access.fee_terms_visible_to(request.user), pk=term, bureau_id=school_obj.parent_id)
        try:
            if request.POST.get("action") == "publish":
                notices = access.fee_notices_visible_to(request.user)
                notice = get_object_or_404(notices, school=school_obj, term=term_obj)
                services.fee_notice_publish(
                    notice=notice, actor=request.user, late_reason=request.POST.get("late_reason", "")
                )
                messages.success(request, _("The notice is published on the school's public page."))
            else:
                services.fee_notice_generate(school=school_obj, term=term_obj, actor=request.user)
                messages.success(request, _("The notice was generated from the filed items."))
        except ValidationError as exc:
            _errors(request, exc)
        return HttpResponseRedirect(reverse("fees:notice-staff", args=[school_obj.pk, term_obj.pk]))


class LedgerUploadView(StaffMixin, View):
    """Upload a ledger (all or nothing) and audit it at once."""

    template_name = "fees/staff/ledger_upload.html"

    def _schools(self) -> QuerySet[Organization]:
        if access.reviewer_bureaus(self.request.user):
            return access.fee_schools_visible_to(self.request.user).order_by("code")
        return access.fee_schools_managed_by(self.request.user)

    def test_func(self) -> bool:
        return access.has_role(self.request.user, "fee_reviewer", *access.SCHOOL_ROLES)

    def _form(self, data: Any = None, files: Any = None) -> LedgerUploadForm:
        schools = self._schools()
        mapping = None
        if schools.count() == 1:
            remembered = access.ledger_mappings_visible_to(self.request.user).filter(school=schools.first()).first()
            mapping = remembered.columns if remembered else None
        return LedgerUploadForm(data, files, schools=schools, terms=self.terms(), mapping=mapping)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                upload = services.ledger_import(
                    school=data["school"],
                    term=data["term"],
                    file=data["file"],
                    actor=request.user,
                    mapping=form.mapping(),
                )
            except ValidationError as exc:
                return render(request, self.template_name, {"form": form, "import_errors": exc.messages}, status=400)
            added = services.ledger_audit(school=data["school"], term=data["term"], actor=request.user)
            messages.success(
                request,
                _("%(rows)s rows imported; the audit found %(n)s new findings.")
                % {"rows": upload.row_count, "n": added},
            )
            return HttpResponseRedirect(reverse("fees:ledger-detail", args=[upload.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class LedgerDetailView(StaffMixin, View):
    template_name = "fees/staff/ledger_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload = get_object_or_404(access.ledgers_visible_to(request.user).select_related("school", "term"), pk=pk)
        findings = access.findings_visible_to(request.user).filter(school=upload.school, term=upload.term)
        conflicts = ledger_name_conflicts(school=upload.school, term=upload.term)
        context = {
            "upload": upload,
            "name_conflicts": conflicts,
            "conflicted_numbers": {c.student_no for c in conflicts},
            "findings": findings.order_by("status", "kind", "student_no")[:500],
            "can_review": access.can_review(request.user, upload.school),
            "confirmed_unordered": findings.filter(status=Finding.Status.CONFIRMED, refund_line__isnull=True).exists(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Re-run the audit (idempotent), or issue the refund order of the confirmed findings."""
        upload = get_object_or_404(access.ledgers_visible_to(request.user).select_related("school", "term"), pk=pk)
        if not access.can_review(request.user, upload.school):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "refund":
                order = services.refund_order_issue(school=upload.school, term=upload.term, actor=request.user)
                return HttpResponseRedirect(reverse("fees:refund-detail", args=[order.pk]))
            added = services.ledger_audit(school=upload.school, term=upload.term, actor=request.user)
            messages.success(request, _("Audit run again: %(n)s new findings.") % {"n": added})
        except ValidationError as exc:
            _errors(request, exc)
        return HttpResponseRedirect(reverse("fees:ledger-detail", args=[upload.pk]))


class FindingActionView(StaffMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = get_object_or_404(access.findings_visible_to(request.user).select_related("school", "term"), pk=pk)
        if not access.can_review(request.user, finding.school):
            raise PermissionDenied
        form = FindingActionForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == "confirm":
                    services.finding_confirm(finding=finding, actor=request.user)
                else:
                    services.finding_dismiss(finding=finding, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                _errors(request, exc)
        upload = finding.upload_id
        target = reverse("fees:ledger-detail", args=[upload]) if upload else reverse("fees:workbench")
        return HttpResponseRedirect(target)


class FindingExportView(StaffMixin, View):
    """Every finding the user may see, as an Excel workbook."""

    def get(self, request: HttpRequest) -> HttpResponse:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Findings"))
        sheet.append(
            [
                _("School"),
                _("Term"),
                _("Kind"),
                _("Rule"),
                _("Student number"),
                _("Student"),
                _("Item"),
                _("Amount (yuan)"),
                _("Rows"),
                _("First row"),
                _("Status"),
            ]
        )
        findings = (
            access.findings_visible_to(request.user)
            .select_related("school", "term")
            .order_by("school__code", "kind", "student_no")
        )
        for f in findings.iterator(chunk_size=2000):
            sheet.append(
                safe_row(
                    sheet,
                    [
                        f.school.name,
                        str(f.term),
                        f.get_kind_display(),
                        rule_label(f.rule_id),
                        f.student_no,
                        f.student_name,
                        f.item_name,
                        f.amount_fen / 100,
                        f.row_count,
                        f.first_row,
                        f.get_status_display(),
                    ],
                )
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return attachment_response(
            buffer.getvalue(), filename=f"{_('Fee ledger findings')}.xlsx", content_type=XLSX_TYPE
        )


def refund_progress(order: RefundOrder, lines: list[RefundLine]) -> dict[str, Any]:
    """What the school has paid back of ``order``: lines and amounts, and the FEE-1 deadline
    with its colour (frozen once the school has reported)."""
    due = refund_deadline(order)
    done = [line for line in lines if line.refunded_fen >= line.amount_fen]
    return {
        "due": due,
        "rag": rag(start=order.issued_at, due=due.due, now=order.reported_at or timezone.now()),
        "lines_done": len(done),
        "lines_total": len(lines),
        "ordered_fen": sum(line.amount_fen for line in lines),
        "refunded_fen": sum(min(line.refunded_fen, line.amount_fen) for line in lines),
    }


class RefundListView(StaffMixin, View):
    """Every refund order the user may see: school, finding kinds, deadline and progress."""

    template_name = "fees/staff/refund_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        orders, shown_for = _refund_filters(access.refund_orders_visible_to(request.user), request.GET)
        orders = orders.select_related("school", "term")[:200]
        rows = []
        for order in orders:
            lines = list(order.lines.select_related("finding"))
            kinds = sorted({str(line.finding.get_kind_display()) for line in lines})
            rows.append({"order": order, "kinds": kinds, **refund_progress(order, lines)})
        return render(request, self.template_name, {"rows": rows, "shown_for": shown_for})


def _refund_filters(orders: QuerySet[RefundOrder], query: Any) -> tuple[QuerySet[RefundOrder], str]:
    """The dashboard's drill-down: ``school`` (an organisation's id), ``issued_from`` and
    ``issued_to`` (days, Asia/Shanghai); a value that does not parse is ignored. Returns
    the orders and, when filtered, what they are shown for in words."""
    words = []
    school = str(query.get("school") or "")
    if school.isdigit():
        orders = orders.filter(school_id=int(school))
        name = Organization.objects.filter(pk=int(school)).values_list("name", flat=True).first()
        words.append(name or "")
    days: list[date | None] = []
    for name in ("issued_from", "issued_to"):
        try:
            days.append(date.fromisoformat(str(query.get(name) or "")[:10]))
        except ValueError:
            days.append(None)
    first, last = days
    if first is not None:
        orders = orders.filter(issued_at__gte=Period.between(first, first).start)
    if last is not None:
        orders = orders.filter(issued_at__lt=Period.between(last, last).end)
    if first or last:
        words.append(f"{first.isoformat() if first else ''}—{last.isoformat() if last else ''}")
    return orders, " · ".join(w for w in words if w)


class RefundNoticeView(StaffMixin, View):
    """The 清退通知书 as issued (the recorded .docx), for the bureau and the school."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        order = get_object_or_404(access.refund_orders_visible_to(request.user), pk=pk)
        document = document_for(order, kind=REFUND_DOCUMENT)
        if document is None:
            raise Http404
        return issued_document_response(document, actor=request.user)


class RefundPreviewView(StaffMixin, View):
    """The 清退通知书 of a ledger's confirmed findings, before the order is issued."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload = get_object_or_404(access.ledgers_visible_to(request.user).select_related("school", "term"), pk=pk)
        try:
            content = services.refund_order_preview(school=upload.school, term=upload.term, actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
            return HttpResponseRedirect(reverse("fees:ledger-detail", args=[upload.pk]))
        filename = f"{upload.school.name}清退通知书（预览）.docx"
        return attachment_response(content, filename=filename, content_type=DOCX_TYPE)


class RefundDetailView(StaffMixin, View):
    """A refund order: the school records refunds and reports; the reviewer verifies or returns."""

    template_name = "fees/staff/refund_detail.html"

    def _get(self, pk: int) -> RefundOrder:
        return get_object_or_404(access.refund_orders_visible_to(self.request.user).select_related("school"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self._get(pk)
        lines = list(order.lines.select_related("finding").order_by("student_no"))
        context = {
            "order": order,
            "lines": lines,
            "progress": refund_progress(order, lines),
            "notice": document_for(order, kind=REFUND_DOCUMENT),
            "can_record": access.can_manage_school(request.user, order.school),
            "can_review": access.can_review(request.user, order.school),
            "today": timezone.localdate(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self._get(pk)
        action = request.POST.get("action")
        school_side = access.can_manage_school(request.user, order.school)
        reviewer = access.can_review(request.user, order.school)
        try:
            if action == "record" and school_side:
                form = RefundRecordForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Give the amount refunded and the date."))
                line = get_object_or_404(order.lines, pk=form.cleaned_data["line"])
                services.refund_record(
                    line=line,
                    actor=request.user,
                    refunded_fen=yuan_to_fen(form.cleaned_data["refunded"]),
                    refunded_on=form.cleaned_data["refunded_on"],
                )
            elif action == "report" and school_side:
                services.refund_order_report(order=order, actor=request.user)
            elif action == "verify" and reviewer:
                services.refund_order_verify(order=order, actor=request.user)
            elif action == "return" and reviewer:
                services.refund_order_return(order=order, actor=request.user, reason=request.POST.get("reason", ""))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            _errors(request, exc)
        return HttpResponseRedirect(reverse("fees:refund-detail", args=[order.pk]))


class CatalogueView(StaffMixin, View):
    """The catalogue of a term; the fee reviewer adds items and seeds or copies a term."""

    template_name = "fees/staff/catalogue.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        terms = self.terms()
        bureau = self.bureau()
        current = term_current(bureau) if bureau else None
        # Opens on the term running now (else the next), not the latest one entered.
        term = (
            terms.filter(pk=request.GET.get("term") or 0).first()
            or (terms.filter(pk=current.pk).first() if current else None)
            or terms.first()
        )
        context = {
            "terms": terms,
            "term": term,
            "items": access.catalogue_items_visible_to(request.user).filter(term=term) if term else [],
            "form": CatalogueItemForm(terms=terms),
            "can_edit": bool(access.reviewer_bureaus(request.user)),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not access.reviewer_bureaus(request.user):
            raise PermissionDenied
        terms = self.terms()
        if request.POST.get("action") == "seed":
            term = get_object_or_404(terms, pk=request.POST.get("term") or 0)
            added = services.catalogue_seed(term=term, actor=request.user)
            messages.success(request, _("%(n)s items added from the national catalogue.") % {"n": added})
            return HttpResponseRedirect(f"{reverse('fees:catalogue')}?term={term.pk}")
        form = CatalogueItemForm(request.POST, terms=terms)
        if form.is_valid():
            try:
                services.catalogue_item_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Item added."))
            return HttpResponseRedirect(f"{reverse('fees:catalogue')}?term={form.cleaned_data['term'].pk}")
        context: dict[str, Any] = {"terms": terms, "term": terms.first(), "items": [], "form": form, "can_edit": True}
        return render(request, self.template_name, context, status=400)
