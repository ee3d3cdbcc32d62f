"""Forms of decisions (the one form style of core: ``{{ form }}`` renders them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.forms import OnceForm
from sunshine.decisions.models import (
    AgendaItem,
    Applicant,
    Bid,
    Category,
    Comment,
    CommentGroup,
    DecisionItem,
    Meeting,
    MeetingMember,
    Objection,
    Step,
    Tender,
    TitleRound,
    Vote,
)
from sunshine.orgs.models import Organization

MAX_YUAN = Decimal("100000000000")


def yuan_to_fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", MAX_YUAN)
        super().__init__(max_digits=14, decimal_places=2, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


class ItemForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organisation"))
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    amount = YuanField(label=_("Amount (yuan)"), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    major_administrative = forms.BooleanField(
        label=_("Major administrative decision"),
        required=False,
        help_text=_("Needs public participation, expert opinion, risk assessment and legality review first."),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("What the material is"), max_length=200)
    file = forms.FileField(label=pgettext_lazy("upload", "File"))


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Statutory step"), choices=Step.choices)
    title = forms.CharField(label=_("Document"), max_length=200)
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    file = forms.FileField(label=_("File"))


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    draft = forms.CharField(label=_("Draft put to the public"), widget=forms.Textarea(attrs={"rows": 8}))


class TaskForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Unit"))
    text = forms.CharField(label=_("Task"), max_length=300)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class TaskProgressForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=pgettext_lazy("construction", "Progress"), widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("Carried out"), required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    ceiling = YuanField(label=_("Ceiling price (yuan)"), min_value=Decimal("0.01"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class MeetingForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organisation"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=50, required=False)
    members = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One member a line: name, then post; put * before the principal leader's name."),
    )
    attendees = forms.CharField(label=_("Also attending"), max_length=400, required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_members(self) -> list[tuple[str, str, bool]]:
        rows: list[tuple[str, str, bool]] = []
        for line in self.cleaned_data["members"].splitlines():
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            name = parts[0]
            principal = name.startswith("*") or name.startswith("＊")
            rows.append((name.lstrip("*＊"), " ".join(parts[1:]), principal))
        return rows


class AgendaAddForm(forms.Form):
    item = forms.ModelChoiceField(queryset=DecisionItem.objects.none(), label=_("Decision item"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class _MemberForm(forms.Form):
    member = forms.ModelChoiceField(queryset=MeetingMember.objects.none(), label=_("Member"))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = meeting.members.all()  # type: ignore[attr-defined]
        if "agenda_item" in self.fields:
            self.fields["agenda_item"].queryset = meeting.agenda.select_related("item")  # type: ignore[attr-defined]


class AbsentForm(_MemberForm):
    reason = forms.CharField(label=_("Reason for absence"), max_length=100)


class RecusalForm(_MemberForm):
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label=_("Agenda item"))
    reason = forms.CharField(label=_("Interest"), max_length=200)


class SpeechForm(_MemberForm):
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label=_("Agenda item"))
    text = forms.CharField(label=_("View"), widget=forms.Textarea(attrs={"rows": 2}))


class VoteForm(_MemberForm):
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label=_("Agenda item"))
    choice = forms.ChoiceField(label=_("Vote"), choices=Vote.Choice.choices)
    dissent = forms.CharField(
        label=_("Dissent in the member's words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for a vote against."),
    )


class _AgendaForm(forms.Form):
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label=_("Agenda item"))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda.select_related("item")  # type: ignore[attr-defined]


class DecideForm(_AgendaForm):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    defer = forms.BooleanField(label=_("Defer the item"), required=False)


class ReportForm(_AgendaForm):
    text = forms.CharField(label=_("Progress reported"), widget=forms.Textarea(attrs={"rows": 3}))


class AmendForm(forms.Form):
    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 3}))


class EmptyForm(forms.Form):
    pass


class CommentForm(OnceForm):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    named = forms.BooleanField(label=_("Give my name"), required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    contact = forms.CharField(label=_("Phone or e-mail"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("named") and not (data.get("name") or "").strip():
            self.add_error("name", _("Give your name, or comment anonymously."))
        return data


class ModerateForm(forms.Form):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        label=_("Moderation"), choices=[("1", _("accept")), ("0", _("refuse"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason for refusal"), max_length=200, required=False)


class GroupForm(forms.Form):
    title = forms.CharField(label=_("What the comments say"), max_length=200)
    comments = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.none(), label=_("Comments"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, comments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comments"].queryset = comments  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    group = forms.ModelChoiceField(queryset=CommentGroup.objects.none(), label=_("Group of comments"))
    answer = forms.ChoiceField(label=_("Answer"), choices=CommentGroup.Answer.choices)
    reason = forms.CharField(label=_("How the comments were used, and why"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class TenderForm(forms.Form):
    method = forms.ChoiceField(label=pgettext_lazy("procurement", "Method"), choices=Tender.Method.choices)
    opened_on = forms.DateField(label=_("Bids opened on"), widget=DateInput)
    bids = forms.CharField(
        label=_("Bids"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One bid a line: the bidder, then the price in yuan."),
    )

    def clean_bids(self) -> list[tuple[str, int]]:
        rows: list[tuple[str, int]] = []
        for number, line in enumerate(self.cleaned_data["bids"].splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            try:
                amount = Decimal(parts[-1])
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(n)s: the price must be a number of yuan.") % {"n": number}
                ) from None
            if len(parts) < 2 or amount <= 0 or amount > MAX_YUAN:
                raise forms.ValidationError(_("Line %(n)s: the bidder, then the price in yuan.") % {"n": number})
            rows.append((" ".join(parts[:-1]), yuan_to_fen(amount)))
        return rows


class AwardForm(forms.Form):
    bid = forms.ModelChoiceField(queryset=Bid.objects.none(), label=_("Winning bid"))
    awarded_on = forms.DateField(label=_("Awarded on"), widget=DateInput)

    def __init__(self, *args: Any, bids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = bids  # type: ignore[attr-defined]


class ContractForm(forms.Form):
    purpose = forms.CharField(label=pgettext_lazy("contract", "Purpose"), max_length=100)
    contractor = forms.CharField(label=_("Contractor"), max_length=100)
    price = YuanField(label=_("Price (yuan)"), min_value=Decimal("0.01"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    number = forms.CharField(label=_("Contract number"), max_length=60, required=False)


class PurchaseForm(ContractForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organisation"))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    percent = forms.DecimalField(label=_("Progress (%)"), min_value=0, max_value=100, decimal_places=2)
    reported_on = forms.DateField(label=pgettext_lazy("progress", "Reported on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    amount = YuanField(label=_("Amount (yuan)"), min_value=Decimal("0.01"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    voucher = forms.CharField(label=_("Voucher number"), max_length=60)


class RoundForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("School"))
    kind = forms.ChoiceField(label=_("Kind"), choices=TitleRound.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    criteria = forms.CharField(label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations.filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.SCHOOL
        )


class ApplicantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=50, required=False)
    materials = forms.CharField(label=_("Materials"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EvaluateForm(forms.Form):
    applicant = forms.ModelChoiceField(
        queryset=Applicant.objects.none(), label=pgettext_lazy("title round", "Applicant")
    )
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, decimal_places=1)
    recommended = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("recommended")), ("0", _("not recommended"))],
        coerce=lambda v: v == "1",
    )

    def __init__(self, *args: Any, applicants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants  # type: ignore[attr-defined]


class ObjectionForm(forms.Form):
    applicant = forms.ModelChoiceField(queryset=Applicant.objects.none(), label=_("Applicant"), required=False)
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, applicants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants  # type: ignore[attr-defined]


class ObjectionAnswerForm(forms.Form):
    objection = forms.ModelChoiceField(queryset=Objection.objects.none(), label=_("Objection"))
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, objections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objection"].queryset = objections  # type: ignore[attr-defined]
