"""The disclosure figures read through the figures registry: publications and their DIS-1
timeliness, FOI requests and their FOI-3 timeliness (overdue, untouched items late),
and the quarterly inspection's average score, scoped by organisation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.figures import Period, figure_value
from sunshine.disclosure import services
from sunshine.disclosure.models import FoiRequest

from .conftest import District
from .test_inspection import SCHOOL_CATEGORIES, _publish

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def parts(key: str, period: Period, organization) -> tuple:
    result = figure_value(f"disclosure.{key}", period=period, organization=organization)
    return result.value, result.numerator, result.denominator


def test_dis1_publications_on_time_and_a_draft_left_past_its_deadline_is_late(district: District):
    """DIS-1: publications within 20 working days are on time; a late publication and a
    document never published after its deadline are late; a draft still within its
    deadline is in neither part."""
    d = district
    _publish(d, d.school, d.clerk, d.principal, "basic-facts")
    _publish(d, d.school, d.clerk, d.principal, "plans")
    _publish(d, d.school, d.clerk, d.principal, "fees", late=True)
    today = timezone.localdate()
    for info_date in (today - timedelta(days=60), today):
        services.document_create(
            actor=d.clerk,
            organization=d.school,
            category=d.category("safety"),
            title="安全预案",
            body="<p>内容</p>",
            info_date=info_date,
        )
    period = Period.between(today - timedelta(days=365), today)
    assert parts("published", period, d.bureau) == (3, 3, None)
    assert parts("published_on_time_rate", period, d.bureau) == (50.0, 2, 4)
    # The annual report's government information: the bureau's own first publications.
    assert parts("government_published", period, d.bureau) == (0, 0, None)
    _publish(d, d.bureau, d.officer, d.leader, "budgets")
    assert parts("government_published", period, d.bureau) == (1, 1, None)
    assert parts("government_published", period, d.school) == (0, 0, None)
    assert parts("published", period, d.bureau) == (4, 4, None)
    page = Client().get(reverse("disclosure:annual-report", kwargs={"code": d.bureau.code, "year": today.year}))
    assert page.context["proactive"] == 1
    assert parts("published_on_time_rate", period, d.bureau) == (60.0, 3, 5)
    assert parts("published_on_time_rate", period, d.school) == (50.0, 2, 4)
    assert parts("published_on_time_rate", period, d.other_school) == (None, 0, 0)
    assert parts("published", Period.year(today.year - 2), d.bureau) == (0, 0, None)


def _letter(d: District, received_on: date) -> FoiRequest:
    request, _code = services.foi_intake(
        actor=d.officer,
        organization=d.bureau,
        channel="post",
        received_on=received_on,
        applicant_kind="person",
        applicant_name="李明",
        contact="13800000000",
        description="全区义务教育阶段学校收费项目清单",
        form="electronic",
    )
    return request


def _replied(d: District, request: FoiRequest, on: date) -> None:
    services.foi_reply(actor=d.officer, request=request, reply_type="disclosed", text="已公开")
    FoiRequest.objects.filter(pk=request.pk).update(replied_on=on, concluded_on=on)


def test_foi3_on_time_rate_counts_an_unanswered_overdue_request_as_late(district: District):
    """FOI-3: answered within 20 working days = on time; answered later, or still
    unanswered after the deadline = late; still within it, or awaiting the applicant's
    correction (FOI-2) = in neither part."""
    d = district
    on_time = _letter(d, date(2025, 3, 3))
    _replied(d, on_time, date(2025, 3, 10))
    late = _letter(d, date(2025, 3, 3))
    _replied(d, late, date(2025, 5, 12))
    _letter(d, date(2025, 3, 3))  # never answered, deadline long past
    _letter(d, date(2025, 12, 29))  # within its deadline at the year's end
    waiting = _letter(d, date(2025, 3, 3))
    services.foi_correction_ask(
        actor=d.officer,
        request=waiting,
        text="请补正",
        answer_by=date(2025, 3, 4) + timedelta(days=14),
        on=date(2025, 3, 4),
    )
    _letter(d, date(2024, 12, 2))  # another year
    year = Period.year(2025, as_of=datetime(2025, 12, 31, 12, tzinfo=SH))
    assert parts("foi_received", year, d.bureau) == (5, 5, None)
    assert parts("foi_on_time_rate", year, d.bureau) == (33.3, 1, 3)
    # Each request's deadline is the one its clock holds (foi_due), read for all at once:
    # the queries do not grow with the requests (a city's year has thousands).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        parts("foi_on_time_rate", year, d.bureau)
    for _ in range(4):
        _letter(d, date(2025, 3, 3))  # four more, never answered, deadline long past
    with CaptureQueriesContext(connection) as more:
        assert parts("foi_on_time_rate", year, d.bureau) == (14.3, 1, 7)
    assert len(more) == len(few)
    for request in FoiRequest.objects.all():
        due = services.foi_due(request)
        assert services.foi_due_dates([request.pk]).get(request.pk) == (due.due_date if due else None)
    # The annual report's "new this year" is the same count (FOI-5).
    table = services.foi_annual_report(bureau=d.bureau, year=2025)
    assert table[("new", "", "")]["total"] == 9
    # A school's figures are its own: the bureau's requests are not the school's.
    assert parts("foi_received", year, d.school) == (0, 0, None)


def test_inspection_average_of_the_published_inspections(district: District):
    d = district
    for code in SCHOOL_CATEGORIES:
        _publish(d, d.school, d.clerk, d.principal, code)
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    inspection = services.inspection_run(actor=d.officer, bureau=d.bureau, year=year, quarter=quarter)
    scores = {r.school_id: r.score for r in inspection.results.all()}
    assert scores[d.school.pk] == 100 and scores[d.other_school.pk] == 0  # DIS-2: nothing published, nothing scored
    period = Period.year(year)
    assert parts("inspection_average", period, d.bureau) == (None, 0, 0)  # a draft is not yet the record
    services.inspection_publish(actor=d.officer, inspection=inspection)
    assert parts("inspection_average", period, d.bureau) == (50.0, 100, 2)
    assert parts("inspection_average", period, d.school) == (100.0, 100, 1)
    assert parts("inspection_average", Period.quarter(year, quarter), d.bureau) == (50.0, 100, 2)
    assert parts("inspection_average", Period.year(year - 1), d.bureau) == (None, 0, 0)
