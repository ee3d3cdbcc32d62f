"""The admission's files for bureaus that work in Excel (ENR-2).

T.csv: ``school_code,seats,line[,quota_seats]``.
S.csv: ``student_id,junior_school,score,choice1,…,choice6[,quota_choice,tie1,tie2,…]``
(``tie1`` is the first subject of LOCAL ``ENR-2-tiebreak``, and so on).
R.csv: ``student_id,school_code,stage,choice_rank[,explanation]`` — ``stage`` is
``quota`` or ``general``, ``choice_rank`` 0 for the quota choice; both empty for a
student not placed.
Every refusal names the file's row (the header is row 1) in Chinese. The headers may
also be written in Chinese (:data:`ALIASES`: 考生号, 初中学校, 总分, 志愿1…志愿6,
指标到校志愿, 比较科目1…).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from sunshine.core.exports import safe_csv_row
from sunshine.enrollment.admission import AdmissionResult, SchoolPlan, Student, explain

MAX_CHOICES = 6


def _number(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValidationError(f"第{row}行“{column}”应为不小于0的数字，现为“{text}”。")
    return value


def _whole(text: str, row: int, column: str) -> int:
    if not text.strip().isdigit():
        raise ValidationError(f"第{row}行“{column}”应为整数，现为“{text}”。")
    return int(text)


ALIASES = {
    "考生号": "student_id",
    "初中学校": "junior_school",
    "总分": "score",
    "学校代码": "school_code",
    "招生计划数": "seats",
    "录取控制线": "line",
    "指标到校名额": "quota_seats",
    "指标到校志愿": "quota_choice",
    **{f"志愿{n}": f"choice{n}" for n in range(1, 7)},
    **{f"比较科目{n}": f"tie{n}" for n in range(1, 11)},
}


def _rows(text: str, required: tuple[str, ...]) -> tuple[list[str], Iterable[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [ALIASES.get(h.strip(), h.strip()) for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(f"第1行缺少列：{'、'.join(missing)}。")
    reader.fieldnames = header
    return header, (
        (n, {k: (v or "").strip() for k, v in row.items() if k is not None}) for n, row in enumerate(reader, start=2)
    )


def schools_read(text: str) -> list[SchoolPlan]:
    _header, rows = _rows(text, ("school_code", "seats", "line"))
    plans: dict[str, SchoolPlan] = {}
    for n, row in rows:
        code = row["school_code"]
        if not code:
            raise ValidationError(f"第{n}行缺少学校代码。")
        if code in plans:
            raise ValidationError(f"第{n}行学校代码“{code}”重复。")
        seats = _whole(row["seats"], n, "seats")
        quota = _whole(row.get("quota_seats") or "0", n, "quota_seats")
        if quota > seats:
            raise ValidationError(f"第{n}行指标到校名额{quota}个多于招生计划{seats}个。")
        plans[code] = SchoolPlan(code=code, seats=seats, line=_number(row["line"], n, "line"), quota_seats=quota)
    return list(plans.values())


def students_read(text: str, schools: list[SchoolPlan]) -> list[Student]:
    header, rows = _rows(text, ("student_id", "junior_school", "score", "choice1"))
    codes = {s.code for s in schools}
    tie_columns = sorted((h for h in header if h.startswith("tie") and h[3:].isdigit()), key=lambda h: int(h[3:]))
    seen: set[str] = set()
    students = []
    for n, row in rows:
        sid = row["student_id"]
        if not sid:
            raise ValidationError(f"第{n}行缺少考生号。")
        if sid in seen:
            raise ValidationError(f"第{n}行考生号“{sid}”重复。")
        seen.add(sid)
        choices = [row.get(f"choice{k}", "") for k in range(1, MAX_CHOICES + 1)]
        choices = [c for c in choices if c]
        for c in [*choices, row.get("quota_choice", "")]:
            if c and c not in codes:
                raise ValidationError(f"第{n}行志愿学校“{c}”不在学校计划表中。")
        if len(set(choices)) != len(choices):
            raise ValidationError(f"第{n}行同一学校填报了两次。")
        students.append(
            Student(
                id=sid,
                junior=row["junior_school"],
                score=_number(row["score"], n, "score"),
                choices=tuple(choices),
                quota_choice=row.get("quota_choice", ""),
                ties=tuple(_number(row[h] or "0", n, h) for h in tie_columns),
            )
        )
    return students


def result_write(
    result: AdmissionResult, schools: list[SchoolPlan], students: list[Student], *, explanations: bool = False
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["student_id", "school_code", "stage", "choice_rank"] + (["explanation"] if explanations else [])
    writer.writerow(header)
    plans = {s.code: s for s in schools}
    for st in students:
        p = result.placements[st.id]
        row: list[object] = [st.id, p.school, p.stage, "" if p.choice_rank is None else p.choice_rank]
        if explanations:
            row.append("；".join(explain(result, plans, st)))
        writer.writerow(safe_csv_row(row))
    return out.getvalue()
