"""Public pages of fees: the schools' fee notices, the poster, and the fee complaint
that goes to petitions through the core seam."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.downloads import DOCX_TYPE, attachment_response
from sunshine.core.forms import receipt_escrow_recover, submission_claim
from sunshine.core.issued import document_for
from sunshine.core.seams import PetitionIntake, SeamUnavailable, petition_intake
from sunshine.core.throttle import Throttled, client_address, form_throttle, submissions_wait, throttle_give_back
from sunshine.core.views.files import issued_document_response
from sunshine.fees import access
from sunshine.fees.forms import ComplaintForm
from sunshine.fees.models import FeeNotice
from sunshine.fees.poster import NOTICE_DOCUMENT, notice_poster
from sunshine.fees.selectors import notice_current, schools_with_notices


def _published(pk: int) -> FeeNotice:
    return get_object_or_404(access.fee_notices_public().select_related("school", "term", "school__parent"), pk=pk)


class NoticeSchoolListView(TemplateView):
    """The schools with a published fee notice."""

    template_name = "fees/public/school_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["schools"] = schools_with_notices()
        return context


class NoticeDetailView(TemplateView):
    """A school's current fee notice (FEE-4 fields), with the poster and the complaint link."""

    template_name = "fees/public/notice.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        school = access.fee_school_public_get(kwargs["code"])
        notice = notice_current(school)
        if notice is None:
            raise Http404(_("This school has no published fee notice."))
        context.update(school=school, notice=notice)
        return context


class NoticePosterView(View):
    """The published notice as a Word poster: the one issued when it was published."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        notice = _published(pk)
        document = document_for(notice, kind=NOTICE_DOCUMENT)
        if document is not None:
            return issued_document_response(document, actor=request.user)
        # A notice published before posters were recorded: rendered from the notice.
        filename = _("Fee notice of %(school)s") % {"school": notice.school.name}
        return attachment_response(notice_poster(notice), filename=f"{filename}.docx", content_type=DOCX_TYPE)


class NoticeComplainView(View):
    """A parent's complaint about a fee on a notice: a petition of kind complaint,
    linked to the notice (source label ``fees.notice:<pk>``), handed over through
    ``core.seams.petition_intake``. The parent is the filer at the browser: petitions puts
    the receipt code in the parent's session and this view sends the parent to petitions'
    receipt page, so the code never passes through fees. If no petitions module receives
    it, the page says so, gives the bureau's hotline and keeps what the parent wrote."""

    template_name = "fees/public/complain.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = _published(pk)
        return render(request, self.template_name, {"notice": notice, "form": ComplaintForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = _published(pk)
        form = ComplaintForm(request.POST)
        context: dict[str, Any] = {"notice": notice, "form": form}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        try:
            submission = form_throttle(scope="fees.complaint", address=client_address(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            response = render(request, self.template_name, context, status=429)
            response["Retry-After"] = str(exc.retry_seconds)
            return response
        data = form.cleaned_data
        intake = PetitionIntake(
            kind="complaint",
            channel="web",
            title=data["title"],
            facts=data["facts"],
            request=data["request"],
            subject_organization_id=notice.school_id,
            source_label=f"fees.notice:{notice.pk}",
            named=bool(data["named"]),
            name=data["name"] if data["named"] else "",
            phone=data["phone"] if data["named"] else "",
            filer_session=request.session,
            filer_token=form.submission_token,
        )
        try:
            with transaction.atomic():
                if not submission_claim(form.submission_token, purpose="fees.complaint"):
                    receipt_escrow_recover(form.submission_token, request.session)  # its answer may have been lost
                    messages.info(request, _("This complaint was already sent; it has not been filed a second time."))
                    return redirect(petition_intake.page_url("receipt"))
                petition_intake(intake, actor=request.user if request.user.is_authenticated else None)
        except SeamUnavailable:
            context["unavailable"] = True
            context["hotline"] = notice.hotline
            return render(request, self.template_name, context, status=503)
        except ValidationError as exc:  # petitions refused the case (e.g. the same facts again, PET-7)
            throttle_give_back(submission)
            form.add_error(None, exc)
            return render(request, self.template_name, context, status=400)
        return redirect(petition_intake.page_url("receipt"))
