"""The audit log page: the audit administrator ONLY (三员分立).

System and security administrators, and every other role, get 403: the log records
what the administrators themselves did, so they must not read it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from sunshine.core.audit import VerifyResult, audit_entry_list, audit_record, audit_verify
from sunshine.core.models import AuditEntry
from sunshine.orgs.access import can_read_audit


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


class AuditAdminRequiredMixin(UserPassesTestMixin):
    """Anonymous users go to the login page; any other user without the audit
    administrator role gets 403."""

    def test_func(self) -> bool:
        return can_read_audit(self.request.user)  # type: ignore[attr-defined]


class AuditEntryListView(AuditAdminRequiredMixin, ListView):
    template_name = "core/staff/audit_list.html"
    context_object_name = "entries"
    paginate_by = 50
    verify_result: VerifyResult | None = None

    def get_queryset(self) -> QuerySet[AuditEntry]:
        self.filter_form = AuditFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and self.filter_form.is_valid():
            return audit_entry_list(**self.filter_form.cleaned_data)
        if self.filter_form.is_bound:
            return AuditEntry.objects.none()
        return audit_entry_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["verify_result"] = self.verify_result
        return context


class AuditChainVerifyView(AuditEntryListView):
    """POST: walk the whole chain (``audit_verify``) and show the result above the list."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.verify_result = audit_verify()
        audit_record(
            actor=request.user,
            action="core.audit_chain_verify",
            data={
                "ok": self.verify_result.ok,
                "count": self.verify_result.count,
                "problem": self.verify_result.problem,
                "bad_seq": self.verify_result.bad_seq,
            },
        )
        return self.get(request, *args, **kwargs)
