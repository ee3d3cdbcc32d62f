"""The reports' forms: the period (and moment) a page shows, and the summary's narrative."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import SHANGHAI, Period
from sunshine.reports.summary import SECTIONS

YEARS = (2000, 2100)


def _numbered_now(words: str, n: int) -> str:
    return gettext(words) % {"n": n}


# "Quarter 3" translated when the page is drawn, not when this module is imported (in
# whatever language was active then).
_numbered = lazy(_numbered_now, str)


class PeriodForm(forms.Form):
    """A year, or a quarter or a month of it; optionally "as of" a past day (the nightly
    snapshots). Bad input falls back to this year with a message, never an error page."""

    year = forms.IntegerField(label=_("Year"), min_value=YEARS[0], max_value=YEARS[1])
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year")), *[(q, _numbered(gettext_noop("Quarter %(n)s"), q)) for q in range(1, 5)]],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Whole year or quarter")),
            *[(m, _numbered(gettext_noop("Month %(n)s"), m)) for m in range(1, 13)],
        ],
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        help_text=_("Leave empty for the figures as they are now; a past day shows them as they were then."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("quarter") and data.get("month"):
            raise forms.ValidationError(_("Choose a quarter or a month, not both."))
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        return Period.of(data["year"], quarter=data.get("quarter"), month=data.get("month"))

    def as_of_moment(self) -> datetime | None:
        day = self.cleaned_data.get("as_of")
        if not day:
            return None
        return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def period_form(data: Any) -> tuple[PeriodForm, Period, datetime | None]:
    """The form bound to the query; this year when nothing or something bad was asked."""
    year = timezone.localtime(timezone.now(), SHANGHAI).year
    query = data.copy() if data else {}
    if not query.get("year"):
        query["year"] = str(year)
    form = PeriodForm(query)
    if form.is_valid():
        return form, form.period(), form.as_of_moment()
    return form, Period.year(year), None


class NarrativeForm(forms.Form):
    """The text of the annual summary that the records cannot know, one box per section."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading, _figures in SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading, required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
            )

    def clean(self) -> dict[str, Any]:
        from sunshine.core.inputs import text_error

        data = super().clean() or {}
        for key, value in data.items():
            error = text_error(value or "")
            if error:
                self.add_error(key, error)
        return data
