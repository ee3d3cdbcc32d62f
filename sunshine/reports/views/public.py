"""Open figures: the public statistics page (each public figure with its definition),
its CSV and Excel downloads, and the same as JSON for the API."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from sunshine.core.downloads import XLSX_TYPE, attachment_response
from sunshine.core.figures import FigureResult, Period
from sunshine.orgs.models import Organization
from sunshine.reports.exports import figures_csv, figures_xlsx
from sunshine.reports.forms import period_form
from sunshine.reports.mechanisms import sections_for


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
    return bureau, form, period, [s for s in sections if s.results]


def _flat(sections: list[Any]) -> list[FigureResult]:
    return [r for s in sections for r in s.results]


class StatisticsView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, form, period, sections = public_sections(request)
        form.fields.pop("as_of", None)
        return render(
            request,
            "reports/statistics.html",
            {"bureau": bureau, "form": form, "period": period, "sections": sections, "query": request.GET.urlencode()},
        )


class StatisticsDownloadView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, _form, period, sections = public_sections(request)
        name = f"{bureau.name}{period}{_('Statistics')}"
        if request.GET.get("format") == "csv":
            return attachment_response(figures_csv(_flat(sections)), filename=f"{name}.csv", content_type="text/csv")
        data = figures_xlsx(_flat(sections), title=_("Statistics"))
        return attachment_response(data, filename=f"{name}.xlsx", content_type=XLSX_TYPE)


class StatisticsApiView(View):
    """GET /reports/api/figures?bureau=CODE&year=Y[&quarter=N|&month=N]: the public
    figures with their definitions, numerators and denominators."""

    def get(self, request: HttpRequest) -> HttpResponse:
        bureau, form, period, sections = public_sections(request)
        if form.errors:
            return JsonResponse({"errors": form.errors}, status=400, json_dumps_params={"ensure_ascii": False})
        return JsonResponse(
            {
                "bureau": bureau.code,
                "period": {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()},
                "sections": [
                    {"mechanism": s.prefix, "name": s.name, "figures": [r.as_dict() for r in s.results]}
                    for s in sections
                ],
            },
            json_dumps_params={"ensure_ascii": False},
        )
