"""Public pages of oversight: the published bulletins with every school's colour and
working, the bulletin's Word file, and the lists of advanced units with each veto's
reason."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.issued import document_for
from sunshine.core.views.files import issued_document_response
from sunshine.oversight import access
from sunshine.oversight.bulletin import BULLETIN_DOCUMENT
from sunshine.oversight.models import Veto


class BulletinListView(TemplateView):
    template_name = "oversight/public/bulletins.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["evaluations"] = access.evaluations_public().select_related("indicator_set__bureau")
        context["lists"] = access.advanced_lists_public().order_by("-school_year")
        return context


class BulletinDetailView(TemplateView):
    template_name = "oversight/public/bulletin.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        evaluation = get_object_or_404(
            access.evaluations_public().select_related("indicator_set__bureau"), pk=kwargs["pk"]
        )
        scores = list(evaluation.scores.select_related("school").order_by("rank", "school__name"))
        indicators = list(evaluation.indicator_set.indicators.all())
        for score in scores:
            score.rows = score.lines(indicators)  # type: ignore[attr-defined]
        context.update(
            evaluation=evaluation,
            scores=scores,
            indicators=indicators,
            counts={rag: sum(1 for s in scores if s.rag == rag) for rag in ("green", "amber", "red")},
            document=document_for(evaluation, kind=BULLETIN_DOCUMENT),
        )
        return context


class BulletinDocumentView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        evaluation = get_object_or_404(access.evaluations_public(), pk=pk)
        document = document_for(evaluation, kind=BULLETIN_DOCUMENT)
        if document is None or not document.published:
            raise Http404
        return issued_document_response(document, actor=request.user)


class AdvancedListView(TemplateView):
    template_name = "oversight/public/advanced.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        advanced = get_object_or_404(
            access.advanced_lists_public().select_related("evaluation__indicator_set__bureau"), pk=kwargs["pk"]
        )
        bureau = advanced.evaluation.indicator_set.bureau
        context.update(
            advanced=advanced,
            vetoes=Veto.objects.filter(school_year=advanced.school_year, school__parent=bureau)
            .exclude(status=Veto.Status.LIFTED)
            .select_related("school")
            .order_by("school__name"),
        )
        return context
