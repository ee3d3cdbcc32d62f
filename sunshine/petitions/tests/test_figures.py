"""PET-10 figures, read through the figures registry, equal the counts computed by hand
from a built set of cases; on-time rates count overdue, untouched cases as late and
declined or forwarded cases notified in time as on time."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.core.figures import Period, figure_value, figures_all
from sunshine.petitions import services as svc
from sunshine.petitions.models import Petition
from sunshine.petitions.selectors import petition_public_summary
from sunshine.petitions.tests.factories import file_case, make_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 31, 12, 0, tzinfo=SH)
YEAR = Period.year(2026, as_of=NOW)
S = Petition.Status


def build(w, n=120, seed=5):
    rng = random.Random(seed)
    units = [w.school, w.school2, w.basic, None]
    rows = []
    for i in range(n):
        received = datetime(2026, 1, 1, 9, tzinfo=SH) + timedelta(days=rng.randrange(0, 360), hours=rng.randrange(8))
        notice_due = received + timedelta(days=15)
        status = rng.choice(
            [S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.ANSWERED, S.RATED, S.CLOSED, S.DECLINED, S.FORWARDED]
        )
        accepted = status not in (S.REGISTERED, S.DECLINED, S.FORWARDED)
        notified_at = received + timedelta(days=rng.choice([3, 10, 20])) if status != S.REGISTERED else None
        accepted_at = notified_at if accepted else None
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
                notified_at=notified_at,
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


def by_hand(rows, as_of=NOW):
    """The PET-10 parts, counted one case at a time."""
    handling = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)
    notified = [r for r in rows if r.notified_at]
    untold_late = [r for r in rows if r.status == S.REGISTERED and r.notice_due_at < as_of]
    accepted = [r for r in rows if r.accepted_at]
    closed = [r for r in accepted if r.answered_at]
    unanswered_late = [r for r in rows if r.status in handling and r.handling_due_at < as_of]
    rated = [r for r in rows if r.rated_at]
    satisfied = [r for r in rated if r.satisfaction in ("satisfied", "basically")]
    days = sum((r.answered_at - r.received_at).total_seconds() for r in closed) / 86400
    return {
        "received": (len(rows), None),
        "accepted": (len(accepted), None),
        "accepted_on_time_rate": (
            sum(r.notified_at <= r.notice_due_at for r in notified),
            len(notified) + len(untold_late),
        ),
        "closed": (len(closed), None),
        "closed_on_time_rate": (
            sum(r.answered_at <= r.handling_due_at for r in closed),
            len(closed) + len(unanswered_late),
        ),
        "closure_rate": (len(closed), len(accepted)),
        "overdue": (len(untold_late) + len(unanswered_late), None),
        "average_days_to_answer": (round(days, 1), len(closed)),
        "rating_participation_rate": (len(rated), len(closed)),
        "satisfaction_rate": (len(satisfied), len(rated)),
        "refunds_ordered": (sum(r.refunds_ordered_fen for r in rows) / 100, None),
        "sanctions": (sum(r.sanctions for r in rows), None),
    }


def parts(results):
    return {r.key.removeprefix("petitions."): (r.numerator, r.denominator) for r in results}


def test_pet10_every_figure_matches_the_hand_count():
    """PET-10: received, accepted (notified) on time, closed, closed on time, closure
    rate (closed ÷ accepted), overdue, average days, rating participation, satisfaction,
    refunds and sanctions — each with its numerator and denominator."""
    w = make_world()
    rows = build(w)
    results = figures_all(period=YEAR, organization=w.bureau, prefix="petitions.")
    expected = by_hand(rows)
    assert parts(results) == expected
    by_key = {r.key: r for r in results}
    closed, accepted = expected["closure_rate"]
    assert by_key["petitions.closure_rate"].value == round(100 * closed / accepted, 1)
    satisfied, rated = expected["satisfaction_rate"]
    assert by_key["petitions.satisfaction_rate"].value == round(100 * satisfied / rated, 1)
    assert by_key["petitions.closure_rate"].display == f"{round(100 * closed / accepted, 1):.1f}%"


def test_pet10_scoped_to_a_school_and_a_department():
    """A bureau counts its whole tree; a school or department the cases about it (or,
    with no subject unit, handled by it)."""
    w = make_world()
    rows = build(w)
    for unit in (w.school, w.school2, w.basic):
        own = [r for r in rows if r.subject_organization_id == unit.pk]
        got = parts(figures_all(period=YEAR, organization=unit, prefix="petitions."))
        assert got == by_hand(own)
    # A case with no subject unit counts for the unit handling it.
    loose = next(r for r in rows if r.subject_organization_id is None)
    Petition.objects.filter(pk=loose.pk).update(assigned_to=w.school2)
    assert figure_value("petitions.received", period=YEAR, organization=w.school2).value == (
        sum(r.subject_organization_id == w.school2.pk for r in rows) + 1
    )


def test_pet10_period_bounds():
    w = make_world()
    rows = build(w)
    spring = Period.between(datetime(2026, 3, 1).date(), datetime(2026, 5, 31).date(), as_of=NOW)
    start, end = datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 6, 1, tzinfo=SH)
    assert figure_value("petitions.received", period=spring, organization=w.bureau).value == sum(
        start <= r.received_at < end for r in rows
    )
    q2 = Period.quarter(2026, 2, as_of=NOW)
    assert figure_value("petitions.received", period=q2, organization=w.bureau).value == sum(
        datetime(2026, 4, 1, tzinfo=SH) <= r.received_at < datetime(2026, 7, 1, tzinfo=SH) for r in rows
    )


def test_pet10_overdue_untouched_case_counts_as_late():
    """PET-10 (issue 11): a case nobody touched after its PET-3 notice deadline is late in
    the notice rate, and an accepted case unanswered after its PET-5 deadline is late in
    the closing rate — not left out of them."""
    w = make_world()
    untouched = file_case(w).petition
    accepted = svc.petition_accept(petition=file_case(w).petition, actor=w.inspector)
    now = timezone.now()
    year = Period.year(timezone.localtime(now).year, as_of=now)

    def rate(key, period):
        r = figure_value(f"petitions.{key}", period=period, organization=w.bureau)
        return r.value, r.numerator, r.denominator

    # Within every deadline: the untouched case is in neither part yet.
    assert rate("accepted_on_time_rate", year) == (100.0, 1, 1)
    assert rate("closed_on_time_rate", year) == (None, 0, 0)
    # After both deadlines, with nothing done: both are late.
    later = Period(year.start, year.end, as_of=accepted.handling_due_at + timedelta(minutes=1))
    assert untouched.notice_due_at < later.as_of
    assert rate("accepted_on_time_rate", later) == (50.0, 1, 2)
    assert rate("closed_on_time_rate", later) == (0.0, 0, 1)
    assert figure_value("petitions.overdue", period=later, organization=w.bureau).value == 2


def test_pet10_declined_and_forwarded_in_time_count_as_notified_on_time():
    """PET-10 (issue 11): a case told in time that it is not accepted, or that it went to
    another authority, was notified on time; it is no accepted case."""
    w = make_world()
    declined = svc.petition_decline(
        petition=file_case(w).petition, actor=w.inspector, reason="不属于本局职责", where_to_go="区市场监管局"
    )
    forwarded = svc.petition_forward(
        petition=file_case(w).petition, actor=w.inspector, to_authority="区市场监管局", reason="属价格管理"
    )
    assert declined.notified_at is not None and forwarded.notified_at is not None
    now = timezone.now()
    year = Period.year(timezone.localtime(now).year, as_of=now + timedelta(days=40))
    notice = figure_value("petitions.accepted_on_time_rate", period=year, organization=w.bureau)
    assert (notice.value, notice.numerator, notice.denominator) == (100.0, 2, 2)
    assert figure_value("petitions.accepted", period=year, organization=w.bureau).value == 0
    # Told after the deadline: late.
    Petition.objects.filter(pk=declined.pk).update(notified_at=declined.notice_due_at + timedelta(hours=1))
    notice = figure_value("petitions.accepted_on_time_rate", period=year, organization=w.bureau)
    assert (notice.value, notice.numerator, notice.denominator) == (50.0, 1, 2)


def test_home_page_shows_this_years_live_figures(client):
    """product.md: the public home page shows live figures — letters received and answered
    this year, and the average days to answer — read through the figures registry."""
    w = make_world()
    rows = build(w)
    summary = petition_public_summary(now=NOW)
    answered = [r for r in rows if r.answered_at]
    assert summary["received"] == len(rows)
    assert summary["answered"] == len(answered)
    days = sum((r.answered_at - r.received_at).total_seconds() for r in answered) / len(answered) / 86400
    assert summary["average_days"] == round(days, 1)

    body = client.get(reverse("core:home")).content.decode()
    live = petition_public_summary()
    assert f"<dd>{live['received']}</dd>" in body and f"<dd>{live['answered']}</dd>" in body


def test_breakdowns_by_channel_and_by_unit_match_the_hand_count():
    """PET-10 split: the cases received by channel (every channel listed), and received
    and closed by the unit concerned, the most letters first, each unit linking to the
    workbench filtered by it."""
    from sunshine.core.figures import breakdown_value

    w = make_world()
    rows = build(w)
    channels = breakdown_value("petitions.by_channel", period=YEAR, organization=w.bureau)
    counted = {r.key: r.values[0].value for r in channels.rows}
    assert set(counted) == set(Petition.Channel.values)
    for code in Petition.Channel.values:
        assert counted[code] == sum(1 for r in rows if r.channel == code)
    assert channels.rows[0].query["channel"] == channels.rows[0].key and channels.rows[0].query["queue"] == "all"

    units = breakdown_value("petitions.by_unit", period=YEAR, organization=w.bureau)
    got = {r.key: (r.values[0].value, r.values[1].value) for r in units.rows}
    for unit in (w.school, w.school2, w.basic):
        mine = [r for r in rows if r.subject_organization == unit]
        closed = [r for r in mine if r.accepted_at and r.answered_at]
        assert got[str(unit.pk)] == (len(mine), len(closed))
    assert got["none"][0] == sum(1 for r in rows if r.subject_organization is None)
    assert units.rows[-1].key == "none"  # the cases with no unit yet come last
    received = [r.values[0].value for r in units.rows[:-1]]
    assert received == sorted(received, reverse=True)
    school_row = next(r for r in units.rows if r.key == str(w.school.pk))
    assert school_row.organization == w.school.pk and school_row.query["school"] == str(w.school.pk)
    # A school stands for itself: one row, its own.
    own = breakdown_value("petitions.by_unit", period=YEAR, organization=w.school)
    assert [r.key for r in own.rows] == [str(w.school.pk)]


@pytest.mark.parametrize("literal_max", [0, 10_000])
def test_pet10_the_same_with_the_tree_as_a_sub_select_or_as_ids(monkeypatch, literal_max):
    """A large tree (a city's bureau) goes to the database as a sub-select, a small one
    as its ids: the figures and the breakdowns are the hand count either way, for the
    bureau and for a school."""
    from sunshine.core.figures import breakdown_value
    from sunshine.petitions import figures as petition_figures

    monkeypatch.setattr(petition_figures, "TREE_LITERAL_MAX", literal_max)
    w = make_world()
    rows = build(w)
    assert parts(figures_all(period=YEAR, organization=w.bureau, prefix="petitions.")) == by_hand(rows)
    own = [r for r in rows if r.subject_organization_id == w.school.pk]
    assert parts(figures_all(period=YEAR, organization=w.school, prefix="petitions.")) == by_hand(own)
    channels = breakdown_value("petitions.by_channel", period=YEAR, organization=w.bureau)
    assert sum(r.values[0].value for r in channels.rows) == len(rows)
