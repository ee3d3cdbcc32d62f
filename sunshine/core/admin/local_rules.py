"""Admin for LOCAL rules: the system administrator edits a bureau setting here; every
change is validated by the rule's kind (a number, a yes/no, a list, a table), range
and checks, and recorded in the audit log. A list or table is typed in one box, one
item or row per line; a fault is shown under the box and changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.local_rules import LOCAL_RULES, LocalRule, local_rule_set
from sunshine.core.models import LocalRuleValue


def _stored_text(rule: LocalRule, value: Any) -> str:
    try:
        return rule.to_text(rule.parse(value))
    except ValidationError:
        return str(value)


class LocalRuleValueForm(forms.ModelForm[LocalRuleValue]):
    key = forms.ChoiceField(label=_("rule"), choices=[(k, r.description) for k, r in LOCAL_RULES.items()])
    value = forms.CharField(label=_("value"), widget=forms.Textarea(attrs={"rows": 6, "cols": 60}))

    class Meta:
        model = LocalRuleValue
        fields = ["key", "value"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key: Any = self.instance.key
        if not self.instance.pk:
            key = self.data.get("key") if self.is_bound else self.initial.get("key")
        rule = LOCAL_RULES.get(key or "")
        if self.instance.pk:
            self.fields["key"].disabled = True  # a value belongs to its rule
        if rule is None:
            self.fields["value"].help_text = _(
                "A number, yes or no, a list (one item per line) or a table (one row per line, "
                "columns separated by commas), as the rule asks. Open a rule from the list of rules to see its format."
            )
            return
        self.fields["value"].help_text = rule.help_text
        if self.instance.pk:
            self.initial["value"] = _stored_text(rule, self.instance.value)
        elif not self.initial.get("value"):
            self.initial["value"] = rule.to_text(rule.default)

    def clean_value(self) -> Any:
        """The typed value as stored JSON; a fault goes under the value box."""
        key = self.cleaned_data.get("key")
        raw = self.cleaned_data["value"]
        if key not in LOCAL_RULES:
            return raw
        rule = LOCAL_RULES[key]
        return rule.dump(rule.parse(raw))


@admin.register(LocalRuleValue)
class LocalRuleValueAdmin(AuditedModelAdmin):
    form = LocalRuleValueForm
    change_list_template = "core/admin/localrule_change_list.html"
    list_display = ["description", "value_text", "default", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]

    @admin.display(description=_("rule"), ordering="key")
    def description(self, obj: LocalRuleValue) -> str:
        return str(LOCAL_RULES[obj.key].description) if obj.key in LOCAL_RULES else ""

    @admin.display(description=_("value"))
    def value_text(self, obj: LocalRuleValue) -> SafeString | str:
        rule = LOCAL_RULES.get(obj.key)
        return _lines(_stored_text(rule, obj.value)) if rule is not None else str(obj.value)

    @admin.display(description=_("default"))
    def default(self, obj: LocalRuleValue) -> SafeString | str:
        rule = LOCAL_RULES.get(obj.key)
        return _lines(rule.to_text(rule.default)) if rule is not None else ""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The list, and under it every LOCAL rule with its default and a link to set it."""
        set_keys = set(LocalRuleValue.objects.values_list("key", flat=True))
        extra = {
            "local_rules_unset": [
                (key, rule.description, rule.to_text(rule.default))
                for key, rule in LOCAL_RULES.items()
                if key not in set_keys
            ]
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def save_model(self, request: HttpRequest, obj: LocalRuleValue, form: Any, change: bool) -> None:
        saved = local_rule_set(actor=request.user, key=obj.key, value=obj.value)
        obj.pk = saved.pk


def _lines(text: str) -> SafeString:
    return format_html_join("", "<div>{}</div>", ((line,) for line in text.splitlines()))
