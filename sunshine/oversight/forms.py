"""Forms of oversight: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sunshine.core.forms import OnceForm
from sunshine.orgs.models import Organization
from sunshine.oversight.models import Campaign, Inspection, Talk


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(OnceForm):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    evidence = MultipleFileField(label=_("Evidence (photos or documents)"))


class VerifyForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Verification"),
        choices=[("1", _("Rectified: close the item")), ("0", _("Not rectified: send back"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(
        label=_("Remarks"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class OrderForm(OnceForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Unit"))
    title = forms.CharField(label=_("Title"), max_length=200)
    items = forms.CharField(
        label=_("Items to put right"),
        help_text=_("One item a line."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )
    due_on = forms.DateField(label=_("Due on"), required=False, help_text=_("Empty: the standard period."))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units  # type: ignore[attr-defined]


class InspectionForm(OnceForm):
    school = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("School"))
    mode = forms.ChoiceField(label=_("Mode"), choices=Inspection.Mode.choices)
    visited_on = forms.DateField(label=_("Visited on"))
    items_checked = forms.CharField(label=_("Items checked"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class FindingForm(OnceForm):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    photos = MultipleFileField(label=_("Photos"))


class EvaluationForm(OnceForm):
    period = forms.RegexField(
        label=_("Period"),
        regex=r"^\d{4}(-Q[1-4])?$",
        help_text=_("A year (2026) or a quarter (2026-Q3)."),
        max_length=7,
    )
    school_year = forms.RegexField(
        label=_("School year of the advanced units"),
        regex=r"^\d{4}-\d{4}$",
        required=False,
        help_text=_("For the annual evaluation only, e.g. 2026-2027."),
        max_length=9,
    )


class ValueForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    school = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("School"))
    raw = forms.DecimalField(label=_("Score"), max_digits=6, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Evidence"), max_length=200)

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class PlacesForm(forms.Form):
    places = forms.IntegerField(label=_("Number of advanced units"), min_value=1, max_value=1000)


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Grounds of the appeal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class DecideForm(forms.Form):
    lift = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("0", _("Uphold the veto")), ("1", _("Lift the veto"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CircularForm(OnceForm):
    number = forms.CharField(label=_("Document number"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000, required=False
    )
    forwarded = forms.BooleanField(label=_("Forwarded from a higher authority"), required=False)


class StudyForm(forms.Form):
    studied_on = forms.DateField(label=_("Studied on"))
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=100000)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ReviseForm(forms.Form):
    body = forms.CharField(label=_("Revised summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    reason = forms.CharField(label=_("What was revised"), max_length=1000)


class TalkForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Talk.Kind.choices)
    person = forms.CharField(label=_("Person"), max_length=50)
    unit = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Unit"))
    held_on = forms.DateField(label=_("Date"))
    held_by = forms.CharField(label=_("Held by"), max_length=100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    linked = forms.CharField(label=_("Linked cases and findings"), max_length=200, required=False)
    record = forms.FileField(label=_("Signed record"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class AppointmentForm(OnceForm):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Social supervisor"))
    starts_on = forms.DateField(label=_("Term starts"))
    ends_on = forms.DateField(label=_("Term ends"))
    schools = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(), label=_("Schools in scope"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, supervisors: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = supervisors  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: u.full_name or u.get_username()  # type: ignore[attr-defined]
        self.fields["schools"].queryset = schools  # type: ignore[attr-defined]


class CampaignForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        help_text=_("The pledge, the session's material, or the checklist (one question a line)."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
    )
    held_on = forms.DateField(label=_("Date of the session"), required=False)


class PledgeForm(forms.Form):
    paper = forms.FileField(label=_("Signed paper"), required=False)


class AttendanceForm(forms.Form):
    file = forms.FileField(label=_("Attendance list (Excel or CSV: 学校代码 or 学校名称, 参加人数)"))


class SpotCheckForm(forms.Form):
    matches = forms.TypedChoiceField(
        label=_("Spot check"),
        choices=[("1", _("The answers match what was found")), ("0", _("The answers do not match"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
