"""Staff pages of funds under /funds/staff/: the workbench (funds, lag alerts, the
statement), a fund (chart and table of schedule against actual per school, allocations,
import), an allocation (arrivals, progress, payments), the rectification order and the
school page's publication. Reads go through ``funds.access``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from sunshine.core.forms import submission_claim
from sunshine.core.seams import SeamUnavailable
from sunshine.funds import access, services
from sunshine.funds.forms import (
    AllocationForm,
    CertifyForm,
    DisbursementForm,
    FundForm,
    ImportForm,
    StatementForm,
    to_fen,
)
from sunshine.funds.lag import alert_threshold_pp
from sunshine.funds.models import Fund, LagAlert
from sunshine.funds.selectors import chart_svg, rows_for
from sunshine.funds.statement import statement_issue, statement_lines, statement_sentence
from sunshine.orgs.models import Organization


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_use_workbench(self.request.user)

    def finance_bureau(self) -> Organization | None:
        ids = access.finance_bureau_ids(self.request.user)
        return Organization.objects.filter(pk__in=ids).first() if ids else None

    def reader_bureau(self) -> Organization | None:
        ids = access.reader_bureau_ids(self.request.user)
        return Organization.objects.filter(pk__in=ids).first() if ids else None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _as_of(request: HttpRequest) -> date:
    form = StatementForm(request.GET or None)
    if request.GET and form.is_valid():
        return form.cleaned_data["as_of"]
    return timezone.localdate()


class WorkbenchView(StaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        on = timezone.localdate()
        funds = access.funds_visible_to(user).order_by("-year", "position", "pk")
        bureau = self.reader_bureau()
        context: dict[str, Any] = {
            "funds": funds,
            "alerts": access.alerts_visible_to(user)
            .filter(cleared_on__isnull=True)
            .select_related("allocation__fund", "allocation__organization"),
            "on": on,
            "is_finance": bool(access.finance_bureau_ids(user)),
            "bureau": bureau,
        }
        if bureau is not None:
            context["sentence"] = statement_sentence(bureau, on)
            context["statement_form"] = StatementForm(initial={"as_of": on})
        own = access.allocations_visible_to(user).filter(fund__year=on.year)
        if not access.is_bureau_reader(user):
            rows = rows_for(own, on, label="fund")
            context["rows"] = rows
            context["chart"] = chart_svg(rows, title=_("Arrived against the time schedule"))
        return render(request, "funds/staff/workbench.html", context)


class FundCreateView(StaffMixin, View):
    def test_func(self) -> bool:
        return bool(access.finance_bureau_ids(self.request.user))

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "funds/staff/fund_form.html", {"form": FundForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FundForm(request.POST)
        bureau = self.finance_bureau()
        if form.is_valid() and bureau is not None:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="funds.fund"):
                        return HttpResponseRedirect(reverse("funds:workbench"))
                    fund = services.fund_create(
                        actor=request.user,
                        bureau=bureau,
                        name=data["name"],
                        source_level=data["source_level"],
                        purpose=data["purpose"],
                        year=data["year"],
                        approved_on=data["approved_on"],
                        approval_document=data["approval_document"],
                        total_fen=to_fen(data["total"]),
                        mode=data["mode"],
                        curve_bp=data["curve"],
                    )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The fund is recorded."))
                return HttpResponseRedirect(reverse("funds:fund", args=[fund.pk]))
        return render(request, "funds/staff/fund_form.html", {"form": form}, status=400)


class FundDetailView(StaffMixin, View):
    def _context(self, fund: Fund, allocation_form: AllocationForm | None = None) -> dict[str, Any]:
        user = self.request.user
        on = _as_of(self.request)
        rows = rows_for(access.fund_allocations_for(user, fund), on)
        threshold = alert_threshold_pp()
        may_manage = access.can_manage_fund(user, fund)
        recipients = Organization.objects.filter(path__startswith=fund.bureau.path).exclude(pk=fund.bureau_id)
        if not fund.is_project:
            recipients = recipients.filter(kind=Organization.Kind.SCHOOL)
        return {
            "fund": fund,
            "rows": rows,
            "on": on,
            "threshold": threshold,
            "chart": chart_svg(rows, title=_("%(fund)s: arrived against the time schedule") % {"fund": fund.name}),
            "may_manage": may_manage,
            "allocation_form": allocation_form
            or (AllocationForm(organizations=recipients.order_by("name")) if may_manage else None),
            "as_of_form": StatementForm(initial={"as_of": on}),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        fund = access.fund_get_for(request.user, pk)
        return render(request, "funds/staff/fund.html", self._context(fund))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        fund = access.fund_get_for(request.user, pk)
        if not access.can_manage_fund(request.user, fund):
            raise PermissionDenied(_("Only the bureau's finance staff may do this."))
        recipients = Organization.objects.filter(path__startswith=fund.bureau.path).exclude(pk=fund.bureau_id)
        form = AllocationForm(request.POST, organizations=recipients)
        if form.is_valid():
            try:
                services.allocation_create(
                    actor=request.user,
                    fund=fund,
                    organization=form.cleaned_data["organization"],
                    title=form.cleaned_data["title"],
                    amount_fen=to_fen(form.cleaned_data["amount"]),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The allocation is recorded."))
                return HttpResponseRedirect(reverse("funds:fund", args=[fund.pk]))
        return render(request, "funds/staff/fund.html", self._context(fund, form), status=400)


class ImportView(StaffMixin, View):
    def _fund(self, pk: int) -> Fund:
        fund = access.fund_get_for(self.request.user, pk)
        if not access.can_manage_fund(self.request.user, fund):
            raise PermissionDenied(_("Only the bureau's finance staff may do this."))
        return fund

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        fund = self._fund(pk)
        form = ImportForm(mapping=services.mapping_for(fund))
        return render(request, "funds/staff/import.html", {"fund": fund, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        fund = self._fund(pk)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = services.disbursements_import(
                    actor=request.user, fund=fund, file=form.cleaned_data["file"], columns=form.columns()
                )
            except ValidationError as exc:
                return render(
                    request,
                    "funds/staff/import.html",
                    {"fund": fund, "form": form, "import_errors": exc.messages},
                    status=400,
                )
            messages.success(
                request,
                _("%(rows)s payments imported, %(total)s yuan in all.")
                % {"rows": batch.rows, "total": services.yuan(batch.total_fen)},
            )
            return HttpResponseRedirect(reverse("funds:fund", args=[fund.pk]))
        return render(request, "funds/staff/import.html", {"fund": fund, "form": form}, status=400)


class AllocationDetailView(StaffMixin, View):
    def _context(self, allocation: Any, **forms: Any) -> dict[str, Any]:
        user = self.request.user
        on = timezone.localdate()
        rows = rows_for(access.allocations_visible_to(user).filter(pk=allocation.pk), on)
        may_pay = access.can_manage_fund(user, allocation.fund)
        may_certify = access.can_certify(user, allocation)
        return {
            "allocation": allocation,
            "fund": allocation.fund,
            "row": rows[0] if rows else None,
            "chart": chart_svg(rows, title=_("Arrived against the time schedule")),
            "disbursements": allocation.disbursements.order_by("paid_on", "pk"),
            "certifications": allocation.certifications.select_related("certifier").order_by("certified_on", "pk"),
            "paid": services.paid_fen(allocation),
            "payable": services.payable_fen(allocation) if allocation.fund.is_project else None,
            "certified_pct": services.certified_bp(allocation) / 100,
            "may_publish": may_pay and allocation.organization.kind == Organization.Kind.SCHOOL,
            "pay_form": forms.get("pay_form") or (DisbursementForm() if may_pay else None),
            "certify_form": forms.get("certify_form") or (CertifyForm() if may_certify else None),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allocation = access.allocation_get_for(request.user, pk)
        return render(request, "funds/staff/allocation.html", self._context(allocation))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        allocation = access.allocation_get_for(request.user, pk)
        action = request.POST.get("action")
        if action == "pay":
            if not access.can_manage_fund(request.user, allocation.fund):
                raise PermissionDenied(_("Only the bureau's finance staff may do this."))
            form: Any = DisbursementForm(request.POST)
            key = "pay_form"
            if form.is_valid():
                try:
                    services.disbursement_record(
                        actor=request.user,
                        allocation=allocation,
                        paid_on=form.cleaned_data["paid_on"],
                        amount_fen=to_fen(form.cleaned_data["amount"]),
                        voucher=form.cleaned_data["voucher"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                else:
                    messages.success(request, _("The payment is recorded."))
                    return HttpResponseRedirect(reverse("funds:allocation", args=[allocation.pk]))
        elif action == "certify":
            if not access.can_certify(request.user, allocation):
                raise PermissionDenied(_("Only the project's certifier may certify its progress."))
            form = CertifyForm(request.POST, request.FILES)
            key = "certify_form"
            if form.is_valid():
                try:
                    services.progress_certify(
                        actor=request.user,
                        allocation=allocation,
                        progress_bp=int(form.cleaned_data["progress"] * 100),
                        certified_on=form.cleaned_data["certified_on"],
                        evidence=form.cleaned_data["evidence"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                else:
                    messages.success(request, _("The progress is certified."))
                    return HttpResponseRedirect(reverse("funds:allocation", args=[allocation.pk]))
        else:
            raise Http404
        return render(request, "funds/staff/allocation.html", self._context(allocation, **{key: form}), status=400)


class RectifyView(StaffMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        alert: LagAlert = access.alert_get_for(request.user, pk)
        if not access.can_order_rectification(request.user, alert.allocation.fund):
            raise PermissionDenied(_("Only the bureau's finance staff or leaders may order a rectification."))
        try:
            count = services.rectification_order(actor=request.user, alert=alert)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if count:
                messages.success(request, _("The rectification is ordered."))
            else:
                messages.warning(
                    request, _("The rectification module is not installed; the order was noted here only.")
                )
        return HttpResponseRedirect(reverse("funds:allocation", args=[alert.allocation_id]))


class StatementView(StaffMixin, View):
    def test_func(self) -> bool:
        return access.is_bureau_reader(self.request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        bureau = self.reader_bureau()
        if bureau is None:
            raise Http404
        on = _as_of(request)
        lines = statement_lines(bureau, on)
        return render(
            request,
            "funds/staff/statement.html",
            {
                "bureau": bureau,
                "on": on,
                "lines": lines,
                "sentence": statement_sentence(bureau, on, lines),
                "form": StatementForm(initial={"as_of": on}),
                "may_issue": access.can_manage_bureau(request.user, bureau),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        bureau = self.finance_bureau()
        if bureau is None:
            raise PermissionDenied(_("Only the bureau's finance staff may do this."))
        form = StatementForm(request.POST)
        if not form.is_valid():
            _errors(request, ValidationError(_("Enter a date.")))
            return HttpResponseRedirect(reverse("funds:statement"))
        publish = request.POST.get("publish") == "1"
        try:
            document = statement_issue(
                actor=request.user, bureau=bureau, as_of=form.cleaned_data["as_of"], publish=publish
            )
        except SeamUnavailable:
            messages.warning(request, _("The disclosure catalogue is not installed; nothing was published."))
            return HttpResponseRedirect(reverse("funds:statement"))
        except ValidationError as exc:
            _errors(request, exc)
            return HttpResponseRedirect(reverse("funds:statement"))
        messages.success(request, _("Statement %(number)s is issued.") % {"number": document.number})
        return HttpResponseRedirect(reverse("core:document-download", args=[document.pk]))


class SchoolPublishView(StaffMixin, View):
    """Publish a school's funds page in its disclosure catalogue ("finances")."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        school = access.schools_public().filter(pk=pk).first()
        if school is None or not access.can_manage_bureau(request.user, school.bureau):
            raise Http404
        try:
            result = services.school_page_publish(actor=request.user, school=school, on=timezone.localdate())
        except SeamUnavailable:
            messages.warning(request, _("The disclosure catalogue is not installed; nothing was published."))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, _("Published in the school's disclosure catalogue (version %(v)s).") % {"v": result.version}
            )
        return HttpResponseRedirect(reverse("funds:school", args=[school.code]))
