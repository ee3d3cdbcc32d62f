"""The disclosure figures, registered in ``core.figures`` by ``DisclosureConfig.ready()``:
publications and their DIS-1 timeliness, FOI requests and their FOI-3 timeliness, and
the quarterly inspection's average score. Counted over the organisations in the
organisation's tree (a school: itself).

Every on-time rate counts an item whose deadline has passed by ``period.as_of``
untouched as late: a document never published after its DIS-1 deadline, an FOI
request still unanswered after its FOI-3 deadline.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import FigureValue, LocalDate, Period, Unit, register_figure, within
from sunshine.disclosure.models import Document, DocumentVersion, FoiRequest, Inspection, InspectionResult
from sunshine.disclosure.services import document_dis1_due, foi_due_dates, quarter_bounds
from sunshine.orgs.models import Organization

F = FoiRequest.Status
UNPUBLISHED = (Document.Status.DRAFT, Document.Status.REVIEW, Document.Status.SCHEDULED)


def _publications(period: Period, organization: Any) -> Any:
    return DocumentVersion.objects.filter(
        within(organization, "document__organization"),
        published_at__gte=period.start,
        published_at__lt=period.end,
    )


def published(period: Period, organization: Any) -> FigureValue:
    """Publications in the period: first publications and revisions alike."""
    return FigureValue.count(_publications(period, organization).count())


def government_published(period: Period, organization: Any) -> FigureValue:
    """The annual report's proactive disclosure (FOI-5): government information newly
    published in the period — documents first published by the bureau and its
    departments; a school's own disclosures are not government information."""
    first = _publications(period, organization).filter(number=1)
    return FigureValue.count(first.exclude(document__organization__kind=Organization.Kind.SCHOOL).count())


def published_on_time_rate(period: Period, organization: Any) -> FigureValue:
    """DIS-1: publications in the period made within 20 working days of the information
    being created or changed ÷ those publications plus documents never published whose
    deadline fell in the period and has passed (late)."""
    due_on = functools.cache(document_dis1_due)  # one clock a day, not one a publication
    days = (
        _publications(period, organization)
        .annotate(day=LocalDate("published_at"))
        .values_list("info_date", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    on_time = total = 0
    for info_date, day, n in days:  # one row per (created, published) pair of days
        total += n
        on_time += n if day <= due_on(info_date) else 0
    never = Document.objects.filter(
        within(organization, "organization"), status__in=UNPUBLISHED, first_published_at__isnull=True
    ).values_list("info_date", flat=True)
    overdue = 0
    for info_date in never.iterator(chunk_size=5000):
        due = due_on(info_date)
        if period.first_day <= due <= period.last_day and due < period.as_of_day:
            overdue += 1
    return FigureValue.rate(on_time, total + overdue)


def _foi_received(period: Period, organization: Any) -> Any:
    return FoiRequest.objects.filter(
        within(organization, "organization"),
        received_on__gte=period.first_day,
        received_on__lte=period.last_day,
    )


def foi_received(period: Period, organization: Any) -> FigureValue:
    """FOI-1: requests received in the period (an online request once confirmed)."""
    return FigureValue.count(_foi_received(period, organization).count())


def foi_on_time_rate(period: Period, organization: Any) -> FigureValue:
    """FOI-3: requests received in the period and answered by their deadline ÷ those
    answered plus those still unanswered after it (late). A request awaiting the
    applicant's correction (FOI-2) or withdrawn is in neither part."""
    requests = list(
        _foi_received(period, organization)
        .filter(status__in=(F.REPLIED, F.RECEIVED, F.CONSULTATION))
        .values_list("pk", "replied_on")
    )
    due_dates = foi_due_dates([pk for pk, _ in requests])
    on_time = counted = 0
    for pk, replied_on in requests:
        due_date = due_dates.get(pk)
        if due_date is None:  # pragma: no cover - a received request has a clock
            continue
        if replied_on is not None:
            counted += 1
            on_time += replied_on <= due_date
        elif due_date < period.as_of_day:
            counted += 1
    return FigureValue.rate(on_time, counted)


def inspection_average(period: Period, organization: Any) -> FigureValue:
    """The quarterly inspection: schools' average score in the published inspections of
    the quarters that begin in the period (the bureau's own result, DIS-2, is not a school's)."""
    quarters = [
        (year, quarter)
        for year in range(period.first_day.year, period.last_day.year + 1)
        for quarter in range(1, 5)
        if period.first_day <= quarter_bounds(year, quarter)[0] <= period.last_day
    ]
    which = Q(pk__in=[])
    for year, quarter in quarters:
        which |= Q(inspection__year=year, inspection__quarter=quarter)
    results = InspectionResult.objects.filter(
        which,
        within(organization, "school"),
        school__kind=Organization.Kind.SCHOOL,
        inspection__status=Inspection.Status.PUBLISHED,
    ).aggregate(n=Count("pk"), total=Sum("score"))
    return FigureValue.average(results["total"] or 0, results["n"])


def register() -> None:
    """Called once from ``DisclosureConfig.ready()``."""
    register_figure(
        key="disclosure.published",
        label=_("Disclosures published"),
        unit=Unit.CASES,
        numerator=_("publications in the period, first publications and revisions alike"),
        compute=published,
        order=10,
    )
    register_figure(
        key="disclosure.government_published",
        label=_("Government information newly published"),
        unit=Unit.CASES,
        numerator=_(
            "documents first published in the period by the bureau and its departments (revisions and schools' "
            "own disclosures are not counted)"
        ),
        compute=government_published,
        order=15,
    )
    register_figure(
        key="disclosure.published_on_time_rate",
        label=_("On-time disclosure rate"),
        unit=Unit.PERCENT,
        numerator=_(
            "publications in the period made within 20 working days of the information being created or changed"
        ),
        denominator=_(
            "publications in the period, plus documents never published whose time limit fell in the period "
            "and has passed (counted as late)"
        ),
        compute=published_on_time_rate,
        order=20,
    )
    register_figure(
        key="disclosure.foi_received",
        label=_("FOI requests received"),
        unit=Unit.CASES,
        numerator=_("requests for information received in the period"),
        compute=foi_received,
        order=30,
    )
    register_figure(
        key="disclosure.foi_on_time_rate",
        label=_("On-time FOI reply rate"),
        unit=Unit.PERCENT,
        numerator=_("requests received in the period and answered within the time limit (extension included)"),
        denominator=_(
            "requests received in the period and answered, plus those past the time limit and still unanswered "
            "(counted as late); requests awaiting the applicant's correction or withdrawn are left out"
        ),
        compute=foi_on_time_rate,
        order=40,
    )
    register_figure(
        key="disclosure.inspection_average",
        label=_("Average inspection score"),
        unit=Unit.POINTS,
        numerator=_("scores of the schools in the published quarterly inspections of the period, added up"),
        denominator=_("school results in those inspections"),
        compute=inspection_average,
        order=50,
    )
