"""Public pages of decisions: drafts open for comment (with the comment form), closed
consultations with their reports, and the decisions published."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.audit import audit_public
from sunshine.core.forms import submission_claim
from sunshine.core.throttle import Throttled, client_address, form_throttle, submissions_wait, throttle_give_back
from sunshine.core.views.files import issued_document_response
from sunshine.decisions import access, services
from sunshine.decisions.forms import CommentForm
from sunshine.decisions.models import Comment, Consultation


class ConsultationListView(TemplateView):
    template_name = "decisions/public/consultations.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = access.consultations_public()
        context["open"] = rows.filter(status=Consultation.Status.OPEN)
        context["closed"] = rows.exclude(status=Consultation.Status.OPEN)[:30]
        return context


class ConsultationDetailView(View):
    """A draft and its comment form. A comment is filed once (one-time token), throttled per
    address, and recorded without the address or account (``audit_public``); a name given is
    stored encrypted and never shown."""

    template_name = "decisions/public/consultation.html"

    def page(
        self, request: HttpRequest, consultation: Consultation, form: CommentForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "consultation": consultation,
            "form": form,
            # Only what passed the personal-data gate when the report was issued (public_title,
            # public_reason), never the groups as written.
            "groups": consultation.groups.only("public_title", "public_reason", "answer")
            if consultation.report_id
            else [],
            "accepted": consultation.comments.filter(moderation=Comment.Moderation.ACCEPTED).count(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = access.consultation_public_get(pk)
        return self.page(request, consultation, CommentForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = access.consultation_public_get(pk)
        form = CommentForm(request.POST)
        if consultation.status != Consultation.Status.OPEN:
            form.is_valid()
            form.add_error(None, _("This consultation is closed; comments are no longer received."))
            return self.page(request, consultation, form, status=400)
        if not form.is_valid():
            return self.page(request, consultation, form, status=400)
        try:
            submission = form_throttle(scope="decisions.comment", address=client_address(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            response = self.page(request, consultation, form, status=429)
            response["Retry-After"] = str(exc.retry_seconds)
            return response
        data = form.cleaned_data
        try:
            with transaction.atomic(), audit_public():
                if not submission_claim(form.submission_token, purpose="decisions.comment"):
                    messages.info(request, _("This comment was already sent; it has not been filed a second time."))
                    return redirect("decisions:public-consultation", pk=consultation.pk)
                services.comment_submit(
                    consultation=consultation, text=data["text"], named=bool(data["named"]),
                    name=data["name"], contact=data["contact"],
                )  # fmt: skip
        except ValidationError as exc:
            throttle_give_back(submission)
            for message in exc.messages:
                form.add_error(None, message)
            return self.page(request, consultation, form, status=400)
        messages.success(
            request,
            _("Your comment is received. It is read before it counts, and answered in the consultation report."),
        )
        return redirect("decisions:public-consultation", pk=consultation.pk)


class ConsultationReportView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        consultation = access.consultation_public_get(pk)
        if consultation.report is None or not consultation.report.published:
            raise Http404(_("This report is not published."))
        return issued_document_response(consultation.report, actor=request.user)


class DecisionListView(TemplateView):
    template_name = "decisions/public/decisions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["decisions"] = access.decisions_public().select_related("organization").order_by("-decided_at")[:50]
        return context


class DecisionDetailView(TemplateView):
    template_name = "decisions/public/decision.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = access.decision_public_get(kwargs["pk"])
        context["item"] = item
        context["consultations"] = item.consultations.filter(report__published=True)
        return context
