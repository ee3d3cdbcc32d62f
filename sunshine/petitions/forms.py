"""Forms of the petitions pages. They parse input only; every rule (PET-2 required
fields, PET-8 real name, the PET-7 windows, PET-9 recusal) is enforced by the services,
whose ValidationErrors the views put back on these forms with :func:`errors_apply`."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.accounts.models import User
from sunshine.core.forms import OnceForm
from sunshine.orgs.models import Organization
from sunshine.petitions.models import Petition, Reply

RECEIPT_CODE_RE = re.compile(r"^\d{16}$")
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the files' type and size are checked by core.uploads
    inside the service (its messages come back as errors of this field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Please attach at most %(count)d files."), code="too_many", params={"count": MAX_FILES}
            )
        return files


def errors_apply(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on ``form``: keyed messages on the field of the
    same name where the form has one, everything else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def receipt_code_normalise(raw: str) -> str:
    """Digits only: people copy the code with the spaces or dashes it was printed with."""
    return re.sub(r"[\s\-－—]", "", raw or "")


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


# --- Public ----------------------------------------------------------------------------


class PetitionFileForm(OnceForm):
    """The public web form (PET-1 web channel, PET-2 fields). Identity fields are shown
    without JavaScript too; they are read only when "named" is chosen."""

    IDENTITY_FIELDS = ("name", "id_number", "phone", "address", "email", "unit")

    kind = forms.ChoiceField(label=_("Kind of letter"), choices=Petition.Kind.choices, widget=forms.RadioSelect)
    subject_organization = OrganizationChoiceField(
        label=_("School or department concerned"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— not about a particular school or department —"),
    )
    accused_name = forms.CharField(
        label=_("Person reported on (optional)"),
        max_length=50,
        required=False,
        help_text=_("Name and post, if your letter reports on a member of staff."),
    )
    accused_organization = OrganizationChoiceField(
        label=_("Unit reported on (optional)"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    facts = forms.CharField(
        label=_("Facts"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, when, where and who was involved."),
    )
    # PET-2: the request and the reasons, for every kind (the service checks them too).
    request = forms.CharField(label=_("Your request"), widget=forms.Textarea(attrs={"rows": 4}))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        help_text=_("Photos, PDF, Word or text files; at most 10 files."),
    )
    filer = forms.ChoiceField(
        label=_("Write under your name or anonymously"),
        choices=[("anonymous", _("Anonymously")), ("named", _("Under my real name"))],
        widget=forms.RadioSelect,
        initial="anonymous",
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID card number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    unit = forms.CharField(label=_("Work unit"), max_length=100, required=False)
    consent_publish = forms.BooleanField(
        label=_("The bureau may publish my letter and its reply, with everything that identifies me removed."),
        required=False,
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy statement."),
        error_messages={"required": _("Please confirm that you have read the privacy statement.")},
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = organizations if organizations is not None else Organization.objects.none()
        self.fields["subject_organization"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["accused_organization"].queryset = orgs  # type: ignore[attr-defined]
        for name in ("name", "id_number", "phone", "address", "email", "unit"):
            self.fields[name].widget.attrs["data-identity"] = "1"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"

    @property
    def is_named(self) -> bool:
        return self.cleaned_data.get("filer") == "named"

    def identity_values(self) -> dict[str, str]:
        """The identity as typed, or nothing at all for an anonymous letter (what an
        anonymous filer typed into the optional fields is dropped, never stored)."""
        if not self.is_named:
            return {}
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.IDENTITY_FIELDS}


class StaffIntakeForm(PetitionFileForm):
    """Staff intake (PET-1): a phone call, a letter (its scan attached), a visit, the
    suggestion box, a hotline transfer or a forwarded case — the same fields plus the
    channel and when the case was received."""

    submission = None  # type: ignore[assignment]  # staff record what reached them otherwise
    STAFF_CHANNELS = [
        (value, label)
        for value, label in Petition.Channel.choices
        if value not in (Petition.Channel.WEB, Petition.Channel.OPINION, Petition.Channel.FOI)
    ]

    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    source_label = forms.CharField(
        label=_("Source or reference (optional)"),
        max_length=64,
        required=False,
        help_text=_("E.g. the hotline ticket number or the forwarding authority's reference."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy"].required = False
        self.fields["privacy"].widget = forms.HiddenInput()
        self.order_fields(["channel", "received_at", "source_label"])


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("The 16 digits you were given when you wrote to us."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = receipt_code_normalise(self.cleaned_data["code"])
        if not RECEIPT_CODE_RE.match(code):
            raise ValidationError(_("A receipt code has exactly 16 digits."), code="format")
        return code


class FilerMessageForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    attachments = MultipleFileField(label=_("Add files (optional)"))


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=Petition.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class ReasonsForm(forms.Form):
    """An application for review or re-examination (PET-7)."""

    reasons = forms.CharField(label=_("Your reasons"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


# --- Staff -----------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("all")), *Petition.Kind.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("all")), *Petition.Channel.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("all")), *Petition.Status.choices], required=False)
    school = OrganizationChoiceField(
        label=_("School or department"), queryset=Organization.objects.none(), required=False, empty_label=_("all")
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    linked = forms.ChoiceField(
        label=_("Linked cases"),
        choices=[("", _("all")), ("linked", _("with linked cases")), ("repeat", _("repeat petitions"))],
        required=False,
    )

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization] | None = None, user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["school"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )

    def apply(self, queryset: QuerySet[Petition]) -> QuerySet[Petition]:
        """Narrow an access-checked queryset by the filters (never widens it)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        for field in ("kind", "channel", "status"):
            if data.get(field):
                queryset = queryset.filter(**{field: data[field]})
        if data.get("school"):
            queryset = queryset.filter(subject_organization=data["school"])
        if data.get("received_from"):
            queryset = queryset.filter(received_at__date__gte=data["received_from"])
        if data.get("received_to"):
            queryset = queryset.filter(received_at__date__lte=data["received_to"])
        if data.get("linked"):
            from sunshine.petitions.selectors import petitions_linked

            queryset = petitions_linked(queryset, self.user, repeat=data["linked"] == "repeat")
        return queryset


class UnitForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Handling unit"), queryset=Organization.objects.none(), empty_label=_("— choose a unit —")
    )
    note = forms.CharField(label=_("Note to the unit (optional)"), required=False, max_length=2000)

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )


class BulkAssignForm(UnitForm):
    petitions = forms.ModelMultipleChoiceField(queryset=Petition.objects.none(), required=True)

    def __init__(self, *args: Any, petitions: QuerySet[Petition] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["petitions"].queryset = petitions if petitions is not None else Petition.objects.none()  # type: ignore[attr-defined]
        self.fields["petitions"].error_messages["required"] = _("Tick at least one case to assign.")
        del self.fields["note"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DeclineForm(ReasonForm):
    """PET-3: a case that is not ours — the reason and where the filer should go instead."""

    where_to_go = forms.CharField(
        label=_("Where the filer should turn instead"),
        max_length=200,
        help_text=_("The authority or body competent for the matter, with its address or phone if known."),
    )
    field_order = ["reason", "where_to_go"]


class AccusedConfirmForm(forms.Form):
    """PET-9: triage confirms the accused unit and the staff record of the person named
    (found by name within that unit), or that no staff record matches."""

    organization = OrganizationChoiceField(
        label=_("Accused unit"), queryset=Organization.objects.none(), required=False, empty_label=_("— none —")
    )
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Accused staff member"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— no staff record matches / no person named —"),
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        users: QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )
        self.fields["user"].queryset = users if users is not None else User.objects.none()  # type: ignore[attr-defined]


class ForwardForm(ReasonForm):
    to_authority = forms.CharField(label=_("Forward to (authority)"), max_length=100)
    field_order = ["to_authority", "reason"]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class ExtendForm(ReasonForm):
    """PET-5: the most days one extension may add is the clock's, never typed here."""

    days = forms.IntegerField(label=_("Extension in days"), min_value=1)
    field_order = ["days", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from sunshine.core.clocks import clock_get
        from sunshine.petitions.rules import HANDLING_CLOCK

        super().__init__(*args, **kwargs)
        most = clock_get(HANDLING_CLOCK).extension
        field = self.fields["days"]
        field.max_value = most  # type: ignore[attr-defined]
        field.validators.append(MaxValueValidator(most))
        field.widget.attrs["max"] = most


class UnitReportForm(forms.Form):
    """The handling unit's report to the bureau (办理情况报告)."""

    findings = forms.CharField(label=_("Facts found"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    actions = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class ReplyForm(forms.Form):
    """PET-6: the statutory fields of the written reply."""

    request_summary = forms.CharField(label=_("The request"), widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(label=_("Facts found"), widget=forms.Textarea(attrs={"rows": 4}))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("— choose the decision —")), *Reply.Decision.choices]
    )
    legal_basis = forms.CharField(
        label=pgettext_lazy("petition reply", "Legal basis"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    """PET-10 figures on the case. Refunds are typed in yuan and stored in fen."""

    refunds_yuan = forms.DecimalField(
        label=_("Refunds ordered (yuan)"), min_value=Decimal(0), max_digits=14, decimal_places=2, initial=Decimal(0)
    )
    sanctions = forms.IntegerField(label=_("Sanctions imposed"), min_value=0, max_value=1000, initial=0)

    @property
    def refunds_fen(self) -> int:
        return int((self.cleaned_data["refunds_yuan"] * 100).to_integral_value())


class RecuseForm(ReasonForm):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Staff member who steps aside"), queryset=User.objects.none()
    )
    field_order = ["user", "reason"]

    def __init__(self, *args: Any, users: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users if users is not None else User.objects.none()  # type: ignore[attr-defined]


class IdentityOpenForm(forms.Form):
    """Opening a filer's identity needs a written reason (recorded and audited)."""

    reason = forms.CharField(
        label=_("Why do you need the filer's identity?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Write down why you need to open the identity.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 4:
            raise ValidationError(_("Please give a real reason (at least a few words)."), code="short")
        return reason


class LinkDecisionForm(forms.Form):
    """Confirm a suggested link as the same matter, or dismiss it."""

    decision = forms.ChoiceField(
        label=_("Same matter?"),
        choices=[("confirm", _("The same matter")), ("dismiss", _("Not the same matter"))],
        error_messages={"required": _("Choose whether the two cases are the same matter.")},
    )
