"""Senior-high admission (ENR-2) in the database: run on the season's plan and the
students' spreadsheet (through core.imports), keep inputs and placements, publish the
cutoff lines and results (ENR-4), explain each student's outcome."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.core.imports import SheetLimits, spreadsheet_rows
from sunshine.core.local_rules import local_rule
from sunshine.enrollment.admission import SchoolPlan, Student, admit, explain
from sunshine.enrollment.admission_csv import students_read
from sunshine.enrollment.models import AdmissionRun, Disclosure, Season
from sunshine.enrollment.services import _manager, disclosure_publish, season_decide

LIMITS = SheetLimits(max_rows=300_000, max_columns=40, max_cell_chars=100)


def plans_of(season: Season) -> list[SchoolPlan]:
    plans = [
        SchoolPlan(code=p.code, seats=p.seats, line=float(p.line or 0), quota_seats=p.quota_seats, name=p.name)
        for p in season.plan.all()
    ]
    if not plans:
        raise ValidationError(_("The plan has no school yet."))
    return plans


def students_from_sheet(fh: IO[bytes], *, kind: str, plans: list[SchoolPlan]) -> list[Student]:
    rows = spreadsheet_rows(fh, kind=kind, limits=LIMITS)
    out = io.StringIO()
    writer = csv.writer(out)
    for _number, values in rows:
        writer.writerow(["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in values])
    return students_read(out.getvalue(), plans)


@transaction.atomic
def admission_run(*, actor: Any, season: Season, students: list[Student]) -> AdmissionRun:
    """Runs admission with the bureau's LOCAL quota floor margin and tie-break order."""
    _manager(actor, season.bureau)
    Season.objects.select_for_update().get(pk=season.pk)
    if season.level != Season.Level.SENIOR:
        raise ValidationError(_("Admission by score is for the senior secondary level."))
    if season.status != Season.Status.CLOSED:
        raise ValidationError(_("Run admission once applications have closed."))
    plans = plans_of(season)
    margin = local_rule("ENR-2-quota-floor-margin")
    tiebreak = tuple(local_rule("ENR-2-tiebreak"))
    result = admit(plans, students, floor_margin=margin, tiebreak=tiebreak)
    cutoffs = {}
    for code, key in result.cutoff.items():
        if key is not None:
            cutoffs[code] = key if isinstance(key, float | int) else key[0]
    run = AdmissionRun.objects.create(
        season=season,
        students=[
            {
                "id": s.id,
                "junior": s.junior,
                "score": s.score,
                "choices": list(s.choices),
                "quota_choice": s.quota_choice,
                "ties": list(s.ties),
            }
            for s in students
        ],
        placements={sid: [p.school, p.stage, p.choice_rank] for sid, p in result.placements.items()},
        cutoffs=cutoffs,
        overflow=result.overflow,
        quota_shares=result.quota_shares,
        floor_margin=margin,
        tiebreak=list(tiebreak),
    )
    audit_record(actor=actor, action="enrollment.admission_run", target=run, data={"students": len(students)})
    return run


def run_explain(run: AdmissionRun, student_id: str) -> list[str]:
    """The student's explanation, recomputed from the run's kept inputs."""
    plans = plans_of(run.season)
    students = [
        Student(s["id"], s["junior"], s["score"], tuple(s["choices"]), s["quota_choice"], tuple(s["ties"]))
        for s in run.students
    ]
    result = admit(plans, students, floor_margin=run.floor_margin, tiebreak=tuple(run.tiebreak))
    student = next(s for s in students if s.id == student_id)
    return explain(result, {p.code: p for p in plans}, student)


def run_student(run: AdmissionRun, student_id: str, score: str) -> dict[str, Any] | None:
    """A student's own look-up: the exam number and the score must both match."""
    row = next((s for s in run.students if s["id"] == student_id.strip()), None)
    try:
        given = float(score)
    except ValueError:
        return None
    if row is None or abs(row["score"] - given) > 1e-9:
        return None
    return {"id": row["id"], "lines": run_explain(run, row["id"])}


@transaction.atomic
def admission_publish(*, actor: Any, run: AdmissionRun) -> AdmissionRun:
    """Results decided and published: the cutoff lines (with the quota shares and the
    ties admitted beyond the plan) and the results per school (ENR-4)."""
    season = run.season
    _manager(actor, season.bureau)
    if run.published_at:
        raise ValidationError(_("These results are published already."))
    if season.status == Season.Status.CLOSED:
        season_decide(actor=actor, season=season)
    with translation.override(settings.LANGUAGE_CODE):  # a published text is in Chinese
        names = {p.code: p.name for p in season.plan.all()}
        lines = []
        for code, cut in sorted(run.cutoffs.items()):
            text = _("%(school)s: cutoff %(score)s") % {"school": names.get(code, code), "score": f"{cut:g}"}
            if run.overflow.get(code):
                text += _(" (%(n)s tied at the cutoff, all admitted beyond the plan)") % {"n": run.overflow[code]}
            lines.append(text)
        for code, shares in sorted(run.quota_shares.items()):
            parts = "、".join(f"{j} {n}" for j, n in sorted(shares.items()) if n)
            lines.append(
                _("%(school)s quota seats by junior school: %(parts)s")
                % {"school": names.get(code, code), "parts": parts}
            )
        counts: dict[str, int] = {}
        for school, _stage, _rank in run.placements.values():
            if school:
                counts[school] = counts.get(school, 0) + 1
        results = [
            _("%(school)s: %(n)s admitted") % {"school": names.get(code, code), "n": n}
            for code, n in sorted(counts.items())
        ]
        disclosure_publish(
            actor=actor, season=season, kind=Disclosure.Kind.CUTOFFS, title=_("Cutoff lines"), body="\n".join(lines)
        )
        disclosure_publish(
            actor=actor,
            season=season,
            kind=Disclosure.Kind.RESULTS,
            title=_("Admission results"),
            body="\n".join(results),
        )
    AdmissionRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
    run.refresh_from_db()
    audit_record(actor=actor, action="enrollment.admission_publish", target=run)
    return run
