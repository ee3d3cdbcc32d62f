"""Staff pages of decisions under /decisions/staff/: the workbench, items, meetings,
consultations, projects and the red flags. Reads go through ``decisions.access``; every
write goes through a service, which checks the right again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from sunshine.core.forms import PrivacyReviewForm, privacy_review_context
from sunshine.core.issued import document_access_allowed
from sunshine.core.privacy import PersonalDataFound, Review
from sunshine.core.seams import SeamUnavailable, fund_project_pay
from sunshine.core.supervision import supervision_list_of, supervision_rag
from sunshine.core.views.files import issued_document_response
from sunshine.decisions import access, rules, services
from sunshine.decisions import forms as f
from sunshine.decisions.models import (
    AgendaItem,
    Comment,
    Consultation,
    DecisionItem,
    Meeting,
    Project,
    Task,
    TitleRound,
)
from sunshine.decisions.selectors import red_flags_for
from sunshine.orgs.models import Organization

# Lazy: a module-level text is translated when shown, not in the language active at import.
FUNDS_ABSENT = gettext_lazy(
    "The funds module is not running, so the project's money cannot be handled here. "
    "Ask the finance department to record the allocation and payments, and keep the vouchers with the project."
)


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    request: HttpRequest

    def test_func(self) -> bool:
        return access.can_use_workbench(self.request.user)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@dataclass
class Action:
    form: Callable[..., Any]
    run: Callable[[Any, Any, dict[str, Any]], Any]
    done: str


class ObjectPage(StaffMixin, View):
    """A staff page of one object with its action forms: GET shows them, POST runs the one
    named by ``action`` and redirects back (post/redirect/get)."""

    template_name = ""

    def get_object(self, pk: int) -> Any:
        raise NotImplementedError

    def organization(self, obj: Any) -> Organization:
        raise NotImplementedError

    def actions(self, obj: Any) -> dict[str, Action]:
        return {}

    def context(self, obj: Any) -> dict[str, Any]:
        return {}

    def may_act(self, obj: Any, name: str) -> bool:
        return access.can_manage(self.request.user, self.organization(obj))

    def privacy_preview(self, obj: Any, name: str, review: Review) -> list[tuple[str, str]]:
        """What action ``name`` publishes, with the proposed redaction: the texts a
        reviewer may have masked in one click (none: a generated list, masked by its rule)."""
        return []

    def render_page(
        self, obj: Any, bound: dict[str, Any] | None = None, status: int = 200, **extra: Any
    ) -> HttpResponse:
        actions = self.actions(obj)
        manage = access.can_manage(self.request.user, self.organization(obj))
        forms = {name: action.form() for name, action in actions.items()} if manage else {}
        forms.update(bound or {})
        context = {"object": obj, "forms": forms, "manage": manage, **self.context(obj), **extra}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(self.get_object(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        name = request.POST.get("action", "")
        actions = self.actions(obj)
        if name not in actions or not self.may_act(obj, name):
            raise PermissionDenied(_("You may not do this here."))
        action = actions[name]
        form = action.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(obj, {name: form}, status=400)
        review = PrivacyReviewForm(request.POST)  # the answer to the personal-data gate, if any (core.privacy)
        try:
            action.run(obj, request.user, {**form.cleaned_data, "privacy": review})
        except PersonalDataFound as found:
            context = privacy_review_context(
                found,
                form=PrivacyReviewForm(request.POST, found=found),
                preview=self.privacy_preview(obj, name, review.review()),
                # The action's own fields go back with the reviewer's answer (a draft's title and text).
                carry=[("action", name), *((field, request.POST.get(field, "")) for field in form.fields)],
            )
            return self.render_page(obj, {name: form}, status=400, **context)
        except SeamUnavailable:
            messages.error(request, FUNDS_ABSENT)
            return self.render_page(obj, {name: form}, status=503)
        except ValidationError as exc:
            _errors(request, exc)
            return self.render_page(obj, {name: form}, status=400)
        messages.success(request, action.done)
        return HttpResponseRedirect(request.path)


# --- Workbench ------------------------------------------------------------------------------


class WorkbenchView(StaffMixin, View):
    template_name = "decisions/staff/workbench.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        items = access.items_visible_to(user).select_related("organization")
        context = {
            "items": items.exclude(status=DecisionItem.Status.WITHDRAWN)[:50],
            "meetings": access.meetings_visible_to(user).select_related("organization")[:20],
            "consultations": access.consultations_visible_to(user).select_related("item")[:20],
            "projects": access.projects_visible_to(user).select_related("item")[:20],
            "tasks": access.tasks_visible_to(user).filter(status=Task.Status.OPEN).select_related("item", "unit")[:30],
            "rounds": access.rounds_visible_to(user).select_related("organization")[:20],
            "manage": access.managed_organizations(user).exists(),
            "manage_school": access.managed_organizations(user).filter(kind=Organization.Kind.SCHOOL).exists(),
            "red_flags": access.can_see_red_flags(user),
        }
        return render(request, self.template_name, context)


class _CreateView(StaffMixin, View):
    template_name = "decisions/staff/form.html"
    title = ""

    def organizations(self) -> Any:
        return access.managed_organizations(self.request.user)

    def form(self, *args: Any) -> Any:
        raise NotImplementedError

    def create(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def page(self, form: Any, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "title": self.title}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.organizations().exists():
            raise PermissionDenied(_("You do not prepare decisions for any organisation."))
        return self.page(self.form())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.organizations().exists():
            raise PermissionDenied(_("You do not prepare decisions for any organisation."))
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form, 400)
        try:
            obj = self.create(form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
            return self.page(form, 400)
        return HttpResponseRedirect(self.success_url(obj))

    def success_url(self, obj: Any) -> str:
        raise NotImplementedError


class ItemCreateView(_CreateView):
    @property
    def title(self) -> str:  # type: ignore[override]
        return _("New decision item")

    def form(self, *args: Any) -> Any:
        return f.ItemForm(*args, organizations=self.organizations())

    def create(self, data: dict[str, Any]) -> Any:
        return services.item_create(
            actor=self.request.user, organization=data["organization"], title=data["title"],
            category=data["category"], summary=data["summary"], amount_fen=f.yuan_to_fen(data["amount"]),
            major_administrative=data["major_administrative"],
        )  # fmt: skip

    def success_url(self, obj: Any) -> str:
        return reverse("decisions:item", args=[obj.pk])


class MeetingCreateView(_CreateView):
    @property
    def title(self) -> str:  # type: ignore[override]
        return _("New meeting")

    def form(self, *args: Any) -> Any:
        return f.MeetingForm(*args, organizations=self.organizations())

    def create(self, data: dict[str, Any]) -> Any:
        return services.meeting_create(
            actor=self.request.user, organization=data["organization"], kind=data["kind"], title=data["title"],
            held_at=data["held_at"], members=data["members"], place=data["place"], chair=data["chair"],
            attendees=data["attendees"],
        )  # fmt: skip

    def success_url(self, obj: Any) -> str:
        return reverse("decisions:meeting", args=[obj.pk])


class PurchaseCreateView(_CreateView):
    @property
    def title(self) -> str:  # type: ignore[override]
        return _("Record a purchase contract")

    def form(self, *args: Any) -> Any:
        return f.PurchaseForm(*args, organizations=self.organizations())

    def create(self, data: dict[str, Any]) -> Any:
        return services.contract_record(
            actor=self.request.user, organization=data["organization"], purpose=data["purpose"],
            contractor=data["contractor"], price_fen=f.yuan_to_fen(data["price"]), signed_on=data["signed_on"],
            number=data["number"],
        )  # fmt: skip

    def success_url(self, obj: Any) -> str:
        messages.success(self.request, _("The contract is recorded."))
        return reverse("decisions:workbench")


# --- Items ----------------------------------------------------------------------------------


def _units(item: DecisionItem) -> Any:
    bureau = item.organization.bureau
    return Organization.objects.filter(path__startswith=bureau.path, is_active=True)


class ItemView(ObjectPage):
    template_name = "decisions/staff/item.html"

    def get_object(self, pk: int) -> DecisionItem:
        return access.item_get_for(self.request.user, pk)

    def organization(self, obj: DecisionItem) -> Organization:
        return obj.organization

    def may_act(self, obj: DecisionItem, name: str) -> bool:
        if name == "progress":
            return True  # the service checks the unit's or the organisation's right
        return super().may_act(obj, name)

    def privacy_preview(self, obj: DecisionItem, name: str, review: Review) -> list[tuple[str, str]]:
        if name == "consult":
            data = self.request.POST
            return [
                (pgettext("publication part", "title"), review.redact(data.get("title", ""))),
                (pgettext("publication part", "body"), review.redact(data.get("draft", ""))),
            ]
        if name != "publish":
            return []
        return [
            (pgettext("publication part", "title"), review.redact(obj.title)),
            (pgettext("publication part", "body"), review.redact(obj.resolution)),
        ]

    def actions(self, item: DecisionItem) -> dict[str, Action]:
        user = self.request.user
        tasks = access.tasks_visible_to(user).filter(item=item)
        return {
            "material": Action(
                f.MaterialForm,
                lambda o, u, d: services.material_add(actor=u, item=o, title=d["title"], file=d["file"]),
                _("The material is added."),
            ),
            "step": Action(
                f.StepForm,
                lambda o, u, d: services.step_record(
                    actor=u, item=o, step=d["step"], title=d["title"], done_on=d["done_on"], file=d["file"]
                ),
                _("The step is recorded."),
            ),
            "consult": Action(
                f.ConsultationForm,
                lambda o, u, d: services.consultation_open(
                    actor=u,
                    item=o,
                    title=d["title"],
                    draft=d["draft"],
                    review=d["privacy"].review(),
                    redact=d["privacy"].redacting,
                ),
                _("The draft is published for comment."),
            ),
            "task": Action(
                lambda *a: f.TaskForm(*a, units=_units(item)),
                lambda o, u, d: services.task_assign(actor=u, item=o, unit=d["unit"], text=d["text"]),
                _("The task is handed to the unit."),
            ),
            "progress": Action(
                f.TaskProgressForm,
                lambda o, u, d: services.task_progress(
                    actor=u, task=_task(tasks, d["task"]), text=d["text"], done=d["done"]
                ),
                _("The progress is recorded."),
            ),
            "project": Action(
                f.ProjectForm,
                lambda o, u, d: services.project_create(
                    actor=u, item=o, title=d["title"], ceiling_fen=f.yuan_to_fen(d["ceiling"])
                ),
                _("The project is created."),
            ),
            "publish": Action(
                f.EmptyForm,
                lambda o, u, d: services.decision_publish(
                    actor=u, item=o, review=d["privacy"].review(), redact=d["privacy"].redacting
                ),
                _("The decision is published in the disclosure catalogue."),
            ),
            "withdraw": Action(
                f.WithdrawForm,
                lambda o, u, d: services.item_withdraw(actor=u, item=o, reason=d["reason"]),
                _("The item is withdrawn."),
            ),
        }

    def context(self, item: DecisionItem) -> dict[str, Any]:
        tasks = list(access.tasks_visible_to(self.request.user).filter(item=item).select_related("unit"))
        for task in tasks:
            supervision = supervision_list_of(task).first()
            task.supervision = supervision  # type: ignore[attr-defined]
            task.rag = supervision_rag(supervision) if supervision else None  # type: ignore[attr-defined]
        return {
            "item": item,
            "missing": rules.steps_missing_labels(item),
            "steps": item.steps.select_related("stored_file", "document"),
            "materials": item.materials.select_related("stored_file"),
            "tasks": tasks,
            "consultations": item.consultations.all(),
            "projects": item.projects.all(),
            "agenda": item.agenda_items.select_related("meeting"),
        }


def _task(tasks: Any, pk: int) -> Task:
    task = tasks.filter(pk=pk).first()
    if task is None:
        raise ValidationError(_("Choose one of the item's tasks."))
    return task


# --- Meetings -------------------------------------------------------------------------------


class MeetingView(ObjectPage):
    template_name = "decisions/staff/meeting.html"

    def get_object(self, pk: int) -> Meeting:
        return access.meeting_get_for(self.request.user, pk)

    def organization(self, obj: Meeting) -> Organization:
        return obj.organization

    def actions(self, meeting: Meeting) -> dict[str, Action]:
        items = DecisionItem.objects.filter(
            Q(status=DecisionItem.Status.DRAFT) | Q(status=DecisionItem.Status.DECIDED),
            organization=meeting.organization,
        )
        return {
            "agenda": Action(
                lambda *a: f.AgendaAddForm(*a, items=items),
                lambda o, u, d: services.agenda_add(actor=u, meeting=o, item=d["item"], kind=d["kind"]),
                _("The item is on the agenda."),
            ),
            "absent": Action(
                lambda *a: f.AbsentForm(*a, meeting=meeting),
                lambda o, u, d: services.member_absent(actor=u, member=d["member"], reason=d["reason"]),
                _("The absence is recorded."),
            ),
            "open": Action(
                f.EmptyForm, lambda o, u, d: services.meeting_open(actor=u, meeting=o), _("The meeting is in session.")
            ),
            "recusal": Action(
                lambda *a: f.RecusalForm(*a, meeting=meeting),
                lambda o, u, d: services.recusal_record(
                    actor=u, agenda_item=d["agenda_item"], member=d["member"], reason=d["reason"]
                ),
                _("The member steps aside from the item."),
            ),
            "speech": Action(
                lambda *a: f.SpeechForm(*a, meeting=meeting),
                lambda o, u, d: services.speech_record(
                    actor=u, agenda_item=d["agenda_item"], member=d["member"], text=d["text"]
                ),
                _("The view is recorded."),
            ),
            "vote": Action(
                lambda *a: f.VoteForm(*a, meeting=meeting),
                lambda o, u, d: services.vote_record(
                    actor=u, agenda_item=d["agenda_item"], member=d["member"], choice=d["choice"], dissent=d["dissent"]
                ),
                _("The vote is recorded."),
            ),
            "decide": Action(
                lambda *a: f.DecideForm(*a, meeting=meeting),
                lambda o, u, d: services.agenda_decide(
                    actor=u, agenda_item=d["agenda_item"], resolution=d["resolution"], defer=d["defer"]
                ),
                _("The decision is recorded."),
            ),
            "report": Action(
                lambda *a: f.ReportForm(*a, meeting=meeting),
                lambda o, u, d: services.agenda_report(actor=u, agenda_item=d["agenda_item"], text=d["text"]),
                _("The progress report is recorded."),
            ),
            "close": Action(
                f.EmptyForm,
                lambda o, u, d: services.meeting_close(actor=u, meeting=o),
                _("The meeting is closed; its minutes are frozen."),
            ),
            "amend": Action(
                f.AmendForm,
                lambda o, u, d: services.minutes_amend(actor=u, meeting=o, text=d["text"]),
                _("The signed amendment is recorded."),
            ),
        }

    def context(self, meeting: Meeting) -> dict[str, Any]:
        points = []
        for point in meeting.agenda.select_related("item").prefetch_related(
            "recusals__member", "speeches__member", "votes__member"
        ):
            points.append(
                {
                    "point": point,
                    "quorum": rules.quorum(point) if point.kind == AgendaItem.Kind.DECIDE else None,
                    "problems": services.decide_problems(point)
                    if point.kind == AgendaItem.Kind.DECIDE and not point.outcome
                    else [],
                }
            )
        return {
            "meeting": meeting,
            "members": meeting.members.all(),
            "points": points,
            "amendments": meeting.amendments.select_related("signed_by", "document"),
        }


class MinutesDownloadView(StaffMixin, View):
    def get(self, request: HttpRequest, pk: int) -> Any:
        meeting = access.meeting_get_for(request.user, pk)
        if meeting.minutes is None or not document_access_allowed(request.user, meeting.minutes):
            raise PermissionDenied(_("These minutes are not yours to read."))
        return issued_document_response(meeting.minutes, actor=request.user)


# --- Consultations --------------------------------------------------------------------------


class ConsultationView(ObjectPage):
    template_name = "decisions/staff/consultation.html"

    def get_object(self, pk: int) -> Consultation:
        return access.consultation_get_for(self.request.user, pk)

    def organization(self, obj: Consultation) -> Organization:
        return obj.item.organization

    def privacy_preview(self, obj: Consultation, name: str, review: Review) -> list[tuple[str, str]]:
        if name != "report":
            return []
        return [(where, review.redact(text)) for where, text in services.report_parts(obj)]

    def actions(self, consultation: Consultation) -> dict[str, Action]:
        comments = consultation.comments.all()
        ungrouped = comments.filter(moderation=Comment.Moderation.ACCEPTED, group__isnull=True)
        return {
            "moderate": Action(
                f.ModerateForm,
                lambda o, u, d: services.comment_moderate(
                    actor=u, comment=_comment(comments, d["comment"]), accept=d["accept"], reason=d["reason"]
                ),
                _("The comment is moderated."),
            ),
            "group": Action(
                lambda *a: f.GroupForm(*a, comments=ungrouped),
                lambda o, u, d: services.group_create(
                    actor=u, consultation=o, title=d["title"], comments=list(d["comments"])
                ),
                _("The group is made."),
            ),
            "answer": Action(
                lambda *a: f.AnswerForm(*a, groups=consultation.groups.all()),
                lambda o, u, d: services.group_answer(
                    actor=u, group=d["group"], answer=d["answer"], reason=d["reason"]
                ),
                _("The answer is recorded."),
            ),
            "close": Action(
                f.EmptyForm,
                lambda o, u, d: services.consultation_close(actor=u, consultation=o),
                _("The consultation is closed."),
            ),
            "report": Action(
                f.EmptyForm,
                lambda o, u, d: services.consultation_report_issue(
                    actor=u, consultation=o, review=d["privacy"].review(), redact=d["privacy"].redacting
                ),
                _("The consultation report is issued."),
            ),
        }

    def context(self, consultation: Consultation) -> dict[str, Any]:
        return {
            "consultation": consultation,
            "comments": consultation.comments.select_related("group"),
            "groups": consultation.groups.all(),
        }


def _comment(comments: Any, pk: int) -> Comment:
    comment = comments.filter(pk=pk).first()
    if comment is None:
        raise ValidationError(_("Choose one of the consultation's comments."))
    return comment


# --- Projects -------------------------------------------------------------------------------


class ProjectView(ObjectPage):
    template_name = "decisions/staff/project.html"

    def get_object(self, pk: int) -> Project:
        return access.project_get_for(self.request.user, pk)

    def organization(self, obj: Project) -> Organization:
        return obj.organization

    def actions(self, project: Project) -> dict[str, Action]:
        tender = getattr(project, "tender", None)
        bids = tender.bids.all() if tender else Project.objects.none()
        return {
            "tender": Action(
                f.TenderForm,
                lambda o, u, d: services.tender_record(
                    actor=u, project=o, method=d["method"], opened_on=d["opened_on"], bids=d["bids"]
                ),
                _("The tender is recorded."),
            ),
            "award": Action(
                lambda *a: f.AwardForm(*a, bids=bids),
                lambda o, u, d: services.tender_award(
                    actor=u, tender=o.tender, bid=d["bid"], awarded_on=d["awarded_on"]
                ),
                _("The tender is awarded."),
            ),
            "publish": Action(
                f.EmptyForm,
                lambda o, u, d: services.tender_publish(actor=u, tender=_tender(o)),
                _("The tender result is published."),
            ),
            "contract": Action(
                f.ContractForm,
                lambda o, u, d: services.contract_record(
                    actor=u,
                    organization=o.organization,
                    project=o,
                    purpose=d["purpose"],
                    contractor=d["contractor"],
                    price_fen=f.yuan_to_fen(d["price"]),
                    signed_on=d["signed_on"],
                    number=d["number"],
                ),
                _("The contract is recorded."),
            ),
            "funds": Action(
                f.EmptyForm,
                lambda o, u, d: services.project_funds_open(actor=u, project=o),
                _("The project is opened in funds."),
            ),
            "progress": Action(
                f.ProgressForm,
                lambda o, u, d: services.progress_report(
                    actor=u,
                    project=o,
                    progress_bp=int(d["percent"] * 100),
                    reported_on=d["reported_on"],
                    note=d["note"],
                ),
                _("The progress is recorded."),
            ),
            "pay": Action(
                f.PayForm,
                lambda o, u, d: services.project_pay(
                    actor=u,
                    project=o,
                    amount_fen=f.yuan_to_fen(d["amount"]),
                    paid_on=d["paid_on"],
                    voucher=d["voucher"],
                ),
                _("The payment is recorded."),
            ),
        }

    def context(self, project: Project) -> dict[str, Any]:
        tender = getattr(project, "tender", None)
        status = None
        funds_absent = not fund_project_pay.installed
        if not funds_absent and project.fund_url:
            try:
                status = services.project_funds_status(project)
            except (SeamUnavailable, ValidationError):
                status = None
        flags = [flag for flag in rules.red_flags() if flag.project_id == project.pk]
        return {
            "project": project,
            "tender": tender,
            "bids": tender.bids.all() if tender else [],
            "contracts": project.contracts.all(),
            "reports": project.reports.all(),
            "payments": project.payments.all(),
            "status": status,
            "funds_absent": funds_absent,
            "funds_absent_text": FUNDS_ABSENT,
            "flags": flags if access.can_see_red_flags(self.request.user) else [],
        }


def _tender(project: Project) -> Any:
    tender = getattr(project, "tender", None)
    if tender is None:
        raise ValidationError(_("Record the tender first."))
    return tender


class RedFlagsView(StaffMixin, View):
    """Discipline inspection's view: the red flags of tenders and purchases, computed live."""

    template_name = "decisions/staff/red_flags.html"

    def test_func(self) -> bool:
        return access.can_see_red_flags(self.request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        flags = red_flags_for(request.user)
        names = dict(Organization.objects.filter(pk__in={f.organization_id for f in flags}).values_list("pk", "name"))
        return render(request, self.template_name, {"flags": flags, "names": names})


# --- Schools: promotion and title rounds ------------------------------------------------------


class RoundCreateView(_CreateView):
    @property
    def title(self) -> str:  # type: ignore[override]
        return _("New promotion or title round")

    def organizations(self) -> Any:
        return access.managed_organizations(self.request.user).filter(kind=Organization.Kind.SCHOOL)

    def form(self, *args: Any) -> Any:
        return f.RoundForm(*args, organizations=self.organizations())

    def create(self, data: dict[str, Any]) -> Any:
        return services.round_open(
            actor=self.request.user,
            organization=data["organization"],
            kind=data["kind"],
            title=data["title"],
            criteria=data["criteria"],
        )

    def success_url(self, obj: Any) -> str:
        return reverse("decisions:round", args=[obj.pk])


class RoundView(ObjectPage):
    template_name = "decisions/staff/round.html"

    def get_object(self, pk: int) -> TitleRound:
        return access.round_get_for(self.request.user, pk)

    def organization(self, obj: TitleRound) -> Organization:
        return obj.organization

    def actions(self, rnd: TitleRound) -> dict[str, Action]:
        applicants = rnd.applicants.all()
        return {
            "applicant": Action(
                f.ApplicantForm,
                lambda o, u, d: services.applicant_add(
                    actor=u, title_round=o, name=d["name"], post=d["post"], materials=d["materials"]
                ),
                _("The applicant is added."),
            ),
            "evaluate": Action(
                lambda *a: f.EvaluateForm(*a, applicants=applicants),
                lambda o, u, d: services.applicant_evaluate(
                    actor=u, applicant=d["applicant"], score=d["score"], recommended=d["recommended"]
                ),
                _("The result is recorded."),
            ),
            "publish": Action(
                f.EmptyForm,
                lambda o, u, d: services.round_publish(actor=u, title_round=o),
                _("The results are published for the publicity period."),
            ),
            "objection": Action(
                lambda *a: f.ObjectionForm(*a, applicants=applicants),
                lambda o, u, d: services.objection_record(
                    actor=u, title_round=o, text=d["text"], applicant=d["applicant"]
                ),
                _("The objection is recorded."),
            ),
            "answer": Action(
                lambda *a: f.ObjectionAnswerForm(*a, objections=rnd.objections.filter(answered_at__isnull=True)),
                lambda o, u, d: services.objection_answer(actor=u, objection=d["objection"], answer=d["answer"]),
                _("The answer is recorded."),
            ),
            "close": Action(
                f.EmptyForm,
                lambda o, u, d: services.round_close(actor=u, title_round=o),
                _("The round is closed."),
            ),
        }

    def context(self, rnd: TitleRound) -> dict[str, Any]:
        return {
            "round": rnd,
            "applicants": rnd.applicants.all(),
            "objections": rnd.objections.select_related("applicant"),
        }
