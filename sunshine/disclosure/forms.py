from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.core.forms import OnceForm
from sunshine.disclosure import rules
from sunshine.disclosure.models import Category, Document, FoiRequest
from sunshine.orgs.models import Organization


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["category", "title", "number", "issued_on", "valid_until", "info_date", "body", "change_note"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "info_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Category.objects.filter(pk__in=[c.pk for c in categories])


class NewDocumentForm(DocumentForm):
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Organisation")
    )

    class Meta(DocumentForm.Meta):
        fields = ["organization", *DocumentForm.Meta.fields]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment (.docx, .xlsx, .pdf, .txt)"))


class PublishForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Publish at (leave empty to publish now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class FoiForm(OnceForm):
    """FOI-1: applicant, contact, description of the information, and the form wanted."""

    applicant_kind = forms.ChoiceField(label=_("Applicant"), choices=FoiRequest.ApplicantKind.choices)
    applicant_name = forms.CharField(label=_("Name (or organisation)"), max_length=100)
    applicant_id_number = forms.CharField(label=_("ID or registration number"), max_length=40, required=False)
    contact = forms.CharField(label=_("Contact: phone, address or email"), max_length=200)
    description = forms.CharField(
        label=_("Information requested (title, document number, or a description)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    purpose = forms.CharField(label=_("Purpose (optional)"), required=False, max_length=1000)
    form = forms.ChoiceField(label=_("Form wanted"), choices=FoiRequest.Form.choices)


class FoiIntakeForm(FoiForm):
    submission = None  # type: ignore[assignment]  # staff record a request they received
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[c for c in FoiRequest.Channel.choices if c[0] != FoiRequest.Channel.ONLINE]
    )
    received_on = forms.DateField(
        label=_("Date received (in person: that day; registered post: the day signed for)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Receipt code (16 digits)"), max_length=40)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 3}))


class DayForm(forms.Form):
    on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ConsultationForm(DayForm):
    third_party = forms.CharField(label=_("Third party"), max_length=120)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Working days (at most 20)"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _reason_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", "—")]
    for reply_type, reasons in rules.REASONS.items():
        label = FoiRequest.ReplyType(reply_type).label
        choices += [(code, f"{label}：{text}") for code, text in reasons]
    return choices


class ReplyForm(forms.Form):
    reply_type = forms.ChoiceField(label=_("Reply type"), choices=FoiRequest.ReplyType.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=_reason_choices, required=False)
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}))


class InspectionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4)
