"""Every clock of rules.md (PET-3 … ENR-3), OVS-1's red/amber/green, on real calendar data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.core import calendar as cal
from sunshine.core.clocks import (
    CLOCKS,
    Clock,
    Deadline,
    Rag,
    Unit,
    clock_get,
    deadline,
    rag,
    rag_changes_at,
    score_rag,
    score_thresholds,
)
from sunshine.core.local_rules import ScoreThresholds, local_rule_set
from sunshine.core.models import CalendarDay, CalendarYear, LocalRuleValue

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = date.fromisoformat


def at(raw: str, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(D(raw), time(hh, mm), tzinfo=SH)


def due_on(rule_id: str, raw_start: str, **kwargs) -> date:
    return deadline(rule_id, at(raw_start), **kwargs).due_date


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    cal.calendar_cache_clear()
    yield
    cal.calendar_cache_clear()


def enter_2027(*, with_year: bool = True) -> None:
    """A hypothetical 2027 National Day notice: 1-7 October off, Sun 26 Sep and Sat 9 Oct worked."""
    for i in range(7):
        CalendarDay.objects.create(date=D("2027-10-01") + timedelta(days=i), kind="holiday", name="国庆节")
    for raw in ("2027-09-26", "2027-10-09"):
        CalendarDay.objects.create(date=D(raw), kind="makeup_workday", name="国庆节调休")
    if with_year:
        CalendarYear.objects.create(year=2027, document_number="国办发明电〔2026〕9号")


@pytest.fixture
def entered_2027():
    enter_2027()


ALL_CLOCK_IDS = {
    "DEC-2-task",
    "PET-3",
    "FEE-1-refund",
    "PET-3-named-report",
    "PET-4",
    "PET-5",
    "PET-7-review-apply",
    "PET-7-review-answer",
    "PET-7-reexam-apply",
    "PET-7-reexam-answer",
    "PET-8",
    "DIS-1",
    "FOI-2",
    "FOI-3",
    "FOI-3-consultation",
    "FOI-5",
    "FEE-5-notice",
    "FEE-5-collection",
    "OPN-1",
    "OPN-1-major-info",
    "OPN-1-major-statement",
    "FND-3-general",
    "FND-3-special",
    "ENR-3",
    "ENR-4-advance",
    "ENR-4-results",
    "OVS-2-appeal",
    "OVS-4",
    "OVS-4-verify",
    "OVS-5-receipt",
    "OVS-5-study",
    "DEC-1",
}


def test_clocks_table_is_complete():
    assert set(CLOCKS) == ALL_CLOCK_IDS
    for clock_id, clock in CLOCKS.items():
        assert isinstance(clock, Clock)
        assert clock.rule_id == clock_id
        assert str(clock.description)
    assert CLOCKS["PET-7-review-apply"].rule == "PET-7"
    assert (CLOCKS["PET-5"].unit, CLOCKS["PET-5"].length) == (Unit.CALENDAR_DAYS, 60)
    assert (CLOCKS["FOI-3"].unit, CLOCKS["FOI-3"].length, CLOCKS["FOI-3"].extension) == (Unit.WORKING_DAYS, 20, 20)
    assert (CLOCKS["OPN-1"].unit, CLOCKS["OPN-1"].length) == (Unit.HOURS, 48)
    # OVS-4 (30 days; verified in 10 wd), OVS-5 (receipt 3 wd, study 15 wd), DEC-1 (30 days open), ENR-4.
    assert (clock_get("OVS-4").unit, clock_get("OVS-4").length) == (Unit.CALENDAR_DAYS, 30)
    assert (clock_get("OVS-4-verify").unit, clock_get("OVS-4-verify").length) == (Unit.WORKING_DAYS, 10)
    assert (clock_get("OVS-5-receipt").length, clock_get("OVS-5-study").length) == (3, 15)
    assert (CLOCKS["DEC-1"].unit, CLOCKS["DEC-1"].length, CLOCKS["DEC-1"].minimum) == (Unit.CALENDAR_DAYS, 30, True)
    assert (clock_get("ENR-4-advance").length, clock_get("ENR-4-results").length) == (15, 3)


def test_deadline_rejects_unknown_rule_and_naive_start():
    with pytest.raises(ValueError, match="Unknown"):
        deadline("PET-99", at("2025-03-03"))
    with pytest.raises(ValueError, match="time zone"):
        deadline("PET-3", datetime(2025, 3, 3, 10, 0))  # naive on purpose


def test_deadline_shape_and_start_in_shanghai():
    """CAL-2: the start date is the Shanghai date of the event; day clocks end at the day's last instant."""
    # 20:00 UTC on 2 March is 04:00 on 3 March in Shanghai: counting starts after 3 March.
    d = deadline("PET-3", datetime(2025, 3, 2, 20, 0, tzinfo=UTC))
    assert isinstance(d, Deadline)
    assert d.rule_id == "PET-3"
    assert d.due_date == D("2025-03-18")
    assert d.due == datetime(2025, 3, 18, 23, 59, 59, 999999, tzinfo=SH)
    assert d.start == datetime(2025, 3, 2, 20, 0, tzinfo=UTC)
    assert d.provisional is False
    # A plain date is the start of that day in Shanghai.
    from_date = deadline("PET-3", D("2025-03-03"))
    assert from_date.start == datetime(2025, 3, 3, tzinfo=SH)
    assert from_date.due_date == D("2025-03-18")


# --- Petitions ------------------------------------------------------------------------------


def test_pet3_notice_within_15_days():
    """PET-3: 15 calendar days; a last day in the 2025 National Day holiday moves to 9 October."""
    assert due_on("PET-3", "2025-03-03") == D("2025-03-18")
    assert due_on("PET-3", "2025-09-16") == D("2025-10-09")


def test_pet3_named_report_within_15_working_days():
    """PET-3: real-name reports against staff: 15 wd, counting the 调休 Sunday and Saturday."""
    # 23-26 Sep (4), Sun 28 (5), 29-30 (7), 9-10 Oct (9), Sat 11 (10), 13-17 (15).
    assert due_on("PET-3-named-report", "2025-09-22") == D("2025-10-17")


def test_pet4_objection_within_5_working_days():
    """PET-4: 5 wd after Fri 26 Sep 2025: Sun 28, 29, 30 Sep, 9, 10 Oct."""
    assert due_on("PET-4", "2025-09-26") == D("2025-10-10")


def test_pet5_60th_day_in_national_day_moves_to_first_working_day():
    """PET-5 with CAL-2: accepted 2 Aug 2025, the 60th day is 1 Oct (holiday) -> 9 Oct."""
    assert due_on("PET-5", "2025-08-02") == D("2025-10-09")


def test_pet5_period_ending_on_makeup_saturday_stays():
    """PET-5 with CAL-2: the 60th day is Sat 11 Oct 2025, a make-up working day: it stays."""
    assert due_on("PET-5", "2025-08-12") == D("2025-10-11")


def test_pet5_extension_and_ceiling():
    """PET-5: 60 days; one extension of at most 30 days; 90 days in all is the ceiling."""
    # 60 days after 3 Mar 2025 is 2 May (Labour Day holiday, 1-5 May) -> Tue 6 May.
    assert due_on("PET-5", "2025-03-03") == D("2025-05-06")
    # 90 days is Sun 1 Jun (Dragon Boat holiday, 31 May - 2 Jun) -> Tue 3 Jun.
    assert due_on("PET-5", "2025-03-03", extension=30) == D("2025-06-03")
    assert due_on("PET-5", "2025-03-03", extension=10) == D("2025-05-12")  # 12 May, a Monday
    assert CLOCKS["PET-5"].ceiling == 90
    with pytest.raises(ValueError, match="at most 30"):
        deadline("PET-5", at("2025-03-03"), extension=31)
    with pytest.raises(ValueError):
        deadline("PET-5", at("2025-03-03"), extension=-1)


def test_pet5_clock_without_extension_refuses_one():
    """PET-3 has no extension: any extension is refused."""
    with pytest.raises(ValueError, match="cannot be extended"):
        deadline("PET-3", at("2025-03-03"), extension=1)


def test_pet7_review_and_reexamination_clocks():
    """PET-7: apply for review within 30 days; answer in 30; the same for re-examination."""
    assert due_on("PET-7-review-apply", "2025-09-01") == D("2025-10-09")  # 1 Oct is a holiday
    assert due_on("PET-7-review-answer", "2026-01-05") == D("2026-02-04")
    assert due_on("PET-7-reexam-apply", "2026-09-01") == D("2026-10-08")  # 1-7 Oct 2026 off
    assert due_on("PET-7-reexam-answer", "2025-12-31") == D("2026-01-30")


def test_pet8_result_within_15_working_days_of_closing():
    """PET-8: closed Tue 10 Feb 2026: 11-13 (3), Sat 14 (4), 24-27 (8), Sat 28 (9), 2-6 Mar (14), 9 Mar."""
    assert due_on("PET-8", "2026-02-10") == D("2026-03-09")


# --- Disclosure and FOI ----------------------------------------------------------------------


def test_dis1_proactive_disclosure_within_20_working_days():
    """DIS-1: 20 wd after Mon 2 Mar 2026 is Mon 30 Mar."""
    assert due_on("DIS-1", "2026-03-02") == D("2026-03-30")


def test_foi2_correction_within_7_working_days():
    """FOI-2: 7 wd after Fri 24 Jan 2025 across the Spring Festival: Sun 26, 27, 5-7 Feb, Sat 8, Mon 10."""
    assert due_on("FOI-2", "2025-01-24") == D("2025-02-10")


def test_foi3_reply_within_20_working_days_and_consultation_pause():
    """FOI-3: 20 wd; a third-party consultation (9-27 Mar 2026, 15 wd) does not count."""
    assert due_on("FOI-3", "2026-03-02") == D("2026-03-30")
    paused = [(D("2026-03-09"), D("2026-03-27"))]
    # 3-6 Mar (4), 30-31 (6), 1-3 Apr (9), Qingming 4-6 Apr off, 7-10 (13), 13-17 (18), 20, 21 (20).
    assert due_on("FOI-3", "2026-03-02", paused=paused) == D("2026-04-21")


def test_foi3_extension_at_most_20_working_days():
    """FOI-3: one extension of at most 20 wd."""
    assert due_on("FOI-3", "2026-03-02", extension=20) == D("2026-04-28")
    with pytest.raises(ValueError, match="at most 20"):
        deadline("FOI-3", at("2026-03-02"), extension=21)


def test_foi3_consultation_15_working_days():
    """FOI-3: the third-party consultation itself runs 15 wd."""
    assert due_on("FOI-3-consultation", "2026-03-06") == D("2026-03-27")


def test_foi5_annual_report_by_31_january_next_year():
    """FOI-5: a fixed date, 31 January of the next year; not moved even on a Saturday (2026)."""
    d = deadline("FOI-5", at("2025-06-10"))
    assert d.due_date == D("2026-01-31")
    assert d.due == datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=SH)
    assert due_on("FOI-5", "2025-12-31") == D("2026-01-31")
    assert due_on("FOI-5", "2026-01-01") == D("2027-01-31")
    assert deadline("FOI-5", at("2027-03-01")).provisional is False
    with pytest.raises(ValueError):
        deadline("FOI-5", at("2025-06-10"), extension=1)


# --- Fees (LOCAL) ---------------------------------------------------------------------------


def test_fee5_notice_displayed_at_least_7_days():
    """FEE-5 (LOCAL): the notice stays up at least 7 days; the administrator can change it."""
    assert CLOCKS["FEE-5-notice"].minimum
    assert due_on("FEE-5-notice", "2025-08-25") == D("2025-09-01")
    local_rule_set(actor=None, key="FEE-5-notice", value=10)
    assert due_on("FEE-5-notice", "2025-08-25") == D("2025-09-04")
    assert clock_get("FEE-5-notice").length == 10
    assert CLOCKS["FEE-5-notice"].length == 7  # the table keeps the default of rules.md


def test_fee5_collection_window_14_days_from_registration():
    """FEE-5 (LOCAL): collection within 14 days of registration by default; 20 when set (Sun -> Mon)."""
    assert due_on("FEE-5-collection", "2025-09-01") == D("2025-09-15")
    local_rule_set(actor=None, key="FEE-5-collection", value="20")
    assert due_on("FEE-5-collection", "2025-09-01") == D("2025-09-22")


def test_only_local_rules_can_be_set_and_bad_values_change_nothing():
    """Only LOCAL rules can be changed, within their range; a refused value changes nothing."""
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="PET-5", value=90)
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="ENR-3", value=0)
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="OVS-1-amber-share", value=2)
    with pytest.raises(ValidationError):
        local_rule_set(actor=None, key="FEE-5-collection", value="十四")
    assert not LocalRuleValue.objects.exists()
    assert clock_get("ENR-3").length == 7


# --- Opinion (hours) ------------------------------------------------------------------------


def test_opn1_hour_clocks_are_exact():
    """OPN-1: 48 hours; major incidents: information in 5 hours, statement in 24 hours; holidays count."""
    d = deadline("OPN-1", at("2025-09-30", 18, 30))
    assert d.due == at("2025-10-02", 18, 30)
    assert d.due_date == D("2025-10-02")
    assert d.provisional is False
    assert deadline("OPN-1-major-info", at("2025-09-30", 22, 0)).due == at("2025-10-01", 3, 0)
    assert deadline("OPN-1-major-info", at("2025-09-30", 22, 0)).due_date == D("2025-10-01")
    assert deadline("OPN-1-major-statement", at("2028-10-01", 9, 15)).due == at("2028-10-02", 9, 15)
    assert deadline("OPN-1-major-statement", at("2028-10-01", 9, 15)).provisional is False
    with pytest.raises(ValueError):
        deadline("OPN-1", at("2025-09-30"), extension=1)


# --- Funds ----------------------------------------------------------------------------------


def test_fnd3_transfers_within_30_or_60_days():
    """FND-3: general 30 days, special 60 days after the budget's approval."""
    # 30 days after 20 Jan 2026 is 19 Feb, in the Spring Festival holiday (15-23 Feb) -> Tue 24 Feb.
    assert due_on("FND-3-general", "2026-01-20") == D("2026-02-24")
    # 60 days is Sat 21 Mar -> Mon 23 Mar.
    assert due_on("FND-3-special", "2026-01-20") == D("2026-03-23")


# --- Enrollment (LOCAL) and CAL-1 years -------------------------------------------------------


def test_enr3_publication_7_days_on_admin_entered_2027(entered_2027):
    """ENR-3 (LOCAL) on the admin's 2027 notice: 7 days from Fri 24 Sep is 1 Oct (holiday) -> 8 Oct."""
    d = deadline("ENR-3", at("2027-09-24"))
    assert d.due_date == D("2027-10-08")
    assert d.provisional is False
    local_rule_set(actor=None, key="ENR-3", value=5)
    assert due_on("ENR-3", "2027-09-24") == D("2027-09-29")


def test_cal1_deadline_in_year_without_data_is_provisional():
    """CAL-1: 2027 without a notice and 2028: weekdays only, provisional."""
    d = deadline("ENR-3", at("2027-09-24"))
    assert d.due_date == D("2027-10-01")  # a Friday: no holiday known
    assert d.provisional is True
    d = deadline("PET-5", at("2028-03-01"))
    assert d.due_date == D("2028-05-01")  # 60 days: Sunday 30 Apr -> Monday 1 May on weekdays alone
    assert d.provisional is True
    assert deadline("PET-5", at("2026-12-20")).provisional is True  # crosses into 2027


def test_cal1_deadline_crossing_into_a_year_without_data_is_provisional(entered_2027):
    """CAL-1: entered 2027 is not provisional; a count that crosses into 2028 is."""
    assert deadline("PET-5", at("2026-12-20")).provisional is False
    d = deadline("FOI-3", at("2027-12-20"))
    assert d.due_date.year == 2028
    assert d.provisional is True


# --- OVS-1 ----------------------------------------------------------------------------------


def test_ovs1_rag_green_amber_red():
    """OVS-1: green while more than 30% of the time is left, amber at 30% or less, red when overdue."""
    start, due = at("2025-03-01", 0), at("2025-03-11", 0)  # 10 days allowed
    assert rag(start=start, due=due, now=start) == Rag.GREEN
    assert rag(start=start, due=due, now=at("2025-03-07", 23, 59)) == Rag.GREEN  # 30.07% left
    assert rag(start=start, due=due, now=at("2025-03-08", 0)) == Rag.AMBER  # exactly 30% left
    assert rag(start=start, due=due, now=due) == Rag.AMBER
    assert rag(start=start, due=due, now=due + timedelta(microseconds=1)) == Rag.RED
    assert rag(start=start, due=due, now=at("2025-03-05", 0), amber_share=0.7) == Rag.AMBER
    with pytest.raises(ValueError):
        rag(start=start, due=due, now=start, amber_share=1.5)


@given(
    allowed=st.integers(min_value=0, max_value=90 * 24 * 3600),
    offset=st.integers(min_value=-24 * 3600, max_value=100 * 24 * 3600),
    later=st.floats(min_value=0, max_value=1),
    share=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_ovs1_rag_keeps_its_colour_until_rag_changes_at(allowed: int, offset: int, later: float, share: float):
    """OVS-1: the colour at ``now`` holds at every moment before ``rag_changes_at`` (what a
    cached page may rely on) and is another one just after it; None once red for good."""
    start = at("2025-03-01", 0)
    due = start + timedelta(seconds=allowed)
    now = start + timedelta(seconds=offset)
    colour = rag(start=start, due=due, now=now, amber_share=share)
    changes = rag_changes_at(start=start, due=due, now=now, amber_share=share)
    if changes is None:
        assert colour == Rag.RED
        assert rag(start=start, due=due, now=now + timedelta(days=later * 365), amber_share=share) == Rag.RED
        return
    assert changes > now - timedelta(milliseconds=1)  # a millisecond early at most
    between = now + (changes - now) * later
    if between < changes:
        assert rag(start=start, due=due, now=between, amber_share=share) == colour
    assert rag(start=start, due=due, now=changes + timedelta(milliseconds=2), amber_share=share) != colour


def test_ovs1_amber_share_is_a_local_rule():
    """OVS-1 (LOCAL): the amber share is the LOCAL rule "OVS-1-amber-share"."""
    start, due = at("2025-03-01", 0), at("2025-03-11", 0)
    now = at("2025-03-06", 0)  # 50% left
    assert rag(start=start, due=due, now=now) == Rag.GREEN
    local_rule_set(actor=None, key="OVS-1-amber-share", value=0.5)
    assert rag(start=start, due=due, now=now) == Rag.AMBER
    assert rag(start=start, due=due, now=now, amber_share=0.3) == Rag.GREEN  # an explicit share wins


def test_ovs1_rag_on_a_real_deadline():
    """OVS-1 applied to a PET-5 deadline."""
    d = deadline("PET-5", at("2025-08-02"))
    assert rag(start=d.start, due=d.due, now=at("2025-08-20")) == Rag.GREEN
    assert rag(start=d.start, due=d.due, now=at("2025-10-08")) == Rag.AMBER
    assert rag(start=d.start, due=d.due, now=at("2025-10-10")) == Rag.RED


# --- Properties, 2024-2027 ------------------------------------------------------------------

STARTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 10, 31), timezones=st.just(SH))
DAY_CLOCKS = sorted(k for k, c in CLOCKS.items() if c.unit in (Unit.CALENDAR_DAYS, Unit.WORKING_DAYS))
CALENDAR_DAY_CLOCKS = sorted(k for k, c in CLOCKS.items() if c.unit == Unit.CALENDAR_DAYS)
WORKING_DAY_CLOCKS = sorted(k for k, c in CLOCKS.items() if c.unit == Unit.WORKING_DAYS)
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(rule_id=st.sampled_from(CALENDAR_DAY_CLOCKS), start=STARTS)
def test_cal2_property_calendar_day_deadlines_never_rest_day(entered_2027, rule_id, start):
    """CAL-2: a calendar-day deadline is never a rest day and never earlier than start + length."""
    d = deadline(rule_id, start)
    assert cal.is_working_day(d.due_date)
    assert d.due_date >= start.date() + timedelta(days=CLOCKS[rule_id].length)
    assert d.due > d.start


@PROPERTY_SETTINGS
@given(rule_id=st.sampled_from(WORKING_DAY_CLOCKS), start=STARTS)
def test_cal2_property_working_day_deadlines_count_exactly(entered_2027, rule_id, start):
    """CAL-2: a working-day deadline has exactly `length` working days after the start date."""
    d = deadline(rule_id, start)
    assert cal.is_working_day(d.due_date)
    assert cal.working_days_between(start.date(), d.due_date) == CLOCKS[rule_id].length


@PROPERTY_SETTINGS
@given(rule_id=st.sampled_from(DAY_CLOCKS), first=STARTS, gap=st.integers(min_value=0, max_value=40))
def test_cal2_property_deadline_monotone_in_start(entered_2027, rule_id, first, gap):
    """CAL-2: a later event never gets an earlier deadline."""
    second = first + timedelta(days=gap)
    assert deadline(rule_id, first).due_date <= deadline(rule_id, second).due_date


@PROPERTY_SETTINGS
@given(
    rule_id=st.sampled_from(DAY_CLOCKS),
    start=STARTS,
    offset=st.integers(min_value=-5, max_value=60),
    length=st.integers(min_value=0, max_value=20),
)
def test_cal2_property_pauses_never_shorten_a_deadline(entered_2027, rule_id, start, offset, length):
    """CAL-2: paused intervals never shorten a deadline."""
    first = start.date() + timedelta(days=offset)
    paused = [(first, first + timedelta(days=length))]
    assert deadline(rule_id, start, paused=paused).due_date >= deadline(rule_id, start).due_date


# --- Every clock across National Day 2025, against an independent oracle -----------------


def _oracle_due(clock: Clock, start: date, extension: int = 0) -> date:
    """The due date computed straight from the chinese_calendar package (CAL-1, CAL-2),
    independently of sunshine.core.calendar."""
    import chinese_calendar

    units = clock.length + extension
    if clock.unit == Unit.HOURS:
        return (datetime.combine(start, time(10), tzinfo=SH) + timedelta(hours=units)).date()
    if clock.unit == Unit.ANNUAL_DATE:
        return date(start.year + units, 1, 31)
    if clock.unit == Unit.CALENDAR_DAYS:
        due = start + timedelta(days=units)
        while not chinese_calendar.is_workday(due):  # a rest day, not a make-up working day
            due += timedelta(days=1)
        return due
    due, counted = start, 0
    while counted < units:
        due += timedelta(days=1)
        counted += chinese_calendar.is_workday(due)
    return due


NATIONAL_DAY_STARTS = [D("2025-09-20") + timedelta(days=i) for i in range(0, 24)]  # 20 Sep … 13 Oct


@pytest.mark.parametrize("rule_id", sorted(CLOCKS))
def test_every_clock_across_national_day_2025_and_its_makeup_days(rule_id):
    """CAL-1, CAL-2 and each clock of rules.md by rule ID, for every start from 20 Sep to
    13 Oct 2025: the holiday (1-8 Oct) and the make-up working days (Sun 28 Sep, Sat 11 Oct)."""
    clock = clock_get(rule_id)
    for start in NATIONAL_DAY_STARTS:
        got = deadline(rule_id, at(start.isoformat()))
        assert got.due_date == _oracle_due(clock, start), f"{rule_id} from {start}"
        assert got.provisional is False


def test_every_clock_id_fits_where_it_is_stored():
    """A clock ID is stored on supervisions: each one must fit the column."""
    from sunshine.core.models import Supervision

    width = Supervision._meta.get_field("rule_id").max_length
    assert all(len(rule_id) <= width for rule_id in CLOCKS)


def test_ovs1_score_rag_green_amber_red_on_the_default_lines():
    """OVS-1 (LOCAL): a scored evaluation is green at or above 90, amber at or above 70, red below."""
    assert [score_rag(s, period="2026-Q3") for s in (100, 90, 89.5, 70, 69)] == [
        Rag.GREEN,
        Rag.GREEN,
        Rag.AMBER,
        Rag.AMBER,
        Rag.RED,
    ]
    assert score_thresholds("2026-Q3") == ScoreThresholds(period="*", green_min=90, amber_min=70)


def test_ovs1_score_rag_thresholds_are_set_per_period():
    """OVS-1 (LOCAL): the lines of a period come from OVS-1-score-thresholds: the
    period's row, else its year's, else the default; explicit lines win."""
    local_rule_set(actor=None, key="OVS-1-score-thresholds", value="*, 90, 70\n2026, 80, 60\n2026-Q2, 95, 85")
    assert score_rag(82, period="2026-Q2") == Rag.RED
    assert score_rag(82, period="2026-Q3") == Rag.GREEN  # the year's row
    assert score_rag(82, period="2026") == Rag.GREEN
    assert score_rag(82, period="2025-Q3") == Rag.AMBER  # the default row
    strict = ScoreThresholds(period="2026-Q3", green_min=99, amber_min=98)
    assert score_rag(82, period="2026-Q3", thresholds=strict) == Rag.RED
