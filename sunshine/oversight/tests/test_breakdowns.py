"""OVS-1 on the dashboard: each school's colour from the latest evaluation whose
bulletin was issued (the red / amber / green map) and how many schools are of each
colour; an evaluation computed after the period, or still a draft, is not read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sunshine.core.actors import SYSTEM
from sunshine.core.figures import Period, breakdown_value
from sunshine.core.transitions import transition
from sunshine.orgs.tests.factories import SchoolFactory
from sunshine.oversight.models import Evaluation, IndicatorSet, SchoolScore

SH = ZoneInfo("Asia/Shanghai")


def evaluate(bureau, period: str, computed_at: datetime, scores, *, status=Evaluation.Status.ISSUED) -> Evaluation:
    indicator_set, _ = IndicatorSet.objects.get_or_create(bureau=bureau, period=period, defaults={"title": period})
    evaluation = Evaluation.objects.create(
        indicator_set=indicator_set, computed_at=computed_at, green_min=85, amber_min=70
    )
    if status == Evaluation.Status.ISSUED:
        transition(evaluation, status, actor=SYSTEM)
    for rank, (school, score, rag) in enumerate(sorted(scores, key=lambda s: -s[1]), start=1):
        SchoolScore.objects.create(evaluation=evaluation, school=school, score=Decimal(score), rag=rag, rank=rank)
    return evaluation


@pytest.mark.django_db
def test_the_map_and_the_counts_come_from_the_latest_issued_evaluation(world):
    third = SchoolFactory(parent=world.bureau, name="第三实验小学")
    one, other = world.school, world.other
    q1 = [(one, 90, "green"), (other, 90, "green"), (third, 90, "green")]
    evaluate(world.bureau, "2026-Q1", datetime(2026, 4, 5, tzinfo=SH), q1)
    q2 = [(one, 92, "green"), (other, 60, "red"), (third, 75, "amber")]
    evaluate(world.bureau, "2026-Q2", datetime(2026, 7, 5, tzinfo=SH), q2)
    draft = Evaluation.Status.DRAFT
    evaluate(world.bureau, "2026-Q3", datetime(2026, 10, 5, tzinfo=SH), [(one, 10, "red")], status=draft)
    evaluate(world.bureau, "2027-Q1", datetime(2027, 4, 5, tzinfo=SH), [(one, 10, "red")])

    year = Period.year(2026, as_of=datetime(2027, 6, 1, tzinfo=SH))
    tiles = breakdown_value("oversight.rag_map", period=year, organization=world.bureau)
    assert [(r.label, r.colour, r.values[0].value) for r in tiles.rows] == [
        ("第二实验小学", "red", 60.0),
        ("第三实验小学", "amber", 75.0),
        ("第一实验小学", "green", 92.0),
    ]
    assert tiles.rows[0].organization == world.other.pk
    counts = breakdown_value("oversight.rag_counts", period=year, organization=world.bureau)
    assert [(r.key, r.values[0].value) for r in counts.rows] == [("red", 1), ("amber", 1), ("green", 1)]

    # Taken in May: the Q1 evaluation was the latest then; a school sees itself only.
    may = Period.year(2026, as_of=datetime(2026, 5, 1, tzinfo=SH))
    early = breakdown_value("oversight.rag_counts", period=may, organization=world.bureau)
    assert [r.values[0].value for r in early.rows] == [0, 0, 3]
    own = breakdown_value("oversight.rag_map", period=year, organization=world.other)
    assert [(r.label, r.colour) for r in own.rows] == [("第二实验小学", "red")]
