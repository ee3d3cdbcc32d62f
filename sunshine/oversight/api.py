"""The oversight API: the published evaluation bulletins and advanced-unit lists, read
only and public (what the public site shows), with an OpenAPI schema at
``<mount>/openapi.json``. Each school's score comes with its working (indicator, raw
value, weight, points), so a client can recompute it."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema

from sunshine.oversight import access
from sunshine.oversight.models import Veto

__all__ = ["api"]

api = NinjaAPI(
    urls_namespace="oversight-api",
    title="Sunshine oversight",
    version="1",
    docs_url=None,
)


class Line(Schema):
    indicator: str
    raw: str | None
    weight: int
    points: str


class SchoolResult(Schema):
    school_code: str
    school: str
    rank: int
    score: str
    colour: str
    working: list[Line]


class Bulletin(Schema):
    id: int
    title: str
    period: str
    bureau: str
    green_min: int
    amber_min: int
    schools: list[SchoolResult]


class VetoOut(Schema):
    school: str
    reason: str
    evidence: str
    status: str


class AdvancedOut(Schema):
    school_year: str
    bureau: str
    schools: list[str]
    vetoes: list[VetoOut]


@api.get("/bulletins", response=list[Bulletin], url_name="bulletins")
def bulletins(request: HttpRequest) -> list[dict[str, object]]:
    """Every published bulletin with each school's score, colour and working."""
    out = []
    for evaluation in access.evaluations_public().select_related("indicator_set__bureau")[:20]:
        indicators = list(evaluation.indicator_set.indicators.all())
        scores = evaluation.scores.select_related("school").order_by("rank", "school__name")
        out.append(
            {
                "id": evaluation.pk,
                "title": evaluation.indicator_set.title,
                "period": evaluation.indicator_set.period,
                "bureau": evaluation.indicator_set.bureau.name,
                "green_min": evaluation.green_min,
                "amber_min": evaluation.amber_min,
                "schools": [
                    {
                        "school_code": s.school.code,
                        "school": s.school.name,
                        "rank": s.rank,
                        "score": str(s.score),
                        "colour": s.rag,
                        "working": s.lines(indicators),
                    }
                    for s in scores
                ],
            }
        )
    return out


@api.get("/advanced/{pk}", response=AdvancedOut, url_name="advanced")
def advanced(request: HttpRequest, pk: int) -> dict[str, object]:
    """A published list of advanced units, with every veto's reason and evidence."""
    found = access.advanced_lists_public().select_related("evaluation__indicator_set__bureau").filter(pk=pk).first()
    if found is None:
        raise Http404
    bureau = found.evaluation.indicator_set.bureau
    vetoes = Veto.objects.filter(school_year=found.school_year, school__parent=bureau).exclude(
        status=Veto.Status.LIFTED
    )
    return {
        "school_year": found.school_year,
        "bureau": bureau.name,
        "schools": [s["name"] for s in found.schools],
        "vetoes": [
            {"school": v.school.name, "reason": v.get_reason_display(), "evidence": v.evidence, "status": v.status}
            for v in vetoes.select_related("school").order_by("school__code", "pk")  # the same order on every database
        ],
    }
