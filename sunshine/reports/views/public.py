"""Open figures: the public statistics page (each public figure and breakdown with its
definition), their CSV and Excel downloads, and the same as JSON for the API."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from sunshine.core.downloads import XLSX_TYPE, attachment_response
from sunshine.core.figures import BreakdownResult, FigureResult, Period
from sunshine.orgs.models import Organization
from sunshine.reports.exports import breakdown_csv, breakdown_xlsx, figures_csv, figures_xlsx
from sunshine.reports.forms import period_form
from sunshine.reports.mechanisms import breakdown_view, sections_for


def _bureau(request: HttpRequest) -> Organization:
    bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU, is_active=True, parent__isnull=True)
    code = request.GET.get("bureau")
    found = bureaus.filter(code=code).first() if code else bureaus.order_by("pk").first()
    if found is None:
        raise Http404
    return found


def public_sections(request: HttpRequest) -> tuple[Organization, Any, Period, list[Any]]:
    bureau = _bureau(request)
    query = request.GET.copy()
    query.pop("as_of", None)
    form, period, _as_of = period_form(query)
    sections = sections_for(period=period, organization=bureau)
    for section in sections:
        section.results = [r for r in section.results if r.figure.public]
        # Public breakdowns only, with no link into the workbench.
        section.breakdowns = [
            breakdown_view(b.result, bureau, period, links=False)
            for b in section.breakdowns
            if b.result.breakdown.public
        ]
    return bureau, form, period, [s for s in sections if s.results or s.breakdowns]


def _flat(sections: list[Any]) -> list[FigureResult]:
    return [r for s in sections for r in s.results]


def _breakdowns(sections: list[Any]) -> list[BreakdownResult]:
    return [b.result for s in sections for b in s.breakdowns]


class StatisticsView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, form, period, sections = public_sections(request)
        form.fields.pop("as_of", None)
        return render(
            request,
            "reports/statistics.html",
            {
                "bureau": bureau,
                "form": form,
                "period": period,
                "sections": sections,
                "download_query": request.GET.urlencode(),
            },
        )


class StatisticsDownloadView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, _form, period, sections = public_sections(request)
        name = f"{bureau.name}{period}{_('Statistics')}"
        if request.GET.get("format") == "csv":
            return attachment_response(figures_csv(_flat(sections)), filename=f"{name}.csv", content_type="text/csv")
        data = figures_xlsx(_flat(sections), title=_("Statistics"), breakdowns=_breakdowns(sections))
        return attachment_response(data, filename=f"{name}.xlsx", content_type=XLSX_TYPE)


class StatisticsBreakdownView(View):
    """One public breakdown of the statistics page: ``?format=csv`` or Excel (a
    breakdown kept off the public page is not found here)."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        bureau, _form, period, sections = public_sections(request)
        found = [b for b in _breakdowns(sections) if b.key == key]
        if not found:
            raise Http404
        result = found[0]
        name = f"{bureau.name}{period}{result.label}"
        if request.GET.get("format") == "csv":
            return attachment_response(breakdown_csv(result), filename=f"{name}.csv", content_type="text/csv")
        return attachment_response(breakdown_xlsx(result), filename=f"{name}.xlsx", content_type=XLSX_TYPE)


class StatisticsApiView(View):
    """GET /reports/api/figures?bureau=CODE&year=Y[&quarter=N|&month=N]: the public
    figures with their definitions, numerators and denominators, and the public
    breakdowns with their definitions and rows (a label and a value per series)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, form, period, sections = public_sections(request)
        if form.errors:
            return JsonResponse({"errors": form.errors}, status=400, json_dumps_params={"ensure_ascii": False})
        return JsonResponse(
            {
                "bureau": bureau.code,
                "period": {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()},
                "sections": [
                    {
                        "mechanism": s.prefix,
                        "name": s.name,
                        "figures": [r.as_dict() for r in s.results],
                        "breakdowns": [b.result.as_dict() for b in s.breakdowns],
                    }
                    for s in sections
                ],
            },
            json_dumps_params={"ensure_ascii": False},
        )
