"""Admin for supervision, notifications, status history and scheduled jobs.

Supervisions, instructions, notifications and status changes are read-only here:
they change only through their services (status through ``transition()``). Scheduled
jobs may be paused, re-timed or run at the next tick (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.admin.display import RuleFilter, TargetAdminMixin, TargetTypeFilter, machine_text
from sunshine.core.labels import labelled
from sunshine.core.models import (
    Instruction,
    Notification,
    ScheduledJob,
    StatusChange,
    Supervision,
    SupervisionExtension,
    SupervisionPause,
)
from sunshine.core.rules import rule_label
from sunshine.core.scheduler import job_label


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstructionInline(ReadOnlyInline):
    model = Instruction
    fields = ("at", "author", "text")
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = SupervisionExtension
    fields = ("granted_at", "granted_by", "units", "reason", "due_before", "due_after")
    readonly_fields = fields


class PauseInline(ReadOnlyInline):
    model = SupervisionPause
    fields = ("kind", "reason", "started_on", "ended_on", "last_day", "capped", "due_before", "due_after")
    readonly_fields = fields


@admin.register(Supervision)
class SupervisionAdmin(TargetAdminMixin, ReadOnlyAdmin):
    list_display = ["title", "organization", "rule", "due_at", "status", "escalation_level", "escalated_to"]
    list_filter = ["status", RuleFilter, "escalation_level", TargetTypeFilter]
    search_fields = ["title"]
    date_hierarchy = "due_at"
    list_select_related = ["organization", "escalated_to"]
    exclude = ("content_type", "object_id", "rule_id")
    readonly_fields = ("target", "rule")
    inlines = [ExtensionInline, PauseInline, InstructionInline]

    @admin.display(description=_("rule"), ordering="rule_id")
    def rule(self, obj: Supervision) -> str:
        return rule_label(obj.rule_id)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "verb", "text", "read_at"]
    list_filter = ["verb"]
    list_select_related = ["recipient"]
    exclude = ("key", "url")
    readonly_fields = ("link",)

    @admin.display(description=_("link"))
    def link(self, obj: Notification) -> SafeString | str:
        return machine_text(obj.url)


@admin.register(StatusChange)
class StatusChangeAdmin(TargetAdminMixin, ReadOnlyAdmin):
    list_display = ["at", "target", "old", "new", "actor"]
    list_filter = [TargetTypeFilter]
    list_select_related = ["content_type", "actor"]
    exclude = ("content_type", "object_id", "old_status", "new_status", "data")
    readonly_fields = ("target", "old", "new", "details")

    @admin.display(description=pgettext_lazy("status change", "from"), ordering="old_status")
    def old(self, obj: StatusChange) -> str:
        return obj.old_label

    @admin.display(description=pgettext_lazy("status change", "to"), ordering="new_status")
    def new(self, obj: StatusChange) -> str:
        return obj.new_label

    @admin.display(description=_("details"))
    def details(self, obj: StatusChange) -> SafeString | str:
        return machine_text(labelled(obj.data)) if obj.data else ""


@admin.register(ScheduledJob)
class ScheduledJobAdmin(AuditedModelAdmin):
    list_display = ["job", "interval_seconds", "next_run_at", "last_run_at", "enabled"]
    fields = ["job", "interval_seconds", "next_run_at", "enabled", "last_run_at", "task"]
    readonly_fields = ["job", "last_run_at", "task"]

    @admin.display(description=_("job"), ordering="name")
    def job(self, obj: ScheduledJob) -> SafeString | str:
        return job_label(obj.name) or machine_text(obj.name)

    @admin.display(description=_("task function"))
    def task(self, obj: ScheduledJob) -> SafeString | str:
        return machine_text(obj.task_path)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
