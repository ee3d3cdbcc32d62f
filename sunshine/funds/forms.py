"""Forms of funds (the one form style of ``core.forms``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.forms import OnceForm
from sunshine.funds.models import Fund
from sunshine.funds.services import DEFAULT_COLUMNS
from sunshine.orgs.models import Organization


def to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class FundForm(OnceForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    source_level = forms.ChoiceField(label=_("Source level"), choices=Fund.Source.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Fund.Purpose.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    approved_on = forms.DateField(label=_("Budget approved on"), widget=forms.DateInput(attrs={"type": "date"}))
    approval_document = forms.CharField(label=_("Budget approval document"), max_length=80)
    total = forms.DecimalField(label=_("Total (yuan)"), min_value=Decimal("0"), decimal_places=2, max_digits=14)
    mode = forms.ChoiceField(label=_("Management mode"), choices=Fund.Mode.choices)
    curve = forms.CharField(
        label=_("Planned curve"),
        required=False,
        help_text=_("Only for a planned curve: twelve cumulative percentages, one per month, separated by commas."),
    )

    def clean_curve(self) -> list[int]:
        text = (self.cleaned_data.get("curve") or "").replace("，", ",")
        if not text.strip():
            return []
        try:
            return [int(Decimal(part.strip()) * 100) for part in text.split(",") if part.strip()]
        except ArithmeticError as exc:
            raise forms.ValidationError(_("Write twelve numbers separated by commas.")) from exc


class AllocationForm(forms.Form):
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Recipient"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Project"), max_length=120, required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=14)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class DisbursementForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=14)
    voucher = forms.CharField(label=_("Voucher number"), max_length=60)


class CertifyForm(forms.Form):
    progress = forms.DecimalField(
        label=_("Progress (%)"), min_value=Decimal("0.01"), max_value=Decimal("100"), decimal_places=2, max_digits=5
    )
    certified_on = forms.DateField(label=_("Certified on"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(label=_("Evidence"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("upload", "File"),
        help_text=_("An Excel (.xlsx) or CSV file exported from the finance system."),
    )
    school = forms.CharField(label=_("Column of the school code or name"), max_length=60)
    voucher = forms.CharField(label=_("Column of the voucher number"), max_length=60)
    paid_on = forms.CharField(label=_("Column of the date"), max_length=60)
    amount = forms.CharField(label=_("Column of the amount (yuan)"), max_length=60)
    project = forms.CharField(label=_("Column of the project"), max_length=60, required=False)

    def __init__(self, *args: Any, mapping: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, value in (mapping or DEFAULT_COLUMNS).items():
            if key in self.fields:
                self.fields[key].initial = value

    def columns(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in DEFAULT_COLUMNS}


class StatementForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
