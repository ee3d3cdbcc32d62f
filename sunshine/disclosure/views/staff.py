"""Staff pages of disclosure (/disclosure/staff/): the workbench with the organisation's
gaps, documents and their workflow, FOI requests with their clocks, inspections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.decorators.cache import never_cache

from sunshine.core.clocks import SHANGHAI, clock_get, deadline
from sunshine.core.downloads import DOCX_TYPE, attachment_response
from sunshine.core.forms import PrivacyReviewForm, privacy_review_context
from sunshine.core.issued import document_for
from sunshine.core.privacy import NO_REVIEW, PersonalDataFound
from sunshine.core.transitions import status_history
from sunshine.core.views.files import issued_document_response
from sunshine.disclosure import access, rules, services
from sunshine.disclosure.forms import (
    AnnualReportForm,
    AttachmentForm,
    ConsultationForm,
    CorrectionForm,
    DayForm,
    DocumentForm,
    ExtensionForm,
    FoiIntakeForm,
    InspectionForm,
    NewDocumentForm,
    PublishForm,
    ReasonForm,
    ReplyForm,
)
from sunshine.disclosure.letters import FOI_REPLY_DOCUMENT, reply_letter_docx
from sunshine.disclosure.models import AnnualReport, Document, FoiRequest
from sunshine.orgs.models import Organization


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@method_decorator(never_cache, name="dispatch")
class StaffView(LoginRequiredMixin, UserPassesTestMixin, View):
    def test_func(self) -> bool:
        return access.may_use_workbench(self.request.user)


class WorkbenchView(StaffView):
    """The disclosure workbench: my organisations' gaps this quarter (DIS-1, DIS-2),
    working copies, FOI requests due."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        quarter = (today.month - 1) // 3 + 1
        orgs = list(access.organizations_writable_by(request.user).order_by("code"))
        gaps = [(org, services.organization_gaps(org, year=today.year, quarter=quarter)) for org in orgs]
        working = (
            access.documents_visible_to(request.user)
            .exclude(status__in=[Document.Status.PUBLISHED, Document.Status.WITHDRAWN])
            .select_related("organization", "category")
            .order_by("info_date")
        )
        published = (
            access.documents_visible_to(request.user)
            .filter(status=Document.Status.PUBLISHED)
            .select_related("organization", "category")
            .order_by("-last_published_at")[:30]
        )
        fois = [
            {"foi": f, "due": services.foi_due(f)}
            for f in access.foi_requests_visible_to(request.user).exclude(
                status__in=[FoiRequest.Status.REPLIED, FoiRequest.Status.WITHDRAWN]
            )
        ]
        return render(
            request,
            "disclosure/staff/workbench.html",
            {
                "gaps": gaps,
                "year": today.year,
                "quarter": quarter,
                "working": working,
                "published": published,
                "fois": fois,
                "may_foi": access.foi_bureaus_of(request.user).exists(),
                "may_inspect": access.inspection_bureaus_of(request.user).exists(),
                "working_dues": {d.pk: services.document_dis1(d) for d in working},
            },
        )


class DocumentCreateView(StaffView):
    def _form(self, request: HttpRequest, data: Any = None) -> NewDocumentForm:
        orgs = access.organizations_writable_by(request.user)
        categories = sorted({c for org in orgs for c in services.categories_for(org)}, key=lambda c: c.order)
        form = NewDocumentForm(data, categories=categories, initial={"info_date": timezone.localdate()})
        form.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        return form

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "disclosure/staff/document_form.html", {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if request.POST.get("action") == "preview":
            preview = form.cleaned_data["body"] if form.is_valid() else None
            context = {"form": form, "preview_html": preview}
            status = 200 if form.is_valid() else 400
            return render(request, "disclosure/staff/document_form.html", context, status=status)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                document = services.document_create(
                    actor=request.user,
                    **{
                        k: data[k]
                        for k in (
                            "organization",
                            "category",
                            "title",
                            "info_date",
                            "body",
                            "number",
                            "issued_on",
                            "valid_until",
                        )
                    },
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("disclosure:staff-document", pk=document.pk)
        return render(request, "disclosure/staff/document_form.html", {"form": form}, status=400)


class DocumentStaffView(StaffView):
    """A document's staff page: edit the working copy, attachments, workflow actions."""

    def _document(self, request: HttpRequest, pk: int) -> Document:
        return get_object_or_404(access.documents_visible_to(request.user).select_related("organization"), pk=pk)

    def _page(
        self,
        request: HttpRequest,
        document: Document,
        form: Any = None,
        status: int = 200,
        attachment_form: Any = None,
        preview_html: str | None = None,
        privacy: PersonalDataFound | None = None,
        privacy_form: PrivacyReviewForm | None = None,
    ) -> HttpResponse:
        editable = document.status in (Document.Status.DRAFT, Document.Status.REVISION)
        if form is None and editable:
            form = DocumentForm(instance=document, categories=services.categories_for(document.organization))
        return render(
            request,
            "disclosure/staff/document.html",
            {
                "document": document,
                "form": form,
                "editable": editable and access.may_edit(request.user, document),
                "may_edit": access.may_edit(request.user, document),
                "may_approve": access.may_approve(request.user, document),
                "attachment_form": attachment_form or AttachmentForm(),
                "publish_form": PublishForm(),
                "reason_form": ReasonForm(),
                "versions": document.versions.order_by("-number"),
                "attachments": document.attachments.filter(removed=False),
                "history": status_history(document),
                "dis1": services.document_dis1(document),
                "preview_html": preview_html,
                **(
                    privacy_review_context(
                        privacy,
                        form=privacy_form,
                        preview_html=services.document_redaction_preview(
                            document, privacy_form.review() if privacy_form else NO_REVIEW
                        ),
                        carry=[("action", "publish"), ("at", request.POST.get("at", ""))],  # a time set stays
                    )
                    if privacy
                    else {}
                ),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._document(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        action = request.POST.get("action", "")
        user = request.user
        try:
            if action == "preview" and access.may_edit(user, document):
                form = DocumentForm(
                    request.POST,
                    instance=self._document(request, pk),  # a copy: the preview changes nothing
                    categories=services.categories_for(document.organization),
                )
                if not form.is_valid():
                    return self._page(request, document, form=form, status=400)
                return self._page(request, document, form=form, preview_html=form.cleaned_data["body"])
            if action == "save":
                form = DocumentForm(
                    request.POST,
                    instance=self._document(request, pk),
                    categories=services.categories_for(document.organization),
                )
                if not form.is_valid():
                    return self._page(request, document, form=form, status=400)
                services.document_update(
                    actor=user, document=document, **{k: form.cleaned_data[k] for k in services._EDITABLE}
                )
                messages.success(request, _("Saved."))
            elif action == "attach":
                attachment_form = AttachmentForm(request.POST, request.FILES)
                if not attachment_form.is_valid():
                    return self._page(request, document, attachment_form=attachment_form, status=400)
                try:
                    services.attachment_add(actor=user, document=document, file=attachment_form.cleaned_data["file"])
                except ValidationError as exc:
                    for message in exc.messages:
                        attachment_form.add_error("file", message)
                    return self._page(request, document, attachment_form=attachment_form, status=400)
                messages.success(request, _("The attachment was added."))
            elif action == "detach":
                attachment = get_object_or_404(document.attachments, pk=request.POST.get("attachment"))
                services.attachment_remove(actor=user, attachment=attachment)
            elif action == "submit":
                services.document_submit(actor=user, document=document)
                messages.success(request, _("Sent for review."))
            elif action == "return":
                services.document_return(actor=user, document=document, reason=request.POST.get("reason", ""))
            elif action == "publish" and request.POST.get("privacy") != "redact":
                publish_form = PublishForm(request.POST)
                at = publish_form.cleaned_data["at"] if publish_form.is_valid() else None
                review_form = PrivacyReviewForm(request.POST)
                try:
                    if not review_form.is_valid():
                        services.document_privacy_check(document)  # the refusal to show beside the form's errors
                    version = services.document_publish(
                        actor=user, document=document, at=at, review=review_form.review()
                    )
                except PersonalDataFound as found:
                    answer = PrivacyReviewForm(request.POST, found=found)
                    return self._page(
                        request, self._document(request, pk), status=400, privacy=found, privacy_form=answer
                    )
                messages.success(request, _("Published.") if version else _("Scheduled for publication."))
            elif action in ("redact", "publish"):  # the reviewer takes the proposed redaction (core.privacy)
                masked = services.document_redact(
                    actor=user, document=document, review=PrivacyReviewForm(request.POST).review()
                )
                if masked:
                    messages.success(request, _("The personal data was masked. Check the text, then publish."))
                else:
                    messages.info(request, _("No personal data was found in the text."))
            elif action == "revise":
                services.document_revise(actor=user, document=document)
            elif action == "withdraw":
                services.document_withdraw(actor=user, document=document, reason=request.POST.get("reason", ""))
                messages.success(request, _("Withdrawn; the document stays in the archive."))
            else:
                messages.error(request, _("Unknown action."))
        except PermissionDenied:
            raise
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("disclosure:staff-document", pk=document.pk)


class FoiListView(StaffView):
    def test_func(self) -> bool:
        return access.foi_bureaus_of(self.request.user).exists()

    def get(self, request: HttpRequest) -> HttpResponse:
        requests = list(access.foi_requests_visible_to(request.user)[:300])
        due = services.foi_due_dates([f.pk for f in requests])  # every clock in one query
        rows = [{"foi": f, "due": due.get(f.pk)} for f in requests]
        bureaus = access.foi_bureaus_of(request.user)
        return render(
            request,
            "disclosure/staff/foi_list.html",
            {
                "rows": rows,
                "bureaus": bureaus,
                "year": timezone.localdate().year,
            },
        )


class FoiIntakeView(StaffView):
    """FOI-1: staff record a letter, fax or visit."""

    def test_func(self) -> bool:
        return access.foi_bureaus_of(self.request.user).exists()

    def get(self, request: HttpRequest) -> HttpResponse:
        form = FoiIntakeForm(initial={"received_on": timezone.localdate()})
        return render(request, "disclosure/staff/foi_intake.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FoiIntakeForm(request.POST)
        bureau = access.foi_bureaus_of(request.user).first()
        if form.is_valid() and bureau is not None:
            try:
                foi, code = services.foi_intake(actor=request.user, organization=bureau, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                grouped = " ".join(code[i : i + 4] for i in range(0, 16, 4))
                messages.success(
                    request,
                    _("Recorded as %(number)s. Receipt code for the applicant (shown once): %(code)s")
                    % {"number": foi.number, "code": grouped},
                )
                return redirect("disclosure:staff-foi", pk=foi.pk)
        return render(request, "disclosure/staff/foi_intake.html", {"form": form}, status=400)


class FoiStaffView(StaffView):
    """One FOI request: its clock (FOI-2, FOI-3) and every action."""

    def test_func(self) -> bool:
        return access.foi_bureaus_of(self.request.user).exists()

    def _foi(self, request: HttpRequest, pk: int) -> FoiRequest:
        return access.foi_request_get_for(request.user, pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        foi = self._foi(request, pk)
        correction_due = deadline(rules.CORRECTION_CLOCK, foi.received_on) if foi.received_on else None
        clock = services.foi_clock(foi)
        return render(
            request,
            "disclosure/staff/foi.html",
            {
                "foi": foi,
                "due": services.foi_due(foi),
                "clock": clock,
                "extensions": list(clock.extensions.all()) if clock else [],
                "correction_due": correction_due,
                "pauses": services.foi_pauses(foi),
                "consultation_days": clock_get("FOI-3-consultation").length,
                "history": status_history(foi),
                "reply_form": ReplyForm(),
                "correction_form": CorrectionForm(),
                "consultation_form": ConsultationForm(),
                "extension_form": ExtensionForm(),
                "day_form": DayForm(),
                "reason_form": ReasonForm(),
                "may_extend": access.may_approve_extension(request.user, foi),
                "reason_label": rules.reason_label(foi.reply_type, foi.reply_reason) if foi.reply_reason else "",
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        foi = self._foi(request, pk)
        action = request.POST.get("action", "")
        user = request.user
        day_form = DayForm(request.POST)
        on = day_form.cleaned_data.get("on") if day_form.is_valid() else None
        try:
            if action == "confirm":
                services.foi_confirm(actor=user, request=foi, on=on)
            elif action == "correction":
                correction = CorrectionForm(request.POST)
                if not correction.is_valid():
                    raise ValidationError(_("Say what must be corrected and by when the applicant answers."))
                services.foi_correction_ask(actor=user, request=foi, on=on, **correction.cleaned_data)
            elif action == "corrected":
                services.foi_correction_receive(actor=user, request=foi, on=on)
            elif action == "lapse":
                services.foi_correction_lapse(actor=user, request=foi, reason=request.POST.get("reason", ""))
            elif action == "consult":
                services.foi_consultation_start(
                    actor=user, request=foi, third_party=request.POST.get("third_party", "") or _("third party"), on=on
                )
            elif action == "consulted":
                services.foi_consultation_end(actor=user, request=foi, on=on)
            elif action == "extend":
                form = ExtensionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        _("An extension is 1 to %(days)s working days, with a reason.")
                        % {"days": clock_get(rules.REPLY_CLOCK).length}
                    )
                services.foi_extend(actor=user, request=foi, **form.cleaned_data)
            elif action == "reply":
                services.foi_reply(
                    actor=user,
                    request=foi,
                    reply_type=request.POST.get("reply_type", ""),
                    reason=request.POST.get("reason", ""),
                    text=request.POST.get("text", ""),
                )
                messages.success(request, _("The reply was recorded."))
            elif action == "withdraw":
                services.foi_withdraw(actor=user, request=foi, reason=request.POST.get("reason", ""))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("disclosure:staff-foi", pk=foi.pk)


class FoiLetterView(FoiStaffView):
    """The Word reply letter of a replied request: the bytes issued."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:  # type: ignore[override]
        foi = self._foi(request, pk)
        if foi.status != FoiRequest.Status.REPLIED:
            messages.error(request, _("The letter exists once the request is replied."))
            return redirect("disclosure:staff-foi", pk=foi.pk)
        document = document_for(foi, kind=FOI_REPLY_DOCUMENT)
        if document is not None:
            return issued_document_response(document, actor=request.user)
        # A letter replied before letters were recorded: rendered from the request.
        filename = f"{_('FOI reply letter')}-{foi.number}.docx"
        return attachment_response(reply_letter_docx(foi), filename=filename, content_type=DOCX_TYPE)


class InspectionListView(StaffView):
    def test_func(self) -> bool:
        return access.inspection_bureaus_of(self.request.user).exists()

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = InspectionForm(initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})
        return render(
            request,
            "disclosure/staff/inspections.html",
            {
                "form": form,
                "inspections": access.inspections_visible_to(request.user),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InspectionForm(request.POST)
        bureau = access.inspection_bureaus_of(request.user).first()
        if form.is_valid() and bureau is not None:
            try:
                inspection = services.inspection_run(actor=request.user, bureau=bureau, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("disclosure:staff-inspection", pk=inspection.pk)
        return redirect("disclosure:staff-inspections")


class InspectionStaffView(StaffView):
    def test_func(self) -> bool:
        return access.inspection_bureaus_of(self.request.user).exists()

    def get(self, request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
        inspection = get_object_or_404(access.inspections_visible_to(request.user), pk=pk)
        return render(
            request,
            "disclosure/staff/inspection.html",
            {
                "inspection": inspection,
                "results": inspection.results.select_related("school"),
                "summary": extra.pop("summary", ""),
                **extra,
            },
            status=400 if extra else 200,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = get_object_or_404(access.inspections_visible_to(request.user), pk=pk)
        review_form = PrivacyReviewForm(request.POST)
        (summary,), review = review_form.take_redaction(request.POST.get("summary", ""))
        try:
            services.inspection_publish(actor=request.user, inspection=inspection, summary=summary, review=review)
        except PersonalDataFound as found:  # the bulletin again, with the gate's review (core.privacy)
            where = pgettext("publication part", "summary")
            context = privacy_review_context(
                found,
                form=PrivacyReviewForm(request.POST, found=found),
                preview=[(where, review_form.review().redact(summary))],
                carry=[("summary", summary)],
            )
            return self.get(request, pk, summary=summary, **context)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("disclosure:staff-inspection", pk=inspection.pk)


def organization_choices(user: Any) -> list[Organization]:
    return list(access.organizations_writable_by(user))


class AnnualReportStaffView(StaffView):
    """FOI-5: the bureau's annual report for a year — what the office enters, the request
    table from the records with its cross-check, and the issue."""

    def test_func(self) -> bool:
        return access.foi_bureaus_of(self.request.user).exists()

    def _bureau(self) -> Organization:
        bureau = access.foi_bureaus_of(self.request.user).first()
        if bureau is None:  # pragma: no cover - test_func
            raise PermissionDenied
        return bureau

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        bureau = self._bureau()
        report = AnnualReport.objects.filter(bureau=bureau, year=year).first()
        initial: dict[str, Any] = {}
        if report is not None:
            initial = {"overview": report.overview, "problems": report.problems, "other": report.other}
            initial.update(report.entered)
        error, rows = "", []
        try:
            rows = services.foi_report_rows(services.foi_annual_report(bureau=bureau, year=year))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        context = {
            "bureau": bureau,
            "year": year,
            "report": report,
            "form": AnnualReportForm(initial=initial),
            "rows": rows,
            "error": error,
            "section2": services.foi_report_section2(bureau=bureau, year=year),
            "columns": [str(label) for _k, label in FoiRequest.ApplicantKind.choices],
            "due": deadline(rules.REPORT_CLOCK, datetime(year, 12, 31, 12, tzinfo=SHANGHAI)).due_date,
            "issued": document_for(report) if report and report.status == AnnualReport.Status.ISSUED else None,
        }
        return render(request, "disclosure/staff/annual_report.html", context)

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        bureau = self._bureau()
        action = request.POST.get("action", "")
        try:
            report = services.foi_report_prepare(bureau=bureau, year=year, actor=request.user)
            if action == "save":
                form = AnnualReportForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Every figure is a whole number, 0 or more."))
                services.foi_report_enter(
                    report=report,
                    actor=request.user,
                    overview=form.cleaned_data["overview"],
                    problems=form.cleaned_data["problems"],
                    other=form.cleaned_data["other"],
                    entered=form.entered(),
                )
                messages.success(request, _("Saved."))
            elif action == "issue":
                document = services.foi_report_issue(report=report, actor=request.user)
                messages.success(request, _("Issued as %(number)s.") % {"number": document.number})
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("disclosure:staff-annual-report", year=year)
