"""The forms of an event's page, drawn by core's one form style. They name the fields that
``views.staff.EventActionView`` reads; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.opinion.models import Event
from sunshine.orgs.models import Organization


class EventAssignForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Responsible unit"))
    major = forms.BooleanField(label=_("major incident (5 h / 24 h)"), required=False)

    def __init__(self, *args: Any, units: Any, suggested: Organization | None, **kwargs: Any) -> None:
        """``suggested``: the unit OPN-1 proposes (never one the posts accuse)."""
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units  # type: ignore[attr-defined]
        if suggested is not None:
            self.fields["organization"].initial = suggested.pk


class EventTextForm(forms.Form):
    """One text: an instruction, the released information, the statement, a note."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, key: str, label: Any, name: str = "text", initial_text: str = "", **kwargs: Any):
        kwargs.setdefault("auto_id", f"{key}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields.pop("text")
        field.label = label
        field.initial = initial_text
        self.fields[name] = field


class EventReplyForm(forms.Form):
    text = forms.CharField(label=_("Formal reply"), widget=forms.Textarea(attrs={"rows": 4}))
    public = forms.BooleanField(label=_("publish on the public replies page"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)


class EventPetitionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("complaint", _("complaint")),
            ("report", _("report")),
            ("suggestion", _("suggestion")),
            ("inquiry", _("inquiry")),
        ],
    )
    request = forms.CharField(label=_("The citizen's request"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "petition_%s")
        super().__init__(*args, **kwargs)


class EventMergeForm(forms.Form):
    events = forms.ModelMultipleChoiceField(queryset=Event.objects.none(), label=_("Merge into this event"))

    def __init__(self, *args: Any, others: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = others  # type: ignore[attr-defined]
