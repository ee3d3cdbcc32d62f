"""Staff pages of reports: the leadership dashboard (领导驾驶舱) with a chart per
mechanism, each chart's data as Excel and JSON, and the annual work summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from sunshine.core.downloads import XLSX_TYPE, attachment_response
from sunshine.core.figures import SHANGHAI
from sunshine.core.issued import documents_issued
from sunshine.reports import access
from sunshine.reports.exports import breakdown_xlsx, figures_xlsx
from sunshine.reports.forms import NarrativeForm, period_form
from sunshine.reports.mechanisms import sections_for
from sunshine.reports.summary import (
    SUMMARY_DOCUMENT,
    summary_get,
    summary_issue,
    summary_narrative_save,
    version_changes,
)


class DashboardMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_see_dashboard(self.request.user)

    def organization(self) -> Any:
        asked = self.request.GET.get("org")
        if asked:
            return access.dashboard_organization_for(self.request.user, asked)
        found = access.dashboard_organizations(self.request.user).first()
        if found is None:
            raise Http404
        return found


class DashboardView(DashboardMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        organization = self.organization()
        form, period, as_of = period_form(request.GET)
        sections = sections_for(period=period, organization=organization, as_of=as_of, user=self.request.user)
        charts = [s.chart() for s in sections]
        charts += [b.chart() for s in sections for b in s.breakdowns if b.kind != "tiles" and b.lines]
        query = request.GET.copy()
        query["org"] = str(organization.pk)
        return render(
            request,
            "reports/dashboard.html",
            {
                "organization": organization,
                "organizations": access.dashboard_organizations(request.user),
                "form": form,
                "period": period,
                "as_of": as_of,
                "sections": sections,
                "charts": charts,
                "query": query.urlencode(),
                "can_write_summary": access.can_write_summary(request.user),
            },
        )


class ChartDataView(DashboardMixin, View):
    """One chart's figures: ``?format=xlsx`` downloads them, otherwise JSON."""

    def get(self, request: HttpRequest, prefix: str) -> HttpResponse:
        organization = self.organization()
        _form, period, as_of = period_form(request.GET)
        sections = sections_for(period=period, organization=organization, as_of=as_of, only=prefix, user=request.user)
        if not sections:
            raise Http404
        section = sections[0]
        if request.GET.get("format") == "xlsx":
            data = figures_xlsx(section.results, title=section.name, breakdowns=[b.result for b in section.breakdowns])
            name = f"{organization.name}{period}{section.name}.xlsx"
            return attachment_response(data, filename=name, content_type=XLSX_TYPE)
        return JsonResponse(
            {
                **section.chart(),
                "organization": organization.name,
                "period": str(period),
                "figures": [r.as_dict() for r in section.results],
                "breakdowns": [b.result.as_dict() for b in section.breakdowns],
            },
            json_dumps_params={"ensure_ascii": False},
        )


class BreakdownDataView(DashboardMixin, View):
    """One breakdown's rows: ``?format=xlsx`` downloads them, otherwise JSON; live or
    ``as_of`` a past day (from the snapshots only)."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        organization = self.organization()
        _form, period, as_of = period_form(request.GET)
        prefix = key.split(".", 1)[0]
        sections = sections_for(period=period, organization=organization, as_of=as_of, only=prefix, user=request.user)
        found = [b for s in sections for b in s.breakdowns if b.key == key]
        if not found:
            raise Http404
        view = found[0]
        if request.GET.get("format") == "xlsx":
            name = f"{organization.name}{period}{view.result.label}.xlsx"
            return attachment_response(breakdown_xlsx(view.result), filename=name, content_type=XLSX_TYPE)
        return JsonResponse(
            {
                **view.chart(),
                "organization": organization.name,
                "period": str(period),
                "breakdown": view.result.as_dict(),
            },
            json_dumps_params={"ensure_ascii": False},
        )


class SummaryMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_write_summary(self.request.user)

    def bureau(self) -> Any:
        return access.summary_bureaus(self.request.user)[0]

    def year(self) -> int:
        try:
            year = int(self.request.GET.get("year") or self.request.POST.get("year") or 0)
        except ValueError:
            year = 0
        if 2000 <= year <= 2100:
            return year
        return timezone.localtime(timezone.now(), SHANGHAI).year


class SummaryView(SummaryMixin, View):
    def _page(self, request: HttpRequest, form: NarrativeForm, status: int = 200) -> HttpResponse:
        bureau, year = self.bureau(), self.year()
        issued = [d for d in documents_issued(kind=SUMMARY_DOCUMENT, organization=bureau) if d.year == year]
        return render(
            request,
            "reports/summary.html",
            {
                "bureau": bureau,
                "year": year,
                "form": form,
                "issued": issued,
                "changes": version_changes(issued[0]) if issued else [],
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        summary = summary_get(bureau=self.bureau(), year=self.year())
        return self._page(request, NarrativeForm(initial=summary.narrative))

    def post(self, request: HttpRequest) -> HttpResponse:
        bureau, year = self.bureau(), self.year()
        form = NarrativeForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            summary_narrative_save(bureau=bureau, year=year, narrative=form.cleaned_data, actor=request.user)
            if request.POST.get("action") == "issue":
                document = summary_issue(bureau=bureau, year=year, actor=request.user)
                messages.success(request, _("The summary was issued as %(number)s.") % {"number": document})
            else:
                messages.success(request, _("The text was saved."))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(f"{reverse('reports:summary')}?year={year}")
