"""Forms of the fees app: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.forms import OnceForm
from sunshine.fees.ledger import FIELDS
from sunshine.fees.models import CatalogueItem, Category, FeeDeclaration, Restriction, Unit
from sunshine.orgs.models import Organization, Term


def yuan_to_fen(value: Decimal) -> int:
    return int(value * 100)


class DeclarationForm(forms.Form):
    school = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("School"))
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    item = forms.ModelChoiceField(queryset=CatalogueItem.objects.none(), label=_("Fee item"))
    standard = forms.DecimalField(label=_("Standard (yuan)"), min_value=Decimal("0"), decimal_places=2, max_digits=12)
    unit = forms.ChoiceField(label=_("Unit of charge"), choices=Unit.choices, initial=Unit.TERM)
    grades = forms.CharField(label=_("Grades"), max_length=60, required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=FeeDeclaration.Scope.choices)
    reductions = forms.CharField(label=_("Reductions and exemptions"), max_length=300, required=False)

    def __init__(self, *args: Any, schools: Any, terms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]
        items = CatalogueItem.objects.filter(term__in=terms, is_active=True).select_related("term")
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()
        if terms.exists():
            self.fields["term"].initial = terms.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item, term = data.get("item"), data.get("term")
        if item is not None and term is not None and item.term_id != term.pk:
            self.add_error("item", _("Choose an item of this term's catalogue."))
        return data


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")), ("file", _("File"))])
    approving_body = forms.CharField(label=_("Approving body"), max_length=100, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    note = forms.CharField(label=_("Note or reason"), max_length=300, required=False)
    resemblance_cleared = forms.BooleanField(
        label=_("I have checked: this is a different fee from the prohibited item it resembles"), required=False
    )  # FEE-3


class LedgerUploadForm(forms.Form):
    school = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("School"))
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    file = forms.FileField(label=_("Ledger (.xlsx or .csv)"))

    def __init__(self, *args: Any, schools: Any, terms: Any, mapping: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()
        if terms.exists():
            self.fields["term"].initial = terms.first()
        for field, (label, usual, _required) in FIELDS.items():
            self.fields[f"col_{field}"] = forms.CharField(
                label=_("Column for: %(field)s") % {"field": label},
                required=False,
                max_length=60,
                initial=(mapping or {}).get(field, ""),
                help_text=_("Leave empty for “%(usual)s”.") % {"usual": usual[0]},
            )

    def mapping(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f"col_{f}", "") for f in FIELDS if self.cleaned_data.get(f"col_{f}")}


class FindingActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RefundRecordForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    refunded = forms.DecimalField(label=_("Refunded (yuan)"), min_value=Decimal("0"), decimal_places=2, max_digits=12)
    refunded_on = forms.DateField(label=_("Refunded on"), widget=forms.DateInput(attrs={"type": "date"}))


class CatalogueItemForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    code = forms.SlugField(label=pgettext_lazy("fee item", "Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=60)
    synonyms = forms.CharField(label=_("Other names"), max_length=400, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    restriction = forms.ChoiceField(label=_("Restriction"), choices=Restriction.choices)
    legal_basis = forms.CharField(label=pgettext_lazy("fee", "Legal basis"), max_length=200, required=False)
    is_accommodation = forms.BooleanField(label=_("Accommodation fee"), required=False)

    def __init__(self, *args: Any, terms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]
        if terms.exists():
            self.fields["term"].initial = terms.first()


class ComplaintForm(OnceForm):
    title = forms.CharField(label=_("Subject"), max_length=100)
    facts = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    request = forms.CharField(label=_("What you ask for"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    named = forms.BooleanField(label=pgettext_lazy("fee complaint", "Give my name and contact"), required=False)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("named") and not (data.get("name") and data.get("phone")):
            raise forms.ValidationError(_("A named complaint needs a name and a phone number."))
        return data
