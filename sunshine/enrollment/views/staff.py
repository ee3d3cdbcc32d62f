"""Staff pages of enrollment under /enrollment/staff/: the workbench (the bureau's
seasons), a season (disclosures, opening and closing, the lottery) and the review of
one application. Reads go through ``enrollment.access``; every action is a service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from sunshine.core.downloads import XLSX_TYPE, attachment_response
from sunshine.core.figures import Period
from sunshine.core.forms import PrivacyReviewForm, privacy_review_context
from sunshine.core.privacy import PersonalDataFound
from sunshine.enrollment import access, admission_service, selectors, services
from sunshine.enrollment import recruitment as recruitment_services
from sunshine.enrollment.forms import (
    AdmissionUploadForm,
    AnswerForm,
    ApplicationImportForm,
    DisclosureForm,
    DrawForm,
    FreezeForm,
    RecruitmentListForm,
    ReviewForm,
)
from sunshine.enrollment.imports import applications_import
from sunshine.enrollment.models import AdmissionRun, Application, Lottery, Objection, Recruitment, Season


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_use_workbench(self.request.user)


FOUND_SHOWN = 200


def applications_filtered(user: Any, query: Any) -> tuple[QuerySet[Application], Season | None, bool]:
    """The dashboard's drill-down into the applications the user may see: ``status``,
    ``submitted_from`` / ``submitted_to`` (days, Asia/Shanghai), ``season`` and ``placed``
    (a plan line the lottery placed them at). A value that does not parse is ignored.
    Returns the applications, the season asked for and whether any filter was given."""
    found = access.applications_visible_to(user)
    filtered = False
    status = str(query.get("status") or "")
    if status in Application.Status.values:
        found, filtered = found.filter(status=status), True
    edges = (("submitted_from", "submitted_at__gte", "start"), ("submitted_to", "submitted_at__lt", "end"))
    for name, lookup, edge in edges:
        try:
            day = date.fromisoformat(str(query.get(name) or "")[:10])
        except ValueError:
            continue
        found, filtered = found.filter(**{lookup: getattr(Period.between(day, day), edge)}), True
    season = None
    asked = str(query.get("season") or "")
    if asked.isdigit():
        season = access.seasons_managed_by(user).filter(pk=int(asked)).first()
        found, filtered = found.filter(season_id=int(asked)), True
    placed = str(query.get("placed") or "")
    if placed.isdigit():
        found, filtered = found.filter(placement__school_id=int(placed)), True
    return found, season, filtered


class WorkbenchView(StaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        seasons = access.seasons_managed_by(request.user).annotate(applied=Count("applications", distinct=True))
        waiting = access.applications_visible_to(request.user).filter(status=Application.Status.SUBMITTED)
        found, season, filtered = applications_filtered(request.user, request.GET)
        found = found.select_related("season", "placement__school").order_by("number")
        return render(
            request,
            "enrollment/staff/workbench.html",
            {
                "filtered": filtered,
                "found": found[:FOUND_SHOWN] if filtered else [],
                "found_count": found.count() if filtered else 0,
                "found_season": season,
                "seasons": seasons,
                "waiting": waiting[:50],
                "waiting_count": waiting.count(),
                "recruitments": access.recruitments_managed_by(request.user),
            },
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class SeasonStaffView(StaffMixin, View):
    template_name = "enrollment/staff/season.html"

    def _context(self, season: Season, **forms: Any) -> dict[str, Any]:
        draw = Lottery.objects.filter(season=season).first()
        return {
            "season": season,
            "disclosures": season.disclosures.order_by("published_at"),
            "plan": season.plan.all(),
            "applications": access.applications_visible_to(self.request.user).filter(season=season),
            "lottery": draw,
            "summary": selectors.lottery_summary(draw) if draw else [],
            "disclosure_form": forms.get("disclosure_form") or DisclosureForm(),
            "freeze_form": forms.get("freeze_form") or FreezeForm(),
            "draw_form": forms.get("draw_form") or DrawForm(),
            "upload_form": AdmissionUploadForm(),
            "import_form": ApplicationImportForm(),
            "admission": AdmissionRun.objects.filter(season=season).first(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(access.season_managed_get(request.user, pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        season = access.season_managed_get(request.user, pk)
        action = request.POST.get("action", "")
        user = request.user
        simple: dict[str, Callable[[], Any]] = {
            "open": lambda: services.season_open(actor=user, season=season),
            "close": lambda: services.season_close(actor=user, season=season),
            "decide": lambda: services.season_decide(actor=user, season=season),
        }
        try:
            if action in simple:
                simple[action]()
            elif action == "disclose":
                form = DisclosureForm(request.POST)
                if not form.is_valid():
                    return render(request, self.template_name, self._context(season, disclosure_form=form), status=400)
                review_form = PrivacyReviewForm(request.POST)
                fields = form.cleaned_data
                (fields["title"], fields["body"]), review = review_form.take_redaction(fields["title"], fields["body"])
                try:
                    services.disclosure_publish(actor=user, season=season, review=review, **fields)
                except PersonalDataFound as found:  # the form again, with the gate's review (core.privacy)
                    context = self._context(season, disclosure_form=form)
                    mine = review_form.review()
                    context |= privacy_review_context(
                        found,
                        form=PrivacyReviewForm(request.POST, found=found),
                        preview=[
                            (pgettext("publication part", "title"), mine.redact(fields["title"])),
                            (pgettext("publication part", "body"), mine.redact(fields["body"])),
                        ],
                        carry=[("action", "disclose"), ("kind", fields["kind"]), ("title", fields["title"]),
                               ("body", fields["body"])],
                    )  # fmt: skip
                    return render(request, self.template_name, context, status=400)
            elif action == "freeze":
                freeze = FreezeForm(request.POST)
                if not freeze.is_valid():
                    return render(request, self.template_name, self._context(season, freeze_form=freeze), status=400)
                services.lottery_freeze(
                    actor=user, season=season, draw_on=freeze.cleaned_data["draw_on"],
                    sources=_lines(freeze.cleaned_data["sources"]),
                )  # fmt: skip
            elif action == "draw":
                draw_form = DrawForm(request.POST)
                draw = Lottery.objects.filter(season=season).first()
                if not draw_form.is_valid() or draw is None:
                    return render(request, self.template_name, self._context(season, draw_form=draw_form), status=400)
                services.lottery_draw(actor=user, lottery_id=draw.pk, values=_lines(draw_form.cleaned_data["values"]))
            elif action == "import":
                imported = ApplicationImportForm(request.POST, request.FILES)
                if not imported.is_valid():
                    raise ValidationError(_("Choose the applications' file."))
                file = imported.cleaned_data["file"]
                kind = "xlsx" if file.name.lower().endswith(".xlsx") else "csv"
                data = applications_import(actor=user, season=season, fh=file, kind=kind)
                return attachment_response(data, filename=f"{season.name}回执码.xlsx", content_type=XLSX_TYPE)
            elif action == "admission-run":
                upload = AdmissionUploadForm(request.POST, request.FILES)
                if not upload.is_valid():
                    raise ValidationError(_("Choose the students' file."))
                file = upload.cleaned_data["students"]
                kind = "xlsx" if file.name.lower().endswith(".xlsx") else "csv"
                plans = admission_service.plans_of(season)
                students = admission_service.students_from_sheet(file, kind=kind, plans=plans)
                admission_service.admission_run(actor=user, season=season, students=students)
            elif action == "admission-publish":
                run = AdmissionRun.objects.filter(season=season).first()
                if run is None:
                    raise ValidationError(_("Run the admission first."))
                admission_service.admission_publish(actor=user, run=run)
            elif action == "publish-lottery":
                draw = Lottery.objects.filter(season=season).first()
                if draw is None:
                    raise ValidationError(_("Freeze the list and draw first."))
                services.lottery_publish(actor=user, draw=draw)
            else:
                raise ValidationError(_("Choose an action."))
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return render(request, self.template_name, self._context(season), status=400)
        messages.success(request, _("Done."))
        return redirect("enrollment:season-staff", pk=season.pk)


class ApplicationStaffView(StaffMixin, View):
    """One application with the child's identity (need to know: the bureau's enrollment
    staff only) and its review."""

    template_name = "enrollment/staff/application.html"

    def _context(self, application: Application, form: ReviewForm | None = None) -> dict[str, Any]:
        plan = {p.code: p.name for p in application.season.plan.all()}
        return {
            "application": application,
            "choices": [plan.get(c, c) for c in application.choices],
            "claimed": [(plan.get(c, c), g) for c, g in application.groups_claimed.items()],
            "form": form or ReviewForm(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(access.application_get_for(request.user, pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = access.application_get_for(request.user, pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self._context(application, form), status=400)
        data = form.cleaned_data
        try:
            services.application_review(
                actor=request.user,
                application=application,
                decision=data["decision"],
                reason=data["reason"],
                groups_confirmed=application.groups_claimed if data["confirm_groups"] else {},
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return render(request, self.template_name, self._context(application, form), status=400)
        messages.success(request, _("Review recorded."))
        return redirect("enrollment:season-staff", pk=application.season_id)


class RecruitmentStaffView(StaffMixin, View):
    """A recruitment: publish or revise a stage's list, answer objections, appoint."""

    template_name = "enrollment/staff/recruitment.html"

    def _context(self, recruitment: Recruitment, form: RecruitmentListForm | None = None) -> dict[str, Any]:
        return {
            "recruitment": recruitment,
            "lists": recruitment.lists.select_related("document").order_by("published_at", "pk"),
            "objections": Objection.objects.filter(list__recruitment=recruitment),
            "form": form or RecruitmentListForm(),
            "answer_form": AnswerForm(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(access.recruitment_managed_get(request.user, pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        recruitment = access.recruitment_managed_get(request.user, pk)
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                form = RecruitmentListForm(request.POST)
                if not form.is_valid():
                    return render(request, self.template_name, self._context(recruitment, form), status=400)
                recruitment_services.recruitment_list_publish(
                    actor=request.user, recruitment=recruitment, **form.cleaned_data
                )
            elif action == "answer":
                objection = Objection.objects.filter(
                    list__recruitment=recruitment, pk=request.POST.get("objection") or 0
                ).first()
                answer = AnswerForm(request.POST)
                if objection is None or not answer.is_valid():
                    raise ValidationError(_("Write the answer."))
                recruitment_services.objection_answer(
                    actor=request.user, objection=objection, answer=answer.cleaned_data["answer"]
                )
            elif action == "appoint":
                recruitment_services.recruitment_appoint(actor=request.user, recruitment=recruitment)
            else:
                raise ValidationError(_("Choose an action."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return render(request, self.template_name, self._context(recruitment), status=400)
        messages.success(request, _("Done."))
        return redirect("enrollment:recruitment-staff", pk=recruitment.pk)
