"""Admin for LOCAL rules: the system administrator edits a bureau setting here; every
change is validated by the rule's type and range and recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.local_rules import LOCAL_RULES, local_rule_set
from sunshine.core.models import LocalRuleValue


class LocalRuleValueForm(forms.ModelForm[LocalRuleValue]):
    key = forms.ChoiceField(label=_("rule"), choices=[(k, f"{k} — {r.description}") for k, r in LOCAL_RULES.items()])
    value = forms.CharField(label=_("value"))

    class Meta:
        model = LocalRuleValue
        fields = ["key", "value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("key")
        if key in LOCAL_RULES and "value" in data:
            data["value"] = LOCAL_RULES[key].parse(data["value"])
        return data


@admin.register(LocalRuleValue)
class LocalRuleValueAdmin(AuditedModelAdmin):
    form = LocalRuleValueForm
    list_display = ["key", "description", "value", "default", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]

    @admin.display(description=_("description"))
    def description(self, obj: LocalRuleValue) -> str:
        return str(LOCAL_RULES[obj.key].description) if obj.key in LOCAL_RULES else ""

    @admin.display(description=_("default"))
    def default(self, obj: LocalRuleValue) -> Any:
        return LOCAL_RULES[obj.key].default if obj.key in LOCAL_RULES else ""

    def save_model(self, request: HttpRequest, obj: LocalRuleValue, form: Any, change: bool) -> None:
        saved = local_rule_set(actor=request.user, key=obj.key, value=obj.value)
        obj.pk = saved.pk
