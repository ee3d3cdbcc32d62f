"""Public pages of enrollment: seasons and their disclosures, the application form and
its receipt, the application look-up by receipt code, the lottery page with the bundle,
the verifier and the family's own entry check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from sunshine.core.crypto import session_secret_pop, session_secret_put
from sunshine.core.downloads import attachment_response
from sunshine.core.forms import submission_claim
from sunshine.core.origin import same_site_post
from sunshine.core.receipts import Receipt, receipt_code_grouped
from sunshine.core.throttle import (
    Throttled,
    client_address,
    form_throttle,
    guess_checked,
    submissions_wait,
    wrong_code_message,
    wrong_codes_wait,
)
from sunshine.enrollment import access, admission_service, lottery, selectors, services
from sunshine.enrollment import recruitment as recruitment_services
from sunshine.enrollment.forms import (
    AdmissionLookupForm,
    ApplicationForm,
    CorrectionForm,
    ObjectionForm,
    ReceiptForm,
)
from sunshine.enrollment.models import (
    AdmissionRun,
    Application,
    Lottery,
    Objection,
    Placement,
    Recruitment,
    RecruitmentList,
)

RECEIPT_SESSION_KEY = "enrollment.receipt"


def _form_error(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class IndexView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        seasons = access.seasons_public().prefetch_related("disclosures")
        lotteries = {lot.season_id: lot for lot in access.lotteries_public()}
        rows = [{"season": s, "lottery": lotteries.get(s.pk)} for s in seasons]
        recruitments = access.recruitments_public()
        return render(request, "enrollment/public/index.html", {"rows": rows, "recruitments": recruitments})


class SeasonView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        season = access.season_public_get(pk)
        lottery_row = access.lotteries_public().filter(season=season).first()
        admission = AdmissionRun.objects.filter(season=season, published_at__isnull=False).exists()
        return render(
            request,
            "enrollment/public/season.html",
            {"season": season, "disclosures": season.disclosures.order_by("published_at"), "lottery": lottery_row,
             "plan": season.plan.all(), "admission": admission},
        )  # fmt: skip


@method_decorator(never_cache, name="dispatch")
class ApplyView(View):
    template_name = "enrollment/public/apply.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        season = access.season_public_get(pk)
        return render(request, self.template_name, {"season": season, "form": ApplicationForm(season=season)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        season = access.season_public_get(pk)
        form = ApplicationForm(request.POST, season=season)
        if not form.is_valid():
            return render(request, self.template_name, {"season": season, "form": form}, status=400)
        try:
            form_throttle(scope="enrollment.apply", address=client_address(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            return render(request, self.template_name, {"season": season, "form": form}, status=429)
        try:
            with transaction.atomic():
                if not submission_claim(form.submission_token, purpose="enrollment.apply"):
                    messages.info(request, _("This application was already sent; it has not been filed a second time."))
                    return redirect("enrollment:status")
                application, code = services.application_submit(
                    actor=request.user if request.user.is_authenticated else None,
                    season=season,
                    **form.service_kwargs(),
                )
        except ValidationError as exc:
            _form_error(form, exc)
            return render(request, self.template_name, {"season": season, "form": form}, status=400)
        session_secret_put(request.session, RECEIPT_SESSION_KEY, {"number": application.number, "code": code})
        return redirect("enrollment:apply-done")


@method_decorator(never_cache, name="dispatch")
class ApplyDoneView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        held = session_secret_pop(request.session, RECEIPT_SESSION_KEY)
        if held is None:
            return redirect("enrollment:status")
        receipt = Receipt(
            heading=_("Application received"),
            number_label=_("Application number"),
            number=held["number"],
            code=receipt_code_grouped(held["code"]),
            code_label=_("Your receipt code"),
            code_warning=_(
                "Write this code down or print this page now. It is shown only this once and cannot be shown again "
                "or recovered: we do not keep it. With it you follow the review, correct the application, and find "
                "your own entry in the lottery."
            ),
            steps=(
                _("The enrollment office reviews the application and gives the reason if it is returned or refused."),
                _("An application returned for correction is corrected with the receipt code."),
                _(
                    "If a school has more applicants than seats, the lottery decides. The list and the seed sources "
                    "are published before the draw; your entry carries no name, and only your code finds it."
                ),
            ),
            follow_url=reverse("enrollment:status"),
            follow_label=_("Follow your application"),
            back_url=reverse("enrollment:index"),
            back_label=_("Back to enrollment"),
        )
        return render(request, "core/receipt.html", {"receipt": receipt})


@method_decorator(never_cache, name="dispatch")
class StatusView(View):
    """The family's own application, by its receipt code (a POST: the code never sits in
    an address)."""

    template_name = "enrollment/public/status.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ReceiptForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        code = "".join(ch for ch in form.cleaned_data["code"] if ch.isdigit())
        try:
            guess = guess_checked(
                scope="enrollment.receipt",
                code=code,
                address=client_address(request),
                lookup=lambda: services.application_by_receipt(code),
            )
        except Throttled as exc:
            form.add_error("code", wrong_codes_wait(exc))
            return render(request, self.template_name, {"form": form}, status=429)
        application: Application | None = guess.found
        if application is None:
            form.add_error("code", wrong_code_message(_("No application has this receipt code."), guess.remaining))
            return render(request, self.template_name, {"form": form}, status=404)
        correction = None
        status = 200
        if request.POST.get("action") == "correct":
            correction = CorrectionForm(request.POST, season=application.season)
            if correction.is_valid():
                try:
                    services.application_correct(
                        actor=request.user if request.user.is_authenticated else None,
                        application=application,
                        residence=correction.cleaned_data["residence"],
                        choices=correction.choices(),
                    )
                    messages.success(request, _("Your correction is sent; the application is reviewed again."))
                    correction = None
                except ValidationError as exc:
                    _form_error(correction, exc)
                    status = 400
            else:
                status = 400
        return render(request, self.template_name, self._context(application, code, correction), status=status)

    def _context(self, application: Application, code: str, correction: CorrectionForm | None) -> dict[str, Any]:
        placement = (
            Placement.objects.filter(application=application, lottery__status=Lottery.Status.PUBLISHED)
            .select_related("school")
            .first()
        )
        plan = {p.code: p.name for p in application.season.plan.all()}
        may_correct = application.status == Application.Status.RETURNED and application.season.status == "open"
        if may_correct and correction is None:
            initial = {"code": code, "residence": application.residence}
            initial.update({f"choice{n}": c for n, c in enumerate(application.choices, start=1)})
            correction = CorrectionForm(initial=initial, season=application.season)
        return {
            "form": ReceiptForm(),
            "application": application,
            "choices": [plan.get(c, c) for c in application.choices],
            "placement": placement,
            "correction": correction if may_correct else None,
        }


# The page is the same for every visitor (no CSRF token: the look-up POST is checked by
# origin), so a shared cache may keep it; the POST's answer is the family's own: never kept.
@method_decorator(same_site_post, name="dispatch")
@method_decorator(never_cache, name="post")
class LotteryView(View):
    template_name = "enrollment/public/lottery.html"

    def _context(self, draw: Lottery, **extra: Any) -> dict[str, Any]:
        return {
            "lottery": draw,
            "season": draw.season,
            "summary": selectors.lottery_summary(draw),
            "algorithm": lottery.ALGORITHM,
            "python": mark_safe("<code>Python 3.10</code>"),
            "form": ReceiptForm(),
            **extra,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(access.lottery_public_get(pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = access.lottery_public_get(pk)
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self._context(draw, form=form), status=400)
        code = "".join(ch for ch in form.cleaned_data["code"] if ch.isdigit())
        try:
            guess = guess_checked(
                scope="enrollment.entry",
                code=code,
                address=client_address(request),
                lookup=lambda: selectors.entry_check(draw, code),
            )
        except Throttled as exc:
            form.add_error("code", wrong_codes_wait(exc))
            return render(request, self.template_name, self._context(draw, form=form), status=429)
        if guess.found is None:
            form.add_error(
                "code", wrong_code_message(_("No entry of this lottery has this receipt code."), guess.remaining)
            )
            return render(request, self.template_name, self._context(draw, form=form), status=404)
        return render(request, self.template_name, self._context(draw, entry=guess.found))


class LotteryBundleView(View):
    """The bundle once drawn, else the frozen list: the same file the catalogue holds."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = access.lottery_public_get(pk)
        published = draw.status == Lottery.Status.PUBLISHED
        content = (draw.bundle if published else draw.frozen).encode("utf-8")
        name = _("lottery data") if published else _("frozen lottery list")
        return attachment_response(
            content, filename=f"{draw.season.name}{name}.json", content_type="application/json; charset=utf-8"
        )


class VerifierView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return attachment_response(
            lottery.VERIFIER_PATH.read_bytes(),
            filename=lottery.VERIFIER_NAME,
            content_type="text/x-python; charset=utf-8",
        )


@method_decorator(never_cache, name="dispatch")
class RecruitmentView(View):
    """A recruitment's published lists, what each revision changed, and the objection
    form while the proposed appointees are on display (ENR-3)."""

    template_name = "enrollment/public/recruitment.html"

    def _context(self, recruitment: Recruitment, form: ObjectionForm | None = None) -> dict[str, Any]:
        lists = list(recruitment.lists.select_related("document").order_by("published_at", "pk"))
        proposed = next((lst for lst in lists if lst.stage == RecruitmentList.Stage.PROPOSED), None)
        open_now = proposed is not None and recruitment_services.publicity_open(proposed)
        latest = [lst for lst in lists if lst.stage == RecruitmentList.Stage.PROPOSED]
        return {
            "recruitment": recruitment,
            "lists": lists,
            "publicity_open": open_now,
            "form": form or ObjectionForm(),
            "objections": Objection.objects.filter(list__recruitment=recruitment, answered_at__isnull=False),
            "target": latest[-1] if latest else None,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(access.recruitment_public_get(pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        recruitment = access.recruitment_public_get(pk)
        form = ObjectionForm(request.POST)
        context = self._context(recruitment, form)
        if not form.is_valid() or context["target"] is None:
            return render(request, self.template_name, context, status=400)
        try:
            form_throttle(scope="enrollment.objection", address=client_address(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            return render(request, self.template_name, context, status=429)
        try:
            with transaction.atomic():
                if submission_claim(form.submission_token, purpose="enrollment.objection"):
                    recruitment_services.objection_file(
                        actor=request.user if request.user.is_authenticated else None,
                        published=context["target"],
                        text=form.cleaned_data["text"],
                        contact=form.cleaned_data["contact"],
                    )
        except ValidationError as exc:
            _form_error(form, exc)
            return render(request, self.template_name, context, status=400)
        messages.success(request, _("Your objection is recorded; the answer is published here."))
        return redirect("enrollment:recruitment", pk=recruitment.pk)


# As LotteryView: the page may be shared, the student's own result is never kept.
@method_decorator(same_site_post, name="dispatch")
@method_decorator(never_cache, name="post")
class AdmissionLookupView(View):
    """A student's own senior-high admission result with its explanation (exam number and
    total score must both match; a POST, under the guess throttle)."""

    template_name = "enrollment/public/admission.html"

    def _run(self, pk: int) -> AdmissionRun:
        season = access.season_public_get(pk)
        run = AdmissionRun.objects.filter(season=season, published_at__isnull=False).first()
        if run is None:
            raise Http404
        return run

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(pk)
        return render(request, self.template_name, {"run": run, "season": run.season, "form": AdmissionLookupForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(pk)
        form = AdmissionLookupForm(request.POST)
        context: dict[str, Any] = {"run": run, "season": run.season, "form": form}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        sid, score = form.cleaned_data["student_id"], form.cleaned_data["score"]
        try:
            guess = guess_checked(
                scope="enrollment.admission",
                code=sid,
                address=client_address(request),
                lookup=lambda: admission_service.run_student(run, sid, score),
            )
        except Throttled as exc:
            form.add_error(None, wrong_codes_wait(exc))
            return render(request, self.template_name, context, status=429)
        if guess.found is None:
            missing = _("No student has this exam number and score.")
            form.add_error(None, wrong_code_message(missing, guess.remaining))
            return render(request, self.template_name, context, status=404)
        context["found"] = guess.found
        return render(request, self.template_name, context)
