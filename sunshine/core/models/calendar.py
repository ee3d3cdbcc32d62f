"""The official working-day calendar, as entered by the admin (CAL-1).

The ``chinese-calendar`` package covers the years up to its release. For later years
the admin enters the State Council's holiday notice: each holiday and each make-up
working day (调休) as a :class:`CalendarDay`, and one :class:`CalendarYear` row that
says the whole notice for that year has been entered. An admin-entered day overrides
the package for the same date. Reading the calendar goes through
``sunshine.core.calendar``; nothing else queries these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarDay", "CalendarYear"]


class CalendarDay(models.Model):
    """One day of a State Council holiday notice (CAL-1): a statutory holiday, or a
    weekend day that is a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("For example: National Day."))
    source_document = models.CharField(
        _("source document"), max_length=100, blank=True, help_text=_("Document number of the State Council notice.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "makeup_workday"]),
                name="core_calendarday_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.kind == self.Kind.MAKEUP_WORKDAY and self.date is not None and self.date.weekday() < 5:
            raise ValidationError({"kind": _("A make-up working day must fall on a Saturday or Sunday.")})


class CalendarYear(models.Model):
    """Marks that the admin has entered a whole year's holiday notice (CAL-1): with
    this row, the year counts as having calendar data and its deadlines are no longer
    provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    document_number = models.CharField(_("notice document number"), max_length=100)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2200),
                name="core_calendaryear_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.document_number})"

    def clean(self) -> None:
        if self.year is not None and not 2000 <= self.year <= 2200:
            raise ValidationError({"year": _("Enter a year between 2000 and 2200.")})
