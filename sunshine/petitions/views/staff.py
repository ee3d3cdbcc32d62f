"""Staff pages of petitions (/petitions/staff/): the queues per role with filters,
bulk assignment and the Excel export; the case page with its actions; staff intake.

Every read goes through ``petitions.access`` / ``selectors`` (PET-9 recusal included:
a case the user may not see is a 404); every write is one service call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View
from django.views.decorators.cache import never_cache

from sunshine.core.crypto import session_secret_pop, session_secret_put
from sunshine.core.downloads import DOCX_TYPE, XLSX_TYPE, attachment_response
from sunshine.core.local_rules import local_rule
from sunshine.core.receipts import receipt_code_grouped
from sunshine.orgs.access import has_role, staff_roles_of
from sunshine.orgs.models import Organization, Role
from sunshine.petitions import access, selectors, services
from sunshine.petitions.exports import queue_xlsx
from sunshine.petitions.forms import (
    AccusedConfirmForm,
    BulkAssignForm,
    DeclineForm,
    ExtendForm,
    ForwardForm,
    IdentityOpenForm,
    LinkDecisionForm,
    OutcomeForm,
    QueueFilterForm,
    ReasonForm,
    RecuseForm,
    ReplyForm,
    StaffIntakeForm,
    TextForm,
    UnitForm,
    UnitReportForm,
    errors_apply,
)
from sunshine.petitions.models import Petition, PetitionLink
from sunshine.petitions.views import reply_download

PAGE_SIZE = 50
QUEUES: list[tuple[str, Any]] = [
    ("triage", gettext_lazy("To triage")),
    ("my_unit", gettext_lazy("Assigned to my unit")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("awaiting_rating", gettext_lazy("Awaiting rating")),
    ("all", gettext_lazy("All I may see")),
]
INTAKE_SESSION_KEY = "petitions.intake_receipt"


def may_use_workbench(user: Any) -> bool:
    """Triage roles and the handling roles of petitions.access; not the three
    administrators nor social supervisors (三员分立)."""
    return access.can_triage(user) or bool(staff_roles_of(user) & access.HANDLING_ROLES)


def triage_units(user: Any) -> QuerySet[Organization]:
    """The departments and schools of the bureaus ``user`` triages (bulk assignment)."""
    return Organization.objects.filter(
        parent_id__in=access.triage_bureau_ids(user),
        is_active=True,
        kind__in=(Organization.Kind.DEPARTMENT, Organization.Kind.SCHOOL),
    ).order_by("kind", "code")


def filter_units(user: Any) -> QuerySet[Organization]:
    """The units a user may filter by: the triaged bureaus' units, or their own units."""
    ids = access.triage_bureau_ids(user)
    if ids:
        return triage_units(user)
    from sunshine.orgs.access import organizations_of

    return organizations_of(user).order_by("code")


class WorkbenchAccessMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Logged in (anonymous → login page) with a petitions role (others → 403)."""

    raise_exception = False

    def test_func(self) -> bool:
        return may_use_workbench(self.request.user)  # type: ignore[attr-defined]


@method_decorator(never_cache, name="dispatch")
class QueueListView(WorkbenchAccessMixin, View):
    """信访工作台: the queues (selectors.petition_queue), filters, RAG clocks, bulk
    assignment and pagination."""

    template_name = "petitions/staff/queue.html"

    def queue_name(self, request: HttpRequest) -> str:
        default = "triage" if access.can_triage(request.user) else "my_unit"
        name = request.GET.get("queue", default)
        return name if name in dict(QUEUES) else default

    def filtered(self, request: HttpRequest) -> tuple[str, QueueFilterForm, QuerySet[Petition]]:
        queue = self.queue_name(request)
        form = QueueFilterForm(request.GET or None, organizations=filter_units(request.user), user=request.user)
        queryset = selectors.petition_queue(request.user, queue)
        if request.GET:
            queryset = form.apply(queryset)
        return queue, form, queryset

    def get(self, request: HttpRequest) -> HttpResponse:
        queue, form, queryset = self.filtered(request)
        page = Paginator(queryset.select_related("assigned_to", "subject_organization"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = [(petition, selectors.petition_clock(petition)) for petition in page.object_list]
        linked_ids = selectors.petitions_with_links([petition.pk for petition in page.object_list], request.user)
        may_assign = access.can_triage(request.user)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "queues": QUEUES,
            "queue": queue,
            "queue_label": dict(QUEUES)[queue],
            "form": form,
            "page": page,
            "rows": rows,
            "linked_ids": linked_ids,
            "may_assign": may_assign,
            "may_intake": may_assign,
            "bulk_form": BulkAssignForm(organizations=triage_units(request.user)) if may_assign else None,
            "query": query.urlencode(),
        }
        return render(request, self.template_name, context)


class QueueExportView(QueueListView):
    """The current queue and filters as an Excel workbook; never any identity column."""

    def get(self, request: HttpRequest) -> HttpResponse:
        queue, _form, queryset = self.filtered(request)
        content = queue_xlsx(queryset.select_related("assigned_to", "subject_organization"))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return attachment_response(
            content,
            filename=f"{pgettext('export', 'Petitions')}-{dict(QUEUES)[queue]}-{stamp}.xlsx",
            content_type=XLSX_TYPE,
        )


class BulkAssignView(WorkbenchAccessMixin, View):
    """Assign the ticked cases to one unit (petition_assign_bulk: PET-9 refusals are
    the service's, and are reported back without assigning anything)."""

    def test_func(self) -> bool:
        return access.can_triage(self.request.user)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkAssignForm(
            request.POST,
            organizations=triage_units(request.user),
            petitions=access.petitions_visible_to(request.user),
        )
        back = reverse("petitions:workbench") + ("?" + request.POST["back"] if request.POST.get("back") else "")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect(back)
        try:
            count = services.petition_assign_bulk(
                petitions=list(form.cleaned_data["petitions"]),
                organization=form.cleaned_data["organization"],
                actor=request.user,
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(count)d case(s) assigned to %(unit)s.")
                % {"count": count, "unit": form.cleaned_data["organization"].name},
            )
        return redirect(back)


# --- The case page ------------------------------------------------------------------------

S = Petition.Status
OPEN_STATUSES = frozenset(set(S) - {S.CLOSED})


def case_actions(user: Any, petition: Petition) -> dict[str, bool]:
    """Which action forms to show: the status table of the model, intersected with the
    user's rights from petitions.access. The services check both again."""
    status = petition.status
    act = access.can_act_on(user, petition)
    triage = access.can_triage(user, petition.bureau)
    return {
        "accept": triage and status == S.REGISTERED,
        "decline": triage and status == S.REGISTERED,
        "forward": triage and status == S.REGISTERED,
        "assign": triage and status == S.ACCEPTED,
        "start": act and status in (S.ACCEPTED, S.ASSIGNED),
        "instruct": has_role(user, Role.LEADER) and status in (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS),
        "extend": access.can_approve_extension(user, petition)
        and status in (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)
        and not petition.extension_days,
        "unit_report": access.can_report_for_unit(user, petition)
        and status in (S.ASSIGNED, S.IN_PROGRESS)
        and services.unit_report_live(petition) is None,
        "unit_report_return": triage
        and status in (S.ASSIGNED, S.IN_PROGRESS)
        and services.unit_report_live(petition) is not None,
        "reply": (act and status in (S.ASSIGNED, S.IN_PROGRESS))
        or (triage and status in (S.UNDER_REVIEW, S.UNDER_REEXAMINATION)),
        "signoff": bool(local_rule("PET-6-leader-signoff"))
        and access.can_sign_off_reply(user, petition)
        and status in (S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW, S.UNDER_REEXAMINATION)
        and not services.reply_signed_off(petition),
        "close": triage
        and (
            status in (S.DECLINED, S.FORWARDED)
            or (status in (S.ANSWERED, S.RATED, S.REVIEWED) and services.review_window_lapsed(petition))
        ),
        "outcome": triage and status != S.REGISTERED,
        "recuse": triage and status in OPEN_STATUSES,
        "accused": triage and status in services.ACCUSED_CONFIRM_STATUSES,
        "conflict": status in OPEN_STATUSES,
        "message": act and status in OPEN_STATUSES,
        "note": act,
    }


ACTION_PANELS: list[tuple[str, Any, Any]] = [
    ("accept", gettext_lazy("Accept the case"), gettext_lazy("Accept")),
    ("decline", gettext_lazy("Do not accept"), gettext_lazy("Do not accept")),
    ("forward", gettext_lazy("Forward to another authority"), gettext_lazy("Forward")),
    ("assign", gettext_lazy("Assign to a unit"), gettext_lazy("Assign")),
    ("start", gettext_lazy("Start handling"), gettext_lazy("Start")),
    ("instruct", gettext_lazy("Leader's instruction"), gettext_lazy("Record the instruction")),
    ("extend", gettext_lazy("Extend the deadline"), gettext_lazy("Approve the extension")),
    ("unit_report", gettext_lazy("The unit's handling report"), gettext_lazy("Send the report to the bureau")),
    ("unit_report_return", gettext_lazy("Return the unit's report"), gettext_lazy("Return for more work")),
    ("signoff", gettext_lazy("Leader's sign-off of the reply"), gettext_lazy("Sign off the reply")),
    ("reply", gettext_lazy("Written reply"), gettext_lazy("Issue the reply")),
    ("close", gettext_lazy("Close the case"), gettext_lazy("Close")),
    ("outcome", gettext_lazy("Outcome: refunds and sanctions"), gettext_lazy("Record")),
    ("recuse", gettext_lazy("Recusal"), gettext_lazy("Record the recusal")),
    ("conflict", gettext_lazy("Declare a conflict of interest"), gettext_lazy("Step aside from this case")),
]


def recusal_candidates(petition: Petition) -> QuerySet[Any]:
    """Staff of the receiving bureau and its units, who may be asked to step aside."""
    from sunshine.orgs.models import Membership

    bureau = petition.bureau
    member_ids = Membership.objects.filter(is_active=True, organization__path__startswith=bureau.path).values("user_id")
    return get_user_model().objects.filter(pk__in=member_ids).order_by("username")


ACTION_FORMS: dict[str, Any] = {
    "decline": DeclineForm,
    "forward": ForwardForm,
    "assign": UnitForm,
    "instruct": TextForm,
    "extend": ExtendForm,
    "reply": ReplyForm,
    "unit_report": UnitReportForm,
    "unit_report_return": ReasonForm,
    "outcome": OutcomeForm,
    "recuse": RecuseForm,
    "conflict": ReasonForm,
    "message": TextForm,
    "note": TextForm,
    "identity": IdentityOpenForm,
}


def action_form(name: str, petition: Petition, data: Any = None) -> Any:
    cls = ACTION_FORMS[name]
    kwargs: dict[str, Any] = {"prefix": name}
    if name == "assign":
        kwargs["organizations"] = access.assignable_organizations(petition)
    if name == "recuse":
        kwargs["users"] = recusal_candidates(petition)
    if name == "outcome" and data is None:
        kwargs["initial"] = {"refunds_yuan": petition.refunds_ordered_fen / 100, "sanctions": petition.sanctions}
    if name == "reply" and data is None:
        report = services.unit_report_live(petition)
        facts = report.findings if report is not None else ""
        kwargs["initial"] = {"request_summary": petition.request, "facts": facts, "reasons": ""}
    form = cls(data, **kwargs)
    labels = {"message": _("Message"), "note": _("Note"), "instruct": _("Instruction")}
    if name in labels:
        form.fields["text"].label = labels[name]
    if name == "conflict":
        form.fields["reason"].label = _("Your interest in the case")
    return form


def case_context(request: HttpRequest, petition: Petition, **extra: Any) -> dict[str, Any]:
    user = request.user
    actions = case_actions(user, petition)
    forms = {name: extra.pop(f"{name}_form", None) or action_form(name, petition) for name in ACTION_FORMS}
    # PET-5: past the handling deadline an extension is refused; say so instead of the form.
    extension_lapsed = actions.get("extend", False) and services.extension_lapsed(petition)
    report_missing = services.unit_report_missing(petition)
    triage = access.can_triage(user, petition.bureau)
    timeline = selectors.petition_timeline(petition, for_filer=False)
    context: dict[str, Any] = {
        "petition": petition,
        "clock": selectors.petition_clock(petition),
        "timeline": timeline,
        "replies": list(petition.replies.all()),
        "unit_reports": list(petition.unit_reports.select_related("organization")),
        # Linked cases the user may see themselves; triage may confirm or dismiss each.
        "linked": selectors.petition_links(petition, user),
        "may_decide_links": triage,
        "actions": actions,
        "panels": [
            {
                "name": name,
                "title": title,
                "button": button,
                "url": reverse(f"petitions:case-{name.replace('_', '-')}", kwargs={"pk": petition.pk}),
                "form": forms.get(name),
                "blocked": (
                    _("The handling deadline has passed; an extension can no longer be approved.")
                    if name == "extend" and extension_lapsed
                    else _("The reply is issued once the handling unit has sent its report to the bureau.")
                    if name == "reply" and petition.status in (S.ASSIGNED, S.IN_PROGRESS) and report_missing
                    else ""
                ),
            }
            for name, title, button in ACTION_PANELS
            if actions.get(name)
        ],
        # PET-7: earlier re-examined cases of the same filer, for triage to compare.
        "same_facts": selectors.same_facts_candidates(petition) if triage and petition.status == S.REGISTERED else [],
        "same_facts_as": petition.same_facts_as
        if petition.same_facts_as_id and access.petitions_visible_to(user).filter(pk=petition.same_facts_as_id).exists()
        else None,
        "forms": forms,
        "refunds_yuan": f"{petition.refunds_ordered_fen / 100:,.2f}",
        "may_open_identity": access.can_open_identity(user, petition),
        "identity": None,
        "openings": petition.identity_openings.select_related("user")[:10]
        if access.can_open_identity(user, petition)
        else [],
    }
    context.update(extra)
    return context


@method_decorator(never_cache, name="dispatch")
class CaseDetailView(WorkbenchAccessMixin, View):
    """The case: facts, request and reasons, the clock, the timeline (internal notes
    apart from messages to the filer), the linked cases, the identity hidden until
    opened (PET-9 custodian model), and the actions allowed in the current status."""

    template_name = "petitions/staff/case.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = access.petition_get_for(request.user, pk)
        return render(request, self.template_name, case_context(request, petition))


class CaseLinkDecideView(WorkbenchAccessMixin, View):
    """Confirm or dismiss a link of the case (services.petition_link_decide): a link
    not of this case, or to a case the user may not see, is a 404; a user who is not
    triage of the bureau is refused (403)."""

    def post(self, request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
        petition = access.petition_get_for(request.user, pk)
        link = (
            PetitionLink.objects.filter(pk=link_pk)
            .filter(Q(earlier=petition) | Q(later=petition))
            .select_related("earlier", "later")
            .first()
        )
        if link is None or not access.petitions_visible_to(request.user).filter(pk=link.other(petition)).exists():
            raise Http404
        if not access.can_decide_link(request.user, link):
            raise PermissionDenied
        form = LinkDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect("petitions:case", pk=petition.pk)
        confirm = form.cleaned_data["decision"] == "confirm"
        services.petition_link_decide(link=link, actor=request.user, confirm=confirm)
        messages.success(
            request,
            _("Recorded: the two cases are the same matter.")
            if confirm
            else _("Recorded: the two cases are not the same matter."),
        )
        return redirect(f"{reverse('petitions:case', kwargs={'pk': petition.pk})}#linked-heading")


@method_decorator(never_cache, name="dispatch")
class IdentityOpenView(WorkbenchAccessMixin, View):
    """Open the filer's identity with a written reason (identity_open records it and
    audits it). The identity is shown on this response only: it is never put in the
    session, and the response is not cached."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = access.petition_get_for(request.user, pk)
        if not access.can_open_identity(request.user, petition):
            raise PermissionDenied
        form = action_form("identity", petition, request.POST)
        identity = None
        status = 200
        if form.is_valid():
            try:
                identity = services.identity_open(
                    petition=petition, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                errors_apply(form, exc)
                status = 400
        else:
            status = 400
        context = case_context(
            request, petition, identity_form=form, identity=identity, identity_opened=identity is not None
        )
        response = render(request, CaseDetailView.template_name, context, status=status)
        response["Cache-Control"] = "no-store, private"
        return response


class CaseActionView(WorkbenchAccessMixin, View):
    """One action on a case: a small form posting here, one service call, back to the
    case page with a message. A refusal by the service is shown on the case page."""

    action = ""
    success: Any = ""

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = access.petition_get_for(request.user, pk)
        if not case_actions(request.user, petition).get(self.action, False):
            raise PermissionDenied
        form = action_form(self.action, petition, request.POST) if self.action in ACTION_FORMS else None
        if form is None or form.is_valid():
            try:
                self.call(request, petition, form)
            except ValidationError as exc:
                if form is None:
                    for error in exc.messages:
                        messages.error(request, error)
                    return redirect("petitions:case", pk=petition.pk)
                errors_apply(form, exc)
            else:
                messages.success(request, str(self.success))
                return redirect("petitions:case", pk=petition.pk)
        petition.refresh_from_db()
        context = case_context(request, petition, **{f"{self.action}_form": form})
        context["failed_action"] = self.action
        return render(request, CaseDetailView.template_name, context, status=400)


class CaseAcceptView(CaseActionView):
    action = "accept"
    success = gettext_lazy("The case is accepted; the filer is told.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_accept(petition=petition, actor=request.user)


class CaseDeclineView(CaseActionView):
    action = "decline"
    success = gettext_lazy("The case is not accepted; the filer is told why.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_decline(
            petition=petition,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            where_to_go=form.cleaned_data["where_to_go"],
        )


class CaseForwardView(CaseActionView):
    action = "forward"
    success = gettext_lazy("The case is forwarded; the filer is told where.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_forward(
            petition=petition,
            actor=request.user,
            to_authority=form.cleaned_data["to_authority"],
            reason=form.cleaned_data["reason"],
        )


class CaseAssignView(CaseActionView):
    action = "assign"
    success = gettext_lazy("The case is assigned to the unit, under supervision.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_assign(
            petition=petition,
            organization=form.cleaned_data["organization"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )


class CaseStartView(CaseActionView):
    action = "start"
    success = gettext_lazy("Handling has started.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_start(petition=petition, actor=request.user)


class CaseInstructView(CaseActionView):
    action = "instruct"
    success = gettext_lazy("The instruction is recorded.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_instruct(petition=petition, author=request.user, text=form.cleaned_data["text"])


class CaseExtendView(CaseActionView):
    action = "extend"
    success = gettext_lazy("The deadline is extended; the filer is told the reason.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_extend(
            petition=petition, days=form.cleaned_data["days"], reason=form.cleaned_data["reason"], actor=request.user
        )


class CaseReplyView(CaseActionView):
    action = "reply"
    success = gettext_lazy("The reply is issued and shown to the filer.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_reply(petition=petition, actor=request.user, **form.cleaned_data)


class CaseReplyPreviewView(WorkbenchAccessMixin, View):
    """The reply as a Word document before it is issued (no number, nothing recorded)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = access.petition_get_for(request.user, pk)
        if not case_actions(request.user, petition).get("reply", False):
            raise PermissionDenied
        form = action_form("reply", petition, request.POST)
        if not form.is_valid():
            context = case_context(request, petition, reply_form=form)
            context["failed_action"] = "reply"
            return render(request, CaseDetailView.template_name, context, status=400)
        try:
            content = services.petition_reply_preview(petition=petition, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_apply(form, exc)
            context = case_context(request, petition, reply_form=form)
            return render(request, CaseDetailView.template_name, context, status=400)
        return attachment_response(
            content, filename=f"{petition.number}{services.PREVIEW_NUMBER}.docx", content_type=DOCX_TYPE
        )


class CaseUnitReportView(CaseActionView):
    action = "unit_report"
    success = gettext_lazy("The report is sent to the bureau.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_unit_report(petition=petition, actor=request.user, **form.cleaned_data)


class CaseUnitReportReturnView(CaseActionView):
    action = "unit_report_return"
    success = gettext_lazy("The report is returned to the unit for more work.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_unit_report_return(petition=petition, actor=request.user, reason=form.cleaned_data["reason"])


class CaseSignoffView(CaseActionView):
    action = "signoff"
    success = gettext_lazy("The reply is signed off; it may now be issued.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_reply_signoff(petition=petition, actor=request.user)


class CaseCloseView(CaseActionView):
    action = "close"
    success = gettext_lazy("The case is closed.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_close(petition=petition, actor=request.user)


class CaseOutcomeView(CaseActionView):
    action = "outcome"
    success = gettext_lazy("The outcome is recorded.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_record_outcome(
            petition=petition,
            refunds_ordered_fen=form.refunds_fen,
            sanctions=form.cleaned_data["sanctions"],
            actor=request.user,
        )


class CaseRecuseView(CaseActionView):
    action = "recuse"
    success = gettext_lazy("The recusal is recorded.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_recuse(
            petition=petition, user=form.cleaned_data["user"], reason=form.cleaned_data["reason"], actor=request.user
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = super().post(request, pk)
        # Someone who recused themselves can no longer see the case.
        if response.status_code == 302 and not access.petitions_visible_to(request.user).filter(pk=pk).exists():
            return redirect("petitions:workbench")
        return response


class CaseConflictView(CaseActionView):
    """PET-9: a staff member declares their own interest in the case and steps aside;
    from then on the case is hidden from them (back to the workbench)."""

    action = "conflict"
    success = gettext_lazy("You have stepped aside from the case; it is no longer shown to you.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_recuse(
            petition=petition, user=request.user, reason=form.cleaned_data["reason"], actor=request.user
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = super().post(request, pk)
        if response.status_code == 302:
            return redirect("petitions:workbench")
        return response


def accused_units(petition: Petition) -> QuerySet[Organization]:
    """The units a case may accuse: every active unit under the receiving bureau."""
    return Organization.objects.filter(path__startswith=petition.bureau.path, is_active=True).order_by("kind", "code")


def accused_people(petition: Petition) -> QuerySet[Any]:
    """Every staff member of the receiving bureau's tree (the service checks that the
    chosen person holds a post in the chosen unit)."""
    from sunshine.orgs.models import Membership

    member_ids = Membership.objects.filter(is_active=True, organization__path__startswith=petition.bureau.path)
    return get_user_model().objects.filter(pk__in=member_ids.values("user_id"))


@method_decorator(never_cache, name="dispatch")
class CaseAccusedView(WorkbenchAccessMixin, View):
    """PET-9: triage confirms the accused unit and links the person the filer named to a
    staff record, searched by name within that unit (a plain GET search form), or
    records that no staff record matches. A report is assigned only after this."""

    template_name = "petitions/staff/accused.html"

    def allowed(self, request: HttpRequest, pk: int) -> Petition:
        petition = access.petition_get_for(request.user, pk)
        if not case_actions(request.user, petition).get("accused", False):
            raise PermissionDenied
        return petition

    def context(self, request: HttpRequest, petition: Petition, form: AccusedConfirmForm | None = None) -> Any:
        units = accused_units(petition)
        unit_id = str(request.GET.get("unit") or petition.accused_organization_id or "")
        unit = units.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
        query = (request.GET.get("q") or petition.accused_name).strip()[:50]
        candidates = selectors.accused_candidates(petition, query, unit=unit) if unit is not None else []
        if form is None:
            form = AccusedConfirmForm(
                organizations=units,
                users=accused_people(petition),
                initial={"organization": unit, "user": petition.accused_user},
            )
        return {
            "petition": petition,
            "units": units,
            "unit": unit,
            "query": query,
            "candidates": candidates,
            "form": form,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = self.allowed(request, pk)
        return render(request, self.template_name, self.context(request, petition))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        petition = self.allowed(request, pk)
        form = AccusedConfirmForm(request.POST, organizations=accused_units(petition), users=accused_people(petition))
        if form.is_valid():
            try:
                services.petition_accused_confirm(
                    petition=petition,
                    organization=form.cleaned_data["organization"],
                    user=form.cleaned_data["user"],
                    actor=request.user,
                )
            except ValidationError as exc:
                errors_apply(form, exc)
            else:
                messages.success(request, _("The accused unit and person are confirmed."))
                if access.petitions_visible_to(request.user).filter(pk=petition.pk).exists():
                    return redirect("petitions:case", pk=petition.pk)
                return redirect("petitions:workbench")
        return render(request, self.template_name, self.context(request, petition, form), status=400)


@method_decorator(never_cache, name="dispatch")
class CaseSameFactsView(WorkbenchAccessMixin, View):
    """PET-7: the new case beside an earlier re-examined case of the same filer; triage
    decides whether the facts and reasons are the same, and a refusal names the
    earlier case."""

    template_name = "petitions/staff/same_facts.html"

    def cases(self, request: HttpRequest, pk: int, earlier_pk: int) -> tuple[Petition, Any]:
        petition = access.petition_get_for(request.user, pk)
        if not access.can_triage(request.user, petition.bureau) or petition.status != S.REGISTERED:
            raise PermissionDenied
        match = next((c for c in selectors.same_facts_candidates(petition) if c.earlier.pk == earlier_pk), None)
        if match is None or not access.petitions_visible_to(request.user).filter(pk=earlier_pk).exists():
            raise Http404
        return petition, match

    def get(self, request: HttpRequest, pk: int, earlier_pk: int) -> HttpResponse:
        petition, match = self.cases(request, pk, earlier_pk)
        context = {
            "petition": petition,
            "match": match,
            "earlier": match.earlier,
            "replies": match.earlier.replies.all(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int, earlier_pk: int) -> HttpResponse:
        petition, match = self.cases(request, pk, earlier_pk)
        try:
            services.petition_refuse_same_facts(petition=petition, earlier=match.earlier, actor=request.user)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("The case is refused as the same facts; the filer is told which case."))
        return redirect("petitions:case", pk=petition.pk)


class CaseMessageView(CaseActionView):
    action = "message"
    success = gettext_lazy("The message is shown to the filer.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_message_to_filer(petition=petition, actor=request.user, text=form.cleaned_data["text"])


class CaseNoteView(CaseActionView):
    action = "note"
    success = gettext_lazy("The internal note is added.")

    def call(self, request: HttpRequest, petition: Petition, form: Any) -> None:
        services.petition_note_internal(petition=petition, actor=request.user, text=form.cleaned_data["text"])


# --- Documents ---------------------------------------------------------------------------


class CaseDocumentView(WorkbenchAccessMixin, View):
    """The PET-3 acceptance notice, the 督办单 and the replies as Word documents (a reply
    as the bytes issued; the notices as they read today)."""

    def get(self, request: HttpRequest, pk: int, document: str, reply_pk: int | None = None) -> HttpResponseBase:
        from sunshine.petitions import documents

        petition = access.petition_get_for(request.user, pk)
        if document == "notice":  # PET-3: accepted, not accepted or forwarded
            if not petition.acceptance_number:
                raise Http404
            content = documents.acceptance_notice_docx(petition)
            filename = f"{_('Acceptance notice')}-{petition.number}.docx"
        elif document == "supervision":
            if petition.assigned_to_id is None:
                raise Http404
            content = documents.supervision_notice_docx(petition)
            filename = f"{_('Supervision notice')}-{petition.number}.docx"
        elif document == "reply":
            reply = petition.replies.filter(pk=reply_pk or 0).first()
            if reply is None:
                raise Http404
            return reply_download(reply, actor=request.user)
        else:
            raise Http404
        return attachment_response(content, filename=filename, content_type=DOCX_TYPE)


# --- Staff intake --------------------------------------------------------------------------


class IntakeView(WorkbenchAccessMixin, View):
    """Staff intake (PET-1): a phone call, a letter with its scan, a visit, the suggestion
    box, a hotline transfer or a forwarded case."""

    template_name = "petitions/staff/intake.html"

    def test_func(self) -> bool:
        return access.can_triage(self.request.user)

    def bureau(self) -> Organization:
        ids = sorted(access.triage_bureau_ids(self.request.user))
        return Organization.objects.get(pk=ids[0])

    def get(self, request: HttpRequest) -> HttpResponse:
        bureau = self.bureau()
        form = StaffIntakeForm(
            organizations=triage_units(request.user),
            initial={"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "channel": "phone"},
        )
        return render(request, self.template_name, {"form": form, "bureau": bureau})

    def post(self, request: HttpRequest) -> HttpResponse:
        bureau = self.bureau()
        form = StaffIntakeForm(request.POST, request.FILES, organizations=triage_units(request.user))
        if form.is_valid():
            data = form.cleaned_data
            received_at = data["received_at"]
            if timezone.is_naive(received_at):
                received_at = timezone.make_aware(received_at)
            if received_at > timezone.now():
                form.add_error("received_at", _("The time of receipt cannot be in the future."))
            else:
                try:
                    filed = services.petition_file(
                        bureau=bureau,
                        kind=data["kind"],
                        channel=data["channel"],
                        title=data["title"],
                        facts=data["facts"],
                        request=data["request"],
                        reasons=data["reasons"],
                        subject_organization=data["subject_organization"],
                        accused_organization=data["accused_organization"],
                        accused_name=data["accused_name"],
                        identity=services.IdentityInput(**form.identity_values()) if form.is_named else None,
                        consent_publish=data["consent_publish"],
                        attachments=data["attachments"],
                        source_label=data["source_label"],
                        received_at=received_at,
                        actor=request.user,
                    )
                except ValidationError as exc:
                    errors_apply(form, exc)
                else:
                    session_secret_put(
                        request.session, INTAKE_SESSION_KEY, {"pk": filed.petition.pk, "code": filed.receipt_code}
                    )
                    return redirect("petitions:intake-done")
        return render(request, self.template_name, {"form": form, "bureau": bureau}, status=400)


@method_decorator(never_cache, name="dispatch")
class IntakeDoneView(WorkbenchAccessMixin, View):
    """The receipt code of a case taken in by staff, shown once to be read out or
    mailed to the filer; then a link to the case."""

    def test_func(self) -> bool:
        return access.can_triage(self.request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        receipt = session_secret_pop(request.session, INTAKE_SESSION_KEY)
        petition = access.petitions_visible_to(request.user).filter(pk=receipt["pk"]).first() if receipt else None
        context = {
            "petition": petition,
            "code_grouped": receipt_code_grouped(receipt["code"]) if receipt and receipt.get("code") else "",
        }
        response = render(request, "petitions/staff/intake_done.html", context)
        response["Cache-Control"] = "no-store, private"
        return response
