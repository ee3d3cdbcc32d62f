"""Senior-high admission in the database: the plan's lines and quota seats, the students'
spreadsheet through core.imports, the LOCAL settings, the published cutoff lines with the
tie, the student's own explanation."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from sunshine.core.testing import District
from sunshine.enrollment import admission_service
from sunshine.enrollment.models import Disclosure, Season
from sunshine.enrollment.tests import factories as f

pytestmark = pytest.mark.django_db


def test_run_publishes_cutoffs_with_the_tie_and_explains() -> None:
    d = District()
    run = f.senior_run(d)
    # Quota: G1's one seat goes to J1 (3 applicants against J2's 3: equal remainders, then the code).
    assert run.quota_shares == {"G1": {"J1": 1, "J2": 0}}
    assert run.placements["K02"] == ["G1", "quota", 0]
    # General: G1 has 2 seats left; K01 650, then K03 and K04 tied at 630 (same tie subject) → both in.
    assert run.placements["K01"][0] == run.placements["K03"][0] == run.placements["K04"][0] == "G1"
    assert run.overflow["G1"] == 1 and run.cutoffs["G1"] == 630
    assert run.placements["K05"][0] == "G2"
    season = run.season
    assert season.status == Season.Status.DECIDED
    cutoffs = season.disclosures.get(kind=Disclosure.Kind.CUTOFFS)
    assert "第一中学" in cutoffs.body and "630" in cutoffs.body
    lines = admission_service.run_explain(run, "K05")
    assert lines[0] == "第一志愿（第一中学）未录取：该校录取线630分，本人620分"
    assert admission_service.run_student(run, "K05", "600") is None
    client = Client()
    page = client.post(reverse("enrollment:admission", args=[season.pk]), {"student_id": "K05", "score": "620"})
    assert "该校录取线630分，本人620分" in page.content.decode()


def test_students_from_excel_and_bad_rows_refused() -> None:
    d = District()
    run = f.senior_run(d)
    plans = admission_service.plans_of(run.season)
    book = Workbook()
    sheet = book.active
    sheet.append(["student_id", "junior_school", "score", "choice1"])
    sheet.append(["K1", "J1", 601.5, "G1"])
    sheet.append(["K2", "J1", 590, "G9"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(ValidationError, match="第3行志愿学校“G9”不在学校计划表中"):
        admission_service.students_from_sheet(buffer, kind="xlsx", plans=plans)


def test_admission_pages_read_in_chinese() -> None:
    from sunshine.enrollment.tests.test_views import _chinese
    from sunshine.orgs.models import Role

    d = District()
    run = f.senior_run(d)
    client = Client()
    _chinese(client.get(reverse("enrollment:admission", args=[run.season_id])).content.decode())
    found = client.post(reverse("enrollment:admission", args=[run.season_id]), {"student_id": "K04", "score": "630"})
    _chinese(found.content.decode())
    _chinese(client.get(reverse("enrollment:season", args=[run.season_id])).content.decode())
    staff = d.client(Role.DEPARTMENT_STAFF)
    _chinese(staff.get(reverse("enrollment:season-staff", args=[run.season_id])).content.decode())


def test_chinese_headers_are_read() -> None:
    from sunshine.enrollment.admission import SchoolPlan
    from sunshine.enrollment.admission_csv import students_read

    plans = [SchoolPlan(code="G1", seats=1, line=500)]
    students = students_read("考生号,初中学校,总分,志愿1,比较科目1\nK1,J1,600,G1,110\n", plans)
    assert students[0].id == "K1" and students[0].ties == (110.0,)
