from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from sunshine.core.clocks import clock_get
from sunshine.core.forms import OnceForm
from sunshine.disclosure import rules
from sunshine.disclosure.models import Category, Document, FoiRequest
from sunshine.disclosure.services import body_from_text, body_to_text
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
        body = self.fields["body"]
        body.help_text = _("Plain text: each line is a paragraph. Use “Preview” to see the page as the public will.")
        if self.instance.pk and not self.is_bound:
            self.initial["body"] = body_to_text(self.instance.body)

    def clean_body(self) -> str:
        """The writer's plain text as safe HTML, its paragraphs kept."""
        return body_from_text(self.cleaned_data.get("body", ""))


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
        label=_(
            "Date received (in person: that day; registered post: the day signed for; "
            "fax or email: the day both sides confirm, recorded later)"
        ),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Receipt code (16 digits)"), max_length=40)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 3}))
    answer_by = forms.DateField(
        label=_("The applicant answers by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class DayForm(forms.Form):
    on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ConsultationForm(DayForm):
    third_party = forms.CharField(label=_("Third party"), max_length=120)


class ExtensionForm(forms.Form):
    """FOI-3: the longest extension is the clock's own length, read from ``core.clocks``."""

    days = forms.IntegerField(label=_("Working days"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = clock_get(rules.REPLY_CLOCK).length
        field = self.fields["days"]
        field.max_value = most  # type: ignore[attr-defined]
        field.validators.append(MaxValueValidator(most))
        field.widget.attrs["max"] = most
        field.label = _("Working days (at most %(days)s)") % {"days": most}


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


class AnnualReportForm(forms.Form):
    """FOI-5: what the office enters — sections 1, 5 and 6, section 2's figures the
    records do not hold, and section 4's reconsideration and litigation table."""

    overview = forms.CharField(label=_("1. Overview"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    problems = forms.CharField(
        label=_("5. Main problems and improvements"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    other = forms.CharField(label=_("6. Other matters"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, _text in rules.REPORT_SECTION2_ENTERED:
            self.fields[key] = forms.IntegerField(label=label, min_value=0, initial=0)
        for row, row_label, _t in rules.REPORT_SECTION4_ROWS:
            for col, col_label, _t2 in rules.REPORT_SECTION4_COLUMNS:
                self.fields[f"{row}.{col}"] = forms.IntegerField(
                    label=f"{row_label}：{col_label}", min_value=0, initial=0
                )

    def entered(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in rules.report_entered_keys()}
