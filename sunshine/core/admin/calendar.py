"""Admin for the official calendar (CAL-1): the days and years of the State Council's
holiday notices that the ``chinese-calendar`` package does not cover."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.audit import audit_record
from sunshine.core.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "source_document", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "source_document"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]
    ordering = ["-date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return obj.date.strftime("%a") if obj.date else ""

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="core.calendar_day_change" if change else "core.calendar_day_create",
            target=obj,
            data={"date": obj.date.isoformat(), "kind": obj.kind, "name": obj.name},
        )

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        data = {"date": obj.date.isoformat(), "kind": obj.kind, "name": obj.name}
        audit_record(actor=request.user, action="core.calendar_day_delete", target=obj, data=data)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ["year", "document_number", "published_on", "day_count", "entered_by", "entered_at"]
    search_fields = ["document_number"]
    readonly_fields = ["entered_by", "entered_at"]

    @admin.display(description=_("days entered"))
    def day_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year).count()

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        if not change:
            obj.entered_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="core.calendar_year_change" if change else "core.calendar_year_create",
            target=obj,
            data={"year": obj.year, "document_number": obj.document_number},
        )

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        audit_record(actor=request.user, action="core.calendar_year_delete", target=obj, data={"year": obj.year})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
