"""Admin for supervision, notifications, status history and scheduled jobs.

Supervisions, instructions, notifications and status changes are read-only here:
they change only through their services (status through ``transition()``). Scheduled
jobs may be paused, re-timed or run at the next tick (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.models import (
    Instruction,
    Notification,
    ScheduledJob,
    StatusChange,
    Supervision,
    SupervisionExtension,
    SupervisionPause,
)


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
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "rule_id", "due_at", "status", "escalation_level", "escalated_to"]
    list_filter = ["status", "rule_id", "escalation_level"]
    search_fields = ["title"]
    date_hierarchy = "due_at"
    list_select_related = ["organization", "escalated_to"]
    inlines = [ExtensionInline, PauseInline, InstructionInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "verb", "text", "read_at"]
    list_filter = ["verb"]
    list_select_related = ["recipient"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "content_type", "object_id", "old_status", "new_status", "actor"]
    list_filter = ["content_type"]
    list_select_related = ["content_type", "actor"]


@admin.register(ScheduledJob)
class ScheduledJobAdmin(AuditedModelAdmin):
    list_display = ["name", "task_path", "interval_seconds", "next_run_at", "last_run_at", "enabled"]
    fields = [
        "name",
        "task_path",
        "interval_seconds",
        "next_run_at",
        "enabled",
        "last_run_at",
        "last_enqueued_result_id",
    ]
    readonly_fields = ["name", "task_path", "last_run_at", "last_enqueued_result_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
