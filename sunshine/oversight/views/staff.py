"""Staff pages of oversight under /oversight/staff/: the workbench, rectification
orders, inspections, evaluations, vetoes, circulars, talks. Reads go through
``oversight.access``; every write through ``oversight.services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from sunshine.core.clocks import rag
from sunshine.core.figures import Period, figures_all
from sunshine.core.forms import submission_claim
from sunshine.core.supervision import supervision_get_active
from sunshine.orgs.models import Organization
from sunshine.oversight import access, services
from sunshine.oversight.forms import (
    AppealForm,
    AppointmentForm,
    AttendanceForm,
    CampaignForm,
    CircularForm,
    DecideForm,
    EvaluationForm,
    FindingForm,
    InspectionForm,
    OrderForm,
    PlacesForm,
    PledgeForm,
    ReasonForm,
    ReportForm,
    ReviseForm,
    SpotCheckForm,
    StudyForm,
    TalkForm,
    ValueForm,
    VerifyForm,
)
from sunshine.oversight.models import Indicator, IndicatorSet, IndicatorValue, RectificationItem


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_use_workbench(self.request.user)

    def bureau(self) -> Organization | None:
        bureaus = access.bureaus_of(self.request.user, *access.BUREAU_ROLES)
        return bureaus[0] if bureaus else None


class OverseerMixin(StaffMixin):
    def test_func(self) -> bool:
        return access.is_overseer(self.request.user)


def _act(request: HttpRequest, fn: Callable[[], Any], done: str) -> bool:
    """Run a service; its refusal becomes the page's message and nothing changes."""
    try:
        fn()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _submit(request: HttpRequest, form: Any, run: Callable[[dict[str, Any]], Any], done: str) -> bool:
    """Validate ``form`` and run the service with its cleaned data; a field's error or the
    service's refusal becomes the page's message and nothing changes."""
    if not form.is_valid():
        _form_errors(request, form)
        return False
    return _act(request, lambda: run(form.cleaned_data), done)


class WorkbenchView(StaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        now = timezone.now()
        items = (
            RectificationItem.objects.filter(order__in=access.orders_visible_to(user))
            .exclude(status=RectificationItem.Status.VERIFIED)
            .select_related("order__organization")
            .order_by("due_on")[:50]
        )
        bureau = self.bureau()
        context: dict[str, Any] = {
            "items": items,
            "today": timezone.localdate(),
            "orders": access.orders_visible_to(user).select_related("organization")[:30],
            "inspections": access.inspections_visible_to(user).select_related("school")[:30],
            "evaluations": access.evaluations_visible_to(user).select_related("indicator_set")[:20],
            "vetoes": access.vetoes_visible_to(user).select_related("school")[:30],
            "circulars": access.circulars_visible_to(user)[:20],
            "campaigns": access.campaigns_visible_to(user)[:20],
            "is_overseer": access.is_overseer(user),
            "is_supervisor": access.appointments_of(user).exists(),
            "can_talks": access.can_read_talks(user),
            "now": now,
        }
        if bureau is not None:
            context["figures"] = figures_all(
                period=Period.year(timezone.localdate().year), organization=bureau, prefix="oversight."
            )
        return render(request, "oversight/staff/workbench.html", context)


# --- rectification ---------------------------------------------------------------------------


class OrderCreateView(OverseerMixin, View):
    template_name = "oversight/staff/order_form.html"

    def _form(self, data: Any = None) -> OrderForm:
        bureau_ids = access.bureau_ids(self.request.user)
        units = Organization.objects.filter(parent__in=bureau_ids, is_active=True).order_by("kind", "name")
        return OrderForm(data, units=units)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            unit = data["organization"]
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="oversight.order"):
                        return HttpResponseRedirect(reverse("oversight:workbench"))
                    order = services.rectification_order_create(
                        organization=unit,
                        issuer=unit.bureau,
                        source_label=f"oversight.manual:{form.submission_token or timezone.now().timestamp()}"[:100],
                        items=[(line, data["due_on"], "OVS-4") for line in data["items"].splitlines()],
                        actor=request.user,
                        title=data["title"],
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The rectification order is issued."))
                return HttpResponseRedirect(reverse("oversight:order-detail", args=[order.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class OrderDetailView(StaffMixin, View):
    template_name = "oversight/staff/order_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = access.order_get_for(request.user, pk)
        now = timezone.now()
        rows = []
        for item in order.items.prefetch_related("evidence"):
            clock = supervision_get_active(item=item, rule_id="OVS-4")
            rows.append(
                {
                    "item": item,
                    "rag": clock and rag(start=clock.started_at, due=clock.due_at, now=now),
                    "may_report": access.can_report(request.user, item) and item.status == item.Status.OPEN,
                    "may_verify": access.can_verify(request.user, item) and item.status == item.Status.REPORTED,
                    "may_reopen": access.can_verify(request.user, item) and item.status == item.Status.VERIFIED,
                }
            )
        context = {
            "order": order,
            "rows": rows,
            "report_form": ReportForm(),
            "verify_form": VerifyForm(),
            "reason_form": ReasonForm(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = access.order_get_for(request.user, pk)
        item = get_object_or_404(order.items, pk=request.POST.get("item") or 0)
        action = request.POST.get("action")
        user = request.user
        if action == "report":
            form: Any = ReportForm(request.POST, request.FILES)
            if not access.can_report(user, item):
                raise PermissionDenied

            def report(d: dict[str, Any]) -> None:
                with transaction.atomic():
                    if submission_claim(form.submission_token, purpose="oversight.report"):
                        services.rectification_report(item=item, actor=user, text=d["text"], files=d["evidence"])

            _submit(request, form, report, _("The report is sent for verification."))
        elif action == "verify":
            if not access.can_verify(user, item):
                raise PermissionDenied
            _submit(
                request,
                VerifyForm(request.POST),
                lambda d: services.rectification_verify(item=item, actor=user, accept=d["accept"], reason=d["reason"]),
                _("The verification is recorded."),
            )
        elif action == "reopen":
            if not access.can_verify(user, item):
                raise PermissionDenied
            _submit(
                request,
                ReasonForm(request.POST),
                lambda d: services.rectification_reopen(item=item, actor=user, reason=d["reason"]),
                _("The item is open again."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:order-detail", args=[order.pk]))


class AppointmentCreateView(OverseerMixin, View):
    """The bureau appoints a social supervisor (聘任): term and schools in scope."""

    template_name = "oversight/staff/appointment_form.html"

    def _form(self, data: Any = None) -> AppointmentForm:
        from django.contrib.auth import get_user_model

        from sunshine.orgs.models import Membership, Role

        ids = access.bureau_ids(self.request.user)
        members = Membership.objects.filter(role=Role.SUPERVISOR, is_active=True, organization__in=ids)
        supervisors = get_user_model().objects.filter(pk__in=members.values("user_id"))
        schools = Organization.objects.filter(parent__in=ids, kind=Organization.Kind.SCHOOL, is_active=True)
        return AppointmentForm(data, supervisors=supervisors, schools=schools.order_by("name"))

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        bureau = self.bureau()
        if form.is_valid() and bureau is not None:
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if submission_claim(form.submission_token, purpose="oversight.appointment"):
                        services.appointment_create(
                            bureau=bureau,
                            user=d["user"],
                            starts_on=d["starts_on"],
                            ends_on=d["ends_on"],
                            schools=d["schools"],
                            actor=request.user,
                        )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The supervisor is appointed."))
                return HttpResponseRedirect(reverse("oversight:workbench"))
        return render(request, self.template_name, {"form": form}, status=400)


# --- inspections ------------------------------------------------------------------------------


class InspectionCreateView(StaffMixin, View):
    template_name = "oversight/staff/inspection_form.html"

    def test_func(self) -> bool:
        return access.appointments_of(self.request.user).exists()

    def _appointment(self) -> Any:
        today = timezone.localdate()
        appointments = access.appointments_of(self.request.user)
        return appointments.filter(starts_on__lte=today, ends_on__gte=today).first() or appointments.first()

    def _form(self, data: Any = None) -> InspectionForm:
        return InspectionForm(data, schools=self._appointment().schools.all())

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form(), "appointment": self._appointment()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="oversight.inspection"):
                        return HttpResponseRedirect(reverse("oversight:workbench"))
                    inspection = services.inspection_open(
                        appointment=self._appointment(),
                        school=d["school"],
                        mode=d["mode"],
                        visited_on=d["visited_on"],
                        items_checked=d["items_checked"],
                        actor=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("oversight:inspection-detail", args=[inspection.pk]))
        return render(request, self.template_name, {"form": form, "appointment": self._appointment()}, status=400)


class InspectionDetailView(StaffMixin, View):
    template_name = "oversight/staff/inspection_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = access.inspection_get_for(request.user, pk)
        findings = inspection.findings.prefetch_related("photos").select_related("order")
        context = {
            "inspection": inspection,
            "findings": findings,
            # a supervisor sees that an order was made; its page is the bureau's and the school's
            "visible_orders": set(
                access.orders_visible_to(request.user)
                .filter(pk__in=[f.order_id for f in findings if f.order_id])
                .values_list("pk", flat=True)
            ),
            "may_inspect": access.can_inspect(request.user, inspection)
            and inspection.status == inspection.Status.DRAFT,
            "may_order": access.is_overseer(request.user, inspection.appointment.bureau)
            and inspection.status == inspection.Status.FILED,
            "form": FindingForm(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = access.inspection_get_for(request.user, pk)
        user = request.user
        action = request.POST.get("action")
        if action in ("finding", "file") and not access.can_inspect(user, inspection):
            raise PermissionDenied
        if action == "finding":
            form = FindingForm(request.POST, request.FILES)

            def add(d: dict[str, Any]) -> None:
                with transaction.atomic():
                    if submission_claim(form.submission_token, purpose="oversight.finding"):
                        services.finding_add(inspection=inspection, text=d["text"], photos=d["photos"], actor=user)

            _submit(request, form, add, _("The finding is recorded."))
        elif action == "file":
            _act(
                request,
                lambda: services.inspection_file(inspection=inspection, actor=user),
                _("The report is filed and its findings sealed."),
            )
        elif action == "order":
            if not access.is_overseer(user, inspection.appointment.bureau):
                raise PermissionDenied
            finding = get_object_or_404(inspection.findings, pk=request.POST.get("finding") or 0)
            _act(
                request,
                lambda: services.finding_to_order(finding=finding, actor=user),
                _("The rectification order is issued."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:inspection-detail", args=[inspection.pk]))


# --- evaluations ------------------------------------------------------------------------------


class EvaluationCreateView(OverseerMixin, View):
    template_name = "oversight/staff/evaluation_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": EvaluationForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EvaluationForm(request.POST)
        bureau = self.bureau()
        if form.is_valid() and bureau is not None:
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="oversight.evaluation"):
                        return HttpResponseRedirect(reverse("oversight:workbench"))
                    sets = IndicatorSet.objects.filter(bureau=bureau, period=d["period"]).first()
                    indicator_set = sets or services.indicator_set_create(
                        bureau=bureau, period=d["period"], actor=request.user
                    )
                    evaluation = services.evaluation_create(
                        indicator_set=indicator_set, actor=request.user, school_year=d["school_year"]
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("oversight:evaluation-detail", args=[evaluation.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


def _with_lines(scores: Any, indicators: list[Indicator]) -> list[Any]:
    rows = list(scores)
    for score in rows:
        score.rows = score.lines(indicators)
    return rows


class EvaluationDetailView(OverseerMixin, View):
    template_name = "oversight/staff/evaluation_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = access.evaluation_get_for(request.user, pk)
        indicators = list(evaluation.indicator_set.indicators.all())
        schools = Organization.objects.filter(parent=evaluation.indicator_set.bureau, kind=Organization.Kind.SCHOOL)
        manual = [i for i in indicators if i.source == Indicator.MANUAL]
        context = {
            "evaluation": evaluation,
            "indicators": indicators,
            "scores": _with_lines(evaluation.scores.select_related("school")[:500], indicators),
            "manual_forms": [(i, ValueForm(initial={"indicator": i.pk}, schools=schools)) for i in manual],
            "manual_values": IndicatorValue.objects.filter(evaluation=evaluation, indicator__in=manual).select_related(
                "school", "indicator"
            ),
            "places_form": PlacesForm(),
            "advanced": getattr(evaluation, "advanced_list", None),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = access.evaluation_get_for(request.user, pk)
        user = request.user
        action = request.POST.get("action")
        if action == "compute":
            _act(
                request,
                lambda: services.evaluation_compute(evaluation=evaluation, actor=user),
                _("The scores are computed."),
            )
        elif action == "issue":
            _act(
                request,
                lambda: services.evaluation_issue(evaluation=evaluation, actor=user),
                _("The bulletin is issued and published."),
            )
        elif action == "value":
            schools = Organization.objects.filter(parent=evaluation.indicator_set.bureau, kind=Organization.Kind.SCHOOL)

            def enter(d: dict[str, Any]) -> None:
                indicator = get_object_or_404(evaluation.indicator_set.indicators, pk=d["indicator"])
                services.indicator_value_enter(
                    evaluation=evaluation,
                    indicator=indicator,
                    school=d["school"],
                    raw=d["raw"],
                    note=d["note"],
                    actor=user,
                )

            _submit(request, ValueForm(request.POST, schools=schools), enter, _("The score is recorded."))
        elif action == "rectify":
            _act(
                request,
                lambda: services.evaluation_rectify_red(evaluation=evaluation, actor=user),
                _("The red schools are ordered to rectify."),
            )
        elif action == "advanced":
            _submit(
                request,
                PlacesForm(request.POST),
                lambda d: services.advanced_list_publish(evaluation=evaluation, places=d["places"], actor=user),
                _("The list of advanced units is published."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:evaluation-detail", args=[evaluation.pk]))


# --- vetoes -----------------------------------------------------------------------------------


class VetoDetailView(StaffMixin, View):
    template_name = "oversight/staff/veto_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        veto = access.veto_get_for(request.user, pk)
        context = {
            "veto": veto,
            "may_appeal": access.can_manage_school(request.user, veto.school) and veto.status == veto.Status.IN_FORCE,
            "may_decide": access.is_overseer(request.user, veto.school) and veto.status == veto.Status.APPEALED,
            "appeal_form": AppealForm(),
            "decide_form": DecideForm(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        veto = access.veto_get_for(request.user, pk)
        user = request.user
        action = request.POST.get("action")
        if action == "appeal":
            if not access.can_manage_school(user, veto.school):
                raise PermissionDenied
            _submit(
                request,
                AppealForm(request.POST),
                lambda d: services.veto_appeal(veto=veto, actor=user, text=d["text"]),
                _("The appeal is filed."),
            )
        elif action == "decide":
            if not access.is_overseer(user, veto.school):
                raise PermissionDenied
            _submit(
                request,
                DecideForm(request.POST),
                lambda d: services.veto_decide(veto=veto, actor=user, lift=d["lift"], decision=d["decision"]),
                _("The decision is recorded."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:veto-detail", args=[veto.pk]))


# --- circulars --------------------------------------------------------------------------------


class CircularCreateView(OverseerMixin, View):
    template_name = "oversight/staff/circular_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CircularForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CircularForm(request.POST)
        bureau = self.bureau()
        if form.is_valid() and bureau is not None:
            d = form.cleaned_data
            schools = Organization.objects.filter(parent=bureau, kind=Organization.Kind.SCHOOL, is_active=True)
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="oversight.circular"):
                        return HttpResponseRedirect(reverse("oversight:workbench"))
                    circular = services.circular_issue(
                        bureau=bureau,
                        number=d["number"],
                        title=d["title"],
                        body=d["body"],
                        forwarded=d["forwarded"],
                        schools=schools,
                        actor=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("oversight:circular-detail", args=[circular.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class CircularDetailView(StaffMixin, View):
    template_name = "oversight/staff/circular_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        circular = access.circular_get_for(request.user, pk)
        rows = access.confirmations_visible_to(request.user, circular).order_by("school__name")
        own = set(access.own_schools(request.user).values_list("pk", flat=True))
        context = {
            "circular": circular,
            "rows": rows,
            "own": own,
            "is_overseer": access.is_overseer(request.user, circular.bureau),
            "study_form": StudyForm(initial={"studied_on": timezone.localdate()}),
            "revise_form": ReviseForm(initial={"body": circular.body}),
            "done": sum(1 for r in rows if r.studied_at),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        circular = access.circular_get_for(request.user, pk)
        user = request.user
        action = request.POST.get("action")
        if action in ("receipt", "study"):
            confirmation = get_object_or_404(
                access.confirmations_visible_to(user, circular), pk=request.POST.get("confirmation") or 0
            )
            if not access.can_manage_school(user, confirmation.school):
                raise PermissionDenied
            if action == "receipt":
                _act(
                    request,
                    lambda: services.circular_confirm_receipt(confirmation=confirmation, actor=user),
                    _("Receipt is confirmed."),
                )
            else:
                _submit(
                    request,
                    StudyForm(request.POST),
                    lambda d: services.circular_confirm_study(
                        confirmation=confirmation,
                        actor=user,
                        studied_on=d["studied_on"],
                        attendees=d["attendees"],
                        minutes=d["minutes"],
                    ),
                    _("The study is confirmed."),
                )
        elif action == "revise":
            if not access.is_overseer(user, circular.bureau):
                raise PermissionDenied
            _submit(
                request,
                ReviseForm(request.POST),
                lambda d: services.circular_revise(circular=circular, actor=user, body=d["body"], reason=d["reason"]),
                _("The revised document is circulated; every school confirms again."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:circular-detail", args=[circular.pk]))


# --- talks and sanctions ----------------------------------------------------------------------


class TalkListView(StaffMixin, View):
    template_name = "oversight/staff/talks.html"

    def test_func(self) -> bool:
        return access.can_read_talks(self.request.user)

    def _form(self, data: Any = None, files: Any = None) -> TalkForm:
        ids = access.bureau_ids(self.request.user, *access.TALK_ROLES)
        units = Organization.objects.filter(parent__in=ids, is_active=True).order_by("kind", "name")
        return TalkForm(data, files, units=units)

    def _page(self, form: TalkForm, status: int = 200) -> HttpResponse:
        talks = access.talks_visible_to(self.request.user).select_related("unit")
        return render(self.request, self.template_name, {"form": form, "talks": talks}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(self._form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if submission_claim(form.submission_token, purpose="oversight.talk"):
                        services.talk_record(
                            bureau=d["unit"].bureau,
                            kind=d["kind"],
                            person=d["person"],
                            unit=d["unit"],
                            held_on=d["held_on"],
                            held_by=d["held_by"],
                            reason=d["reason"],
                            linked=d["linked"],
                            record=d["record"],
                            actor=request.user,
                        )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The record is kept."))
                return HttpResponseRedirect(reverse("oversight:talks"))
        return self._page(form, status=400)


# --- campaigns --------------------------------------------------------------------------------


class CampaignCreateView(OverseerMixin, View):
    template_name = "oversight/staff/campaign_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CampaignForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CampaignForm(request.POST)
        bureau = self.bureau()
        if form.is_valid() and bureau is not None:
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if not submission_claim(form.submission_token, purpose="oversight.campaign"):
                        return HttpResponseRedirect(reverse("oversight:workbench"))
                    campaign = services.campaign_launch(
                        bureau=bureau,
                        kind=d["kind"],
                        title=d["title"],
                        body=d["body"],
                        held_on=d["held_on"],
                        actor=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("oversight:campaign-detail", args=[campaign.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class CampaignDetailView(StaffMixin, View):
    template_name = "oversight/staff/campaign_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = access.campaign_get_for(request.user, pk)
        rows = access.returns_visible_to(request.user, campaign).order_by("school__name")
        context = {
            "campaign": campaign,
            "rows": rows,
            "own": set(access.own_schools(request.user).values_list("pk", flat=True)),
            "is_overseer": access.is_overseer(request.user, campaign.bureau),
            "is_principal": access.has_role(request.user, access.Role.PRINCIPAL),
            "questions": campaign.questions(),
            "pledge_form": PledgeForm(),
            "attendance_form": AttendanceForm(),
            "spot_form": SpotCheckForm(),
            "done": sum(1 for r in rows if r.done_at),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = access.campaign_get_for(request.user, pk)
        user = request.user
        action = request.POST.get("action")
        if action == "attendance":
            if not access.is_overseer(user, campaign.bureau):
                raise PermissionDenied
            _submit(
                request,
                AttendanceForm(request.POST, request.FILES),
                lambda d: services.attendance_import(campaign=campaign, file=d["file"], actor=user),
                _("The attendance is imported."),
            )
            return HttpResponseRedirect(reverse("oversight:campaign-detail", args=[campaign.pk]))
        ret = get_object_or_404(access.returns_visible_to(user, campaign), pk=request.POST.get("row") or 0)
        if action == "sign":
            if not access.can_manage_school(user, ret.school):
                raise PermissionDenied
            _submit(
                request,
                PledgeForm(request.POST, request.FILES),
                lambda d: services.pledge_sign(ret=ret, actor=user, paper=d["paper"]),
                _("The pledge is signed."),
            )
        elif action == "answer":
            if not access.can_manage_school(user, ret.school):
                raise PermissionDenied
            answers = [
                (request.POST.get(f"ok-{n}") == "1", request.POST.get(f"note-{n}", "")[:500])
                for n in range(len(campaign.questions()))
            ]
            _act(
                request,
                lambda: services.self_inspection_answer(ret=ret, actor=user, answers=answers),
                _("The answers are sent."),
            )
        elif action == "spot":
            if not access.is_overseer(user, campaign.bureau):
                raise PermissionDenied
            _submit(
                request,
                SpotCheckForm(request.POST),
                lambda d: services.spot_check(ret=ret, actor=user, matches=d["matches"], note=d["note"]),
                _("The spot check is recorded."),
            )
        else:
            raise PermissionDenied
        return HttpResponseRedirect(reverse("oversight:campaign-detail", args=[campaign.pk]))
