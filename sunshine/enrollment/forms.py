"""Enrollment forms, in the site's one form style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.forms import OnceForm
from sunshine.enrollment.models import Disclosure, PlanSchool, RecruitmentList, Season

CHOICE_FIELDS = tuple(f"choice{n}" for n in range(1, 7))


class ApplicationForm(OnceForm):
    child_name = forms.CharField(label=_("Child's name"), max_length=50)
    child_id_number = forms.CharField(label=_("Child's identity number"), max_length=18, min_length=18)
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=50)
    guardian_phone = forms.CharField(label=_("Guardian's telephone"), max_length=30)
    residence = forms.CharField(
        label=_("Household and residence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The household register and the home's property or rental certificate: numbers and addresses."),
    )

    def __init__(self, *args: Any, season: Season, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = list(season.plan.all())
        options = [("", _("(none)"))] + [(p.code, p.name) for p in plan]
        for n, name in enumerate(CHOICE_FIELDS, start=1):
            self.fields[name] = forms.ChoiceField(label=_("Choice %(n)s") % {"n": n}, choices=options, required=n == 1)
        groups = sorted({g for p in plan for g in p.groups})
        self.group_schools = {p.code: p.groups for p in plan if p.groups}
        if groups:
            self.fields["group"] = forms.ChoiceField(
                label=_("Priority group claimed"),
                choices=[("", _("(none)"))] + [(g, g) for g in groups],
                required=False,
                help_text=_("Checked in review; it counts only at the schools whose plan lists it."),
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        choices = [data[name] for name in CHOICE_FIELDS if data.get(name)]
        group = data.get("group") or ""
        return {
            "child_name": data["child_name"],
            "child_id_number": data["child_id_number"],
            "guardian_name": data["guardian_name"],
            "guardian_phone": data["guardian_phone"],
            "residence": data["residence"],
            "choices": choices,
            "groups_claimed": {c: group for c in choices if group in self.group_schools.get(c, [])},
        }


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=40)


class DisclosureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Disclosure"), choices=Disclosure.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", pgettext_lazy("application review", "accept")),
            ("return", _("return for correction")),
            ("reject", _("do not accept")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm_groups = forms.BooleanField(label=_("Priority group confirmed"), required=False)


class FreezeForm(forms.Form):
    draw_on = forms.DateField(label=_("Draw date"), widget=forms.DateInput(attrs={"type": "date"}))
    sources = forms.CharField(
        label=_("Seed sources, one a line, in order"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the welfare lottery's numbers drawn on a named date; dice rolled by parents' representatives."
        ),
    )


class DrawForm(forms.Form):
    values = forms.CharField(
        label=_("The sources' values, one a line, in the announced order"), widget=forms.Textarea(attrs={"rows": 3})
    )


def plan_rows(season: Season) -> list[PlanSchool]:
    return list(season.plan.all())


class RecruitmentListForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=RecruitmentList.Stage.choices)
    rows_text = forms.CharField(
        label=_("Candidates, one a line: number, name, score, result"), widget=forms.Textarea(attrs={"rows": 6})
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ObjectionForm(OnceForm):
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    contact = forms.CharField(
        label=_("How to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_("Kept encrypted and used only to answer you; never published."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class AdmissionUploadForm(forms.Form):
    students = forms.FileField(
        label=_("Students (Excel or CSV)"),
        help_text=_(
            "First row, the column names: exam number, junior school, total score, choice 1 to choice 6; optionally "
            "the quota choice and the tie-break subjects 1, 2 … in the bureau's order."
        ),
    )


class AdmissionLookupForm(forms.Form):
    student_id = forms.CharField(label=_("Exam number"), max_length=40)
    score = forms.CharField(label=_("Total score"), max_length=10)


class CorrectionForm(forms.Form):
    """The family's correction of a returned application (the receipt code carried)."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    residence = forms.CharField(
        label=_("Household and residence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, season: Season, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("(none)"))] + [(p.code, p.name) for p in season.plan.all()]
        for n, name in enumerate(CHOICE_FIELDS, start=1):
            self.fields[name] = forms.ChoiceField(label=_("Choice %(n)s") % {"n": n}, choices=options, required=n == 1)

    def choices(self) -> list[str]:
        return [self.cleaned_data[name] for name in CHOICE_FIELDS if self.cleaned_data.get(name)]


class ApplicationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Applications from the student-information system (Excel or CSV)"),
        help_text=_(
            "First row, the column names: 儿童姓名, 身份证号, 监护人姓名, 监护人电话, 户籍和居住情况, 志愿1 … 志愿6 "
            "(school codes of the plan)."
        ),
    )
