"""Enrollment on the dashboard: the applications of the period by where they stand."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.figures import Period, breakdown_value, figure_value
from sunshine.core.testing import District, login_verified
from sunshine.enrollment import services
from sunshine.enrollment.admission import QUOTA
from sunshine.enrollment.models import Application, Placement, PlanSchool
from sunshine.enrollment.tests.factories import apply, drawn, manager, senior_run, submitted


@pytest.mark.django_db
def test_applications_by_status_add_up_to_the_figure():
    d = District()
    submitted(d)
    apply(d, 7, ["M1"])
    period = Period.year(timezone.localdate().year)
    split = breakdown_value("enrollment.applications_by_status", period=period, organization=d.bureau)
    counted = {r.key: r.values[0].value for r in split.rows}
    assert list(counted) == list(Application.Status.values)  # every status, none left out
    assert counted[Application.Status.SUBMITTED] == 2 and sum(counted.values()) == 2
    assert figure_value("enrollment.applications", period=period, organization=d.bureau).value == 2


def _staff_page(d, query):
    client = Client()
    login_verified(client, manager(d))
    return client.get(reverse("enrollment:workbench"), query).content.decode()


@pytest.mark.django_db
def test_lottery_by_school_counts_places_first_choices_and_placements_by_hand():
    d = District()
    draw = drawn(d)
    period = Period.year(timezone.localtime(draw.drawn_at).year)
    split = breakdown_value("enrollment.lottery_by_school", period=period, organization=d.bureau)
    placements = list(Placement.objects.filter(lottery=draw).select_related("application"))
    expected = [
        (
            line.name,
            line.seats,
            sum(1 for p in placements if p.application.choices[0] == line.code),
            sum(1 for p in placements if p.school_id == line.pk),
        )
        for line in PlanSchool.objects.filter(season=draw.season).order_by("code")
    ]
    assert [(r.label, *(v.value for v in r.values)) for r in split.rows] == expected
    assert expected[0][2] == 6 and sum(e[3] for e in expected) == 4  # six chose M1 first; four places filled
    # Placed by the draw, together, is the rate's numerator.
    rate = figure_value("enrollment.lottery_admitted", period=period, organization=d.bureau)
    assert sum(e[3] for e in expected) == rate.numerator
    assert breakdown_value("enrollment.lottery_by_school", period=Period.year(2000), organization=d.bureau).rows == ()

    # A school's row leads to the applications the draw placed there, and only those.
    row = split.rows[0]
    page = _staff_page(d, row.query)
    placed_there = [p.application.number for p in placements if p.school_id == int(row.key)]
    elsewhere = [p.application.number for p in placements if p.school_id != int(row.key)]
    assert placed_there and all(n in page for n in placed_there)
    assert not any(n in page for n in elsewhere)


@pytest.mark.django_db
def test_admission_by_school_counts_the_latest_run_by_hand():
    d = District()
    run = senior_run(d)
    period = Period.year(timezone.localtime(run.ran_at).year)
    split = breakdown_value("enrollment.admission_by_school", period=period, organization=d.bureau)
    placed = list(run.placements.values())
    expected = [
        (
            line.name,
            line.seats,
            line.quota_seats,
            sum(1 for school, stage, _r in placed if school == line.code and stage == QUOTA),
            sum(1 for school, _s, _r in placed if school == line.code),
        )
        for line in PlanSchool.objects.filter(season=run.season).order_by("code")
    ]
    assert [(r.label, *(v.value for v in r.values)) for r in split.rows] == expected
    assert expected[0][:3] == ("第一中学", 3, 1) and expected[0][3] == 1  # one student on G1's quota seat
    assert all(r.query == {"season": str(run.season_id)} for r in split.rows)
    assert breakdown_value("enrollment.admission_by_school", period=Period.year(2000), organization=d.bureau).rows == ()
    page = _staff_page(d, split.rows[0].query)  # the drill-down leads to the season's page, where the run is
    assert reverse("enrollment:season-staff", args=[run.season_id]) in page and run.season.name in page
    assert "各校录取结果见招生季页面" in page and "没有符合条件的申请" not in page


@pytest.mark.django_db
def test_applications_by_status_lead_to_the_applications_of_that_status():
    d = District()
    waiting = submitted(d)
    other, _code = apply(d, 8, ["M1"])
    services.application_review(actor=manager(d), application=other, decision="reject", reason="材料不全")
    period = Period.year(timezone.localdate().year)
    split = breakdown_value("enrollment.applications_by_status", period=period, organization=d.bureau)
    row = next(r for r in split.rows if r.key == Application.Status.SUBMITTED)
    page = _staff_page(d, row.query)
    assert waiting.number in page and other.number not in page.split("查到的申请")[1].split("</section>")[0]
