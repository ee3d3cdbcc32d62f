"""Public pages of fees: the schools' fee notices, the poster, and the fee complaint
that goes to petitions through the core seam."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.downloads import DOCX_TYPE, attachment_response
from sunshine.core.seams import PetitionIntake, petition_intake
from sunshine.fees.forms import ComplaintForm
from sunshine.fees.models import FeeNotice
from sunshine.fees.poster import notice_poster
from sunshine.fees.selectors import notice_current, schools_with_notices
from sunshine.orgs.models import Organization


def _published(pk: int) -> FeeNotice:
    return get_object_or_404(
        FeeNotice.objects.select_related("school", "term", "school__parent"), pk=pk, status=FeeNotice.Status.PUBLISHED
    )


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
        school = get_object_or_404(Organization, code=kwargs["code"], kind=Organization.Kind.SCHOOL, is_active=True)
        notice = notice_current(school)
        if notice is None:
            raise Http404(_("This school has no published fee notice."))
        context.update(school=school, notice=notice)
        return context


class NoticePosterView(View):
    """The published notice as a Word poster."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = _published(pk)
        filename = _("Fee notice of %(school)s") % {"school": notice.school.name}
        return attachment_response(notice_poster(notice), filename=f"{filename}.docx", content_type=DOCX_TYPE)


class NoticeComplainView(View):
    """A parent's complaint about a fee on a notice: a petition of kind complaint,
    linked to the notice (source label ``fees.notice:<pk>``), handed over through
    ``core.seams.petition_intake``. If no petitions module receives it, the page says so,
    gives the bureau's hotline and keeps what the parent wrote."""

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
            extra={"school_code": notice.school.code, "term": notice.term_id},
        )
        try:
            case = petition_intake(intake=intake, actor=request.user if request.user.is_authenticated else None)
        except ImproperlyConfigured:
            context["unavailable"] = True
            context["hotline"] = notice.hotline
            return render(request, self.template_name, context, status=503)
        context["case"] = case
        context["receipt_code"] = getattr(case, "receipt_code", "") or ""
        return render(request, "fees/public/complain_done.html", context)
