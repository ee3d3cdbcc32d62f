"""Senior-high admission (ENR-2): quota shares, quota and general admission, ties, the
explanations and the CSV command."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sunshine.enrollment.admission import (
    FULL,
    GENERAL,
    QUOTA,
    SchoolPlan,
    Student,
    admit,
    explain,
    misses,
    quota_shares,
)


def test_quota_seats_divided_by_largest_remainder() -> None:
    assert quota_shares(7, {"J1": 50, "J2": 30, "J3": 20}) == {"J1": 4, "J2": 2, "J3": 1}
    # Equal remainders: more applicants first, then the code.
    assert quota_shares(1, {"J2": 10, "J1": 10}) == {"J1": 1, "J2": 0}
    assert sum(quota_shares(13, {"a": 7, "b": 11, "c": 3, "d": 1}).values()) == 13
    assert quota_shares(5, {}) == {}


def _plans() -> list[SchoolPlan]:
    return [
        SchoolPlan(code="X", seats=3, line=600, quota_seats=2, name="第一中学"),
        SchoolPlan(code="Y", seats=2, line=580, name="第二中学"),
    ]


def test_quota_then_general_with_the_floor_and_returned_seats() -> None:
    students = [
        Student("s1", "J1", 650, ("X", "Y")),
        Student("s2", "J1", 590, ("X", "Y"), quota_choice="X"),  # below the line, above the floor 580
        Student("s3", "J2", 560, ("X", "Y"), quota_choice="X"),  # below the floor
        Student("s4", "J2", 620, ("X", "Y")),
        Student("s5", "J1", 610, ("X", "Y")),
        Student("s6", "J2", 605, ("X", "Y")),
    ]
    result = admit(_plans(), students, floor_margin=20)
    assert result.quota_shares["X"] == {"J1": 1, "J2": 1}
    p = result.placements
    assert (p["s2"].school, p["s2"].stage, p["s2"].choice_rank) == ("X", QUOTA, 0)
    assert result.quota_misses == {"s3": "below_line"}
    # J2's unused quota seat returned: X has 3 - 1 = 2 general seats.
    assert result.quota_returned == {"X": 1}
    assert [p[s].school for s in ("s1", "s4", "s5", "s6")] == ["X", "X", "Y", "Y"]
    assert p["s5"].choice_rank == 2 and p["s5"].stage == GENERAL
    assert p["s3"].school == ""
    plans = {s.code: s for s in _plans()}
    lines = explain(result, plans, students[4])
    assert lines == ["第一志愿（第一中学）未录取：该校录取线620分，本人610分", "第二志愿录取：第二中学"]
    assert explain(result, plans, students[2])[0] == (
        "指标到校志愿（第一中学）未录取：指标到校最低控制线580分，本人560分"
    )


def test_ties_at_a_cutoff_are_all_admitted_and_overflow_reported() -> None:
    plans = [SchoolPlan(code="X", seats=2, line=500), SchoolPlan(code="Y", seats=5, line=500)]
    students = [
        Student("a", "J", 640, ("X", "Y"), ties=(120, 110)),
        Student("b", "J", 612, ("X", "Y"), ties=(118, 100)),
        Student("c", "J", 612, ("X", "Y"), ties=(118, 100)),
        Student("d", "J", 612, ("X", "Y"), ties=(115, 130)),
    ]
    result = admit(plans, students, tiebreak=("语文", "数学"))
    assert [result.placements[s].school for s in "abcd"] == ["X", "X", "X", "Y"]
    assert result.overflow == {"X": 1, "Y": 0}
    assert misses(result, {p.code: p for p in plans}, students[3])[0].reason == FULL
    text = explain(result, {p.code: p for p in plans}, students[3])[0]
    assert text == "第一志愿（X）未录取：该校录取线612分，本人612分（同分比较语文：该校最低录取者118分，本人115分）"


def test_one_placement_only_and_below_line_reason() -> None:
    plans = [SchoolPlan(code="X", seats=5, line=612), SchoolPlan(code="Y", seats=5, line=600)]
    student = Student("a", "J", 609, ("X", "Y"))
    result = admit(plans, [student])
    assert result.placements["a"].school == "Y"
    assert explain(result, {p.code: p for p in plans}, student)[0] == "第一志愿（X）未录取：该校录取线612分，本人609分"


@pytest.mark.django_db
def test_admission_run_command(tmp_path: Path) -> None:
    (tmp_path / "T.csv").write_text("school_code,seats,line,quota_seats\nX,2,600,1\nY,2,580\n", encoding="utf-8")
    (tmp_path / "S.csv").write_text(
        "student_id,junior_school,score,choice1,choice2,choice3,choice4,choice5,choice6,quota_choice,tie1\n"
        "s1,J1,650,X,Y,,,,,,100\n"
        "s2,J1,590,X,Y,,,,,X,100\n"
        "s3,J2,630,X,Y,,,,,,90\n"
        "s4,J2,=1+1,X,,,,,,,90\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="第5行“score”应为不小于0的数字"):
        call_command("admission_run", students=tmp_path / "S.csv", schools=tmp_path / "T.csv", out=tmp_path / "R.csv")
    assert not (tmp_path / "R.csv").exists()
    text = (tmp_path / "S.csv").read_text(encoding="utf-8").replace("=1+1", "570")
    (tmp_path / "S.csv").write_text(text, encoding="utf-8")
    call_command(
        "admission_run", students=tmp_path / "S.csv", schools=tmp_path / "T.csv", out=tmp_path / "R.csv", explain=True
    )
    with (tmp_path / "R.csv").open(encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert (rows["s2"]["school_code"], rows["s2"]["stage"], rows["s2"]["choice_rank"]) == ("X", "quota", "0")
    assert rows["s1"]["school_code"] == "X" and rows["s3"]["school_code"] == "Y"
    assert rows["s3"]["explanation"].startswith("第一志愿（X）未录取：该校录取线650分，本人630分")
    assert rows["s4"]["school_code"] == "" and rows["s4"]["stage"] == ""


def test_general_admission_equals_the_matching_librarys_student_optimal_result() -> None:
    """ENR-2: without ties or quotas, parallel admission in score order is the
    student-optimal stable matching; the `matching` library computes it independently."""
    import random

    from bench.enrollment import _matching_reference, _plans, _students

    rng = random.Random(2026)
    plans = _plans(rng, 12, 600, quota=False)
    students = _students(rng, 600, 12, ties=False, quota=False)
    result = admit(plans, students)
    ours = {sid: p.school for sid, p in result.placements.items() if p.school}
    assert ours and ours == _matching_reference(plans, students)
