"""PET-10 figures equal the counts computed by hand from a built set of cases."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sunshine.petitions.models import Petition
from sunshine.petitions.selectors import petition_figures
from sunshine.petitions.tests.factories import make_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 31, 12, 0, tzinfo=SH)
S = Petition.Status


def build(w, n=120, seed=5):
    rng = random.Random(seed)
    units = [w.school, w.school2, w.basic, None]
    rows = []
    for i in range(n):
        received = datetime(2026, 1, 1, 9, tzinfo=SH) + timedelta(days=rng.randrange(0, 360), hours=rng.randrange(8))
        notice_due = received + timedelta(days=15)
        status = rng.choice([S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.ANSWERED, S.RATED, S.CLOSED, S.DECLINED])
        accepted = status not in (S.REGISTERED, S.DECLINED)
        accepted_at = received + timedelta(days=rng.choice([3, 10, 20])) if accepted else None
        handling_due = accepted_at + timedelta(days=60) if accepted_at else None
        answered = status in (S.ANSWERED, S.RATED, S.CLOSED)
        answered_at = accepted_at + timedelta(days=rng.choice([30, 59, 75])) if answered else None
        rated = status == S.RATED
        rows.append(
            Petition(
                bureau=w.bureau,
                number=f"F-{i:05d}",
                kind=rng.choice(Petition.Kind.values),
                channel=rng.choice(["web", "letter", "phone", "hotline"]),
                status=status,
                title="t",
                facts="f",
                subject_organization=rng.choice(units),
                received_at=received,
                notice_due_at=notice_due,
                accepted_at=accepted_at,
                handling_due_at=handling_due,
                answered_at=answered_at,
                rated_at=answered_at + timedelta(days=2) if rated else None,
                satisfaction=rng.choice(Petition.Satisfaction.values) if rated else "",
                refunds_ordered_fen=rng.choice([0, 0, 15000]),
                sanctions=rng.choice([0, 0, 1]),
            )
        )
    Petition.objects.bulk_create(rows)
    return rows


def by_hand(rows):
    handling = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)
    accepted = [r for r in rows if r.accepted_at]
    closed = [r for r in accepted if r.answered_at]
    rated = [r for r in rows if r.rated_at]
    return {
        "received": len(rows),
        "accepted": len(accepted),
        "accepted_on_time": sum(r.accepted_at <= r.notice_due_at for r in accepted),
        "closed": len(closed),
        "closed_on_time": sum(r.answered_at <= r.handling_due_at for r in closed),
        "overdue": sum(
            (r.status == S.REGISTERED and r.notice_due_at < NOW) or (r.status in handling and r.handling_due_at < NOW)
            for r in rows
        ),
        "answered": sum(1 for r in rows if r.answered_at),
        "rated": len(rated),
        "satisfied": sum(r.satisfaction in ("satisfied", "basically") for r in rated),
        "refunds_ordered_fen": sum(r.refunds_ordered_fen for r in rows),
        "sanctions": sum(r.sanctions for r in rows),
    }


def as_dict(row):
    return {k: getattr(row, k) for k in by_hand([])}


def test_pet10_total_matches_hand_count():
    """PET-10: received, accepted on time, closed, closed on time, closure rate,
    overdue, rating participation, satisfaction, refunds and sanctions."""
    w = make_world()
    rows = build(w)
    start, end = datetime(2026, 1, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)
    [total] = petition_figures(bureau=w.bureau, start=start, end=end, now=NOW)
    expected = by_hand(rows)
    assert as_dict(total) == expected
    assert total.closure_rate == round(100 * expected["closed"] / expected["accepted"], 1)
    assert total.satisfaction_rate == round(100 * expected["satisfied"] / expected["rated"], 1)


@pytest.mark.parametrize("by", ["kind", "channel", "school", "department", "month"])
def test_pet10_groupings_match_hand_count(by):
    """PET-10 by kind, channel, school, department (the unit concerned) and month."""
    w = make_world()
    rows = build(w)
    start, end = datetime(2026, 1, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)

    def key(r):
        if by in ("kind", "channel"):
            return getattr(r, by)
        if by == "month":
            return (r.received_at.astimezone(SH).year, r.received_at.astimezone(SH).month)
        unit = r.subject_organization
        wanted = "school" if by == "school" else "department"
        return unit.pk if unit is not None and unit.kind == wanted else None

    groups: dict = {}
    for r in rows:
        k = key(r)
        if k is not None:
            groups.setdefault(k, []).append(r)
    result = petition_figures(bureau=w.bureau, start=start, end=end, by=by, now=NOW)
    got = {}
    for row in result:
        k = row.key
        if by == "month":
            local = k.astimezone(SH) if k.tzinfo else k
            k = (local.year, local.month)
        got[k] = as_dict(row)
    assert got == {k: by_hand(v) for k, v in groups.items()}


def test_pet10_period_bounds():
    w = make_world()
    rows = build(w)
    start, end = datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 6, 1, tzinfo=SH)
    [total] = petition_figures(bureau=w.bureau, start=start, end=end, now=NOW)
    assert total.received == sum(start <= r.received_at < end for r in rows)


def test_home_page_shows_this_years_live_figures(client):
    """product.md: the public home page shows live figures — letters received and answered
    this year, and the average days to answer — computed from the cases (PET-10)."""
    from django.urls import reverse

    from sunshine.petitions.selectors import petition_public_summary

    w = make_world()
    rows = build(w)
    summary = petition_public_summary(now=NOW)
    this_year = [r for r in rows if r.received_at < NOW]
    answered = [r for r in this_year if r.answered_at]
    assert summary["received"] == len(this_year)
    assert summary["answered"] == len(answered)
    days = sum((r.answered_at - r.received_at).total_seconds() for r in answered) / len(answered) / 86400
    assert summary["average_days"] == round(days, 1)

    body = client.get(reverse("core:home")).content.decode()
    live = petition_public_summary()
    assert f"<dd>{live['received']}</dd>" in body and f"<dd>{live['answered']}</dd>" in body
