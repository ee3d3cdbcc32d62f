"""CAL-1 (the official calendar) and CAL-2 (counting), on real calendar data."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.core import calendar as cal
from sunshine.core.admin.calendar import CalendarDayAdmin, CalendarYearAdmin
from sunshine.core.models import AuditEntry, CalendarDay, CalendarYear
from sunshine.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = date.fromisoformat
HOLIDAY = CalendarDay.Kind.HOLIDAY
MAKEUP = CalendarDay.Kind.MAKEUP_WORKDAY

# A hypothetical 2027 notice, entered by the admin (the package stops at 2026).
NOTICE_2027 = "国办发明电〔2026〕9号"
HOLIDAYS_2027 = [D("2027-10-01") + timedelta(days=i) for i in range(7)]  # Fri 1 .. Thu 7 October
MAKEUP_2027 = [D("2027-09-26"), D("2027-10-09")]  # Sunday, Saturday


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test's transaction is rolled back without signals; start and end clean.
    cal.calendar_cache_clear()
    yield
    cal.calendar_cache_clear()


def enter_2027(*, with_year: bool = True) -> None:
    for d in HOLIDAYS_2027:
        CalendarDay.objects.create(date=d, kind=HOLIDAY, name="国庆节", source_document=NOTICE_2027)
    for d in MAKEUP_2027:
        CalendarDay.objects.create(date=d, kind=MAKEUP, name="国庆节调休", source_document=NOTICE_2027)
    if with_year:
        CalendarYear.objects.create(year=2027, document_number=NOTICE_2027, published_on=D("2026-11-10"))


@pytest.fixture
def entered_2027():
    enter_2027()


# --- CAL-1: the package years ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "makeup"),
    [
        # 2025 National Day: 1-8 October; make-up days Sun 28 September and Sat 11 October.
        ("2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
        # 2026 National Day: 1-7 October; make-up days Sun 20 September and Sat 10 October.
        ("2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
        # 2025 Spring Festival: 28 January - 4 February; Sun 26 January and Sat 8 February.
        ("2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
        # 2026 Spring Festival: 15-23 February; Sat 14 February and Sat 28 February.
        ("2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ],
)
def test_cal1_package_holidays_and_makeup_days(first, last, makeup):
    """CAL-1: holidays are rest days and 调休 weekends are working days, as in the package."""
    days = [D(first) + timedelta(days=i) for i in range((D(last) - D(first)).days + 1)]
    for d in days:
        assert not chinese_calendar.is_workday(d)  # the real data says so
        assert cal.is_rest_day(d)
        assert not cal.is_working_day(d)
    for raw in makeup:
        d = D(raw)
        assert d.weekday() >= 5
        assert chinese_calendar.is_workday(d)
        assert cal.is_working_day(d)
        assert not cal.is_rest_day(d)
    # The working days on either side of the holiday.
    assert cal.is_working_day(D(last) + timedelta(days=1)) == chinese_calendar.is_workday(D(last) + timedelta(days=1))


def test_cal1_ordinary_weekend_and_weekday():
    assert cal.is_working_day(D("2025-03-04"))  # Tuesday
    assert cal.is_rest_day(D("2025-03-08"))  # Saturday
    assert cal.is_rest_day(D("2025-03-09"))  # Sunday


def test_cal1_has_data_package_years_and_none_after():
    assert cal.has_data(2024)
    assert cal.has_data(2025)
    assert cal.has_data(2026)
    assert not cal.has_data(2027)
    assert not cal.has_data(2028)


def test_cal1_admin_entered_year_has_data_and_its_days(entered_2027):
    """CAL-1: the admin's 2027 notice gives holidays and make-up days for 2027."""
    assert cal.has_data(2027)
    assert not cal.has_data(2028)
    for d in HOLIDAYS_2027:
        assert cal.is_rest_day(d)
    for d in MAKEUP_2027:
        assert cal.is_working_day(d)
    assert cal.is_working_day(D("2027-10-08"))  # Friday after the holiday
    assert not cal.is_provisional(D("2027-01-01"), D("2027-12-31"))


def test_cal1_days_without_year_row_are_used_but_year_stays_provisional():
    """CAL-1: entered days count, but only a CalendarYear row makes the year 'have data'."""
    enter_2027(with_year=False)
    assert cal.is_rest_day(D("2027-10-01"))
    assert cal.is_working_day(D("2027-10-09"))
    assert not cal.has_data(2027)
    assert cal.is_provisional(D("2027-09-20"), D("2027-10-20"))


def test_cal1_year_without_data_uses_weekdays_and_is_provisional():
    """CAL-1: 2028 has no data: Monday-Friday are working days, and it is provisional."""
    assert cal.is_working_day(D("2028-10-02"))  # a Monday, surely a holiday in reality
    assert cal.is_rest_day(D("2028-10-07"))  # Saturday
    assert cal.is_provisional(D("2026-12-01"), D("2028-01-10"))
    assert cal.is_provisional(D("2028-01-10"), D("2026-12-01"))
    assert not cal.is_provisional(D("2025-12-01"), D("2026-12-31"))


def test_cal1_admin_day_overrides_the_package():
    """CAL-1: an admin-entered day wins over the package for the same date."""
    assert cal.is_working_day(D("2026-03-10"))
    CalendarDay.objects.create(date=D("2026-03-10"), kind=HOLIDAY, name="特别休假", source_document="X")
    assert cal.is_rest_day(D("2026-03-10"))
    CalendarDay.objects.create(date=D("2026-03-14"), kind=MAKEUP, name="补班", source_document="X")
    assert cal.is_working_day(D("2026-03-14"))


def test_cal1_makeup_day_must_be_a_weekend():
    day = CalendarDay(date=D("2027-03-10"), kind=MAKEUP, name="补班")
    with pytest.raises(ValidationError):
        day.full_clean()
    CalendarDay(date=D("2027-03-13"), kind=MAKEUP, name="补班").full_clean()


def test_cal1_lookups_are_cached_per_year(django_assert_max_num_queries, django_assert_num_queries):
    """CAL-1: a year costs two queries, however many days are asked about."""
    enter_2027()
    cal.calendar_cache_clear()
    with django_assert_max_num_queries(2):
        for i in range(2000):
            cal.is_working_day(D("2027-01-01") + timedelta(days=i % 365))
        cal.has_data(2027)
    with django_assert_num_queries(0):
        cal.add_working_days(D("2027-01-04"), 200)
    # A change of the data is seen at once (signal invalidation).
    CalendarDay.objects.filter(date=D("2027-10-01")).delete()  # queryset delete sends post_delete per object
    assert cal.is_working_day(D("2027-10-01"))
    CalendarYear.objects.get(year=2027).delete()
    assert not cal.has_data(2027)


def test_cal1_invalid_input_types():
    from datetime import datetime

    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2025, 1, 1))  # a datetime has a time zone question; pass a date
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(D("2025-01-01"), -1)
    with pytest.raises(ValueError, match="ends before"):
        cal.add_working_days(D("2025-01-01"), 3, paused=[(D("2025-01-05"), D("2025-01-04"))])


# --- CAL-2: counting ----------------------------------------------------------------------


def test_cal2_start_day_not_counted():
    """CAL-2: one working day after Monday is Tuesday; the start day is not counted."""
    assert cal.add_working_days(D("2025-03-03"), 1) == D("2025-03-04")
    assert cal.add_working_days(D("2025-03-03"), 0) == D("2025-03-03")
    assert cal.add_working_days(D("2025-03-07"), 1) == D("2025-03-10")  # Friday -> Monday


def test_cal2_working_days_across_national_day_2025():
    """CAL-2 on CAL-1 data: 30 Sep 2025 + 1 wd skips the holiday; + 3 wd lands on the 调休 Saturday."""
    assert cal.add_working_days(D("2025-09-30"), 1) == D("2025-10-09")
    assert cal.add_working_days(D("2025-09-30"), 3) == D("2025-10-11")
    assert cal.add_working_days(D("2025-09-26"), 1) == D("2025-09-28")  # Friday -> make-up Sunday
    assert cal.working_days_between(D("2025-09-30"), D("2025-10-11")) == 3
    assert cal.working_days_between(D("2025-10-11"), D("2025-09-30")) == -3
    assert cal.working_days_between(D("2025-10-01"), D("2025-10-08")) == 0


def test_cal2_working_days_across_admin_entered_2027(entered_2027):
    assert cal.add_working_days(D("2027-09-24"), 1) == D("2027-09-26")  # Friday -> make-up Sunday
    assert cal.add_working_days(D("2027-09-30"), 1) == D("2027-10-08")
    assert cal.add_working_days(D("2027-09-30"), 2) == D("2027-10-09")


def test_cal2_next_working_day_and_roll_forward():
    assert cal.next_working_day(D("2025-09-30")) == D("2025-10-09")
    assert cal.next_working_day(D("2025-10-10")) == D("2025-10-11")  # make-up Saturday
    assert cal.next_working_day(D("2025-03-04")) == D("2025-03-05")
    assert cal.working_day_on_or_after(D("2025-03-04")) == D("2025-03-04")
    assert cal.working_day_on_or_after(D("2025-10-03")) == D("2025-10-09")


def test_cal2_calendar_days_roll_forward_but_not_from_makeup_day():
    """CAL-2: a last day in the holiday moves to the first working day; a 调休 Saturday stays."""
    assert cal.add_calendar_days(D("2025-09-16"), 15) == D("2025-10-09")
    assert cal.add_calendar_days(D("2025-09-26"), 15) == D("2025-10-11")
    assert cal.add_calendar_days(D("2025-03-03"), 5) == D("2025-03-10")  # Saturday 8 -> Monday 10


def test_cal2_paused_days_not_counted():
    """CAL-2: paused intervals (inclusive) do not count."""
    # Working days: pause Tue 4 - Wed 5 March 2025; 3 wd after Mon 3 are Thu, Fri, Mon.
    assert cal.add_working_days(D("2025-03-03"), 3, paused=[(D("2025-03-04"), D("2025-03-05"))]) == D("2025-03-10")
    # Calendar days: two paused days push 5 days from Mon 3 (Sat 8 -> Mon 10) to Mon 10.
    assert cal.add_calendar_days(D("2025-03-03"), 5, paused=[(D("2025-03-04"), D("2025-03-05"))]) == D("2025-03-10")
    assert cal.add_calendar_days(D("2025-03-03"), 7, paused=[(D("2025-03-04"), D("2025-03-05"))]) == D("2025-03-12")
    # A pause entirely before the start changes nothing.
    assert cal.add_working_days(D("2025-03-03"), 3, paused=[(D("2025-02-01"), D("2025-03-03"))]) == D("2025-03-06")


# --- CAL-1: import of a notice ----------------------------------------------------------


def _csv(tmp_path, text):
    path = tmp_path / "notice.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_CSV = (
    "date,kind,name\n"
    + "".join(f"{d.isoformat()},holiday,国庆节\n" for d in HOLIDAYS_2027)
    + "2027-09-26,makeup_workday,国庆节调休\n2027-10-09,makeup_workday,国庆节调休\n"
)


def test_cal1_import_command_writes_year_days_and_audit(tmp_path):
    admin_user = UserFactory(username="caladmin")
    call_command(
        "calendar_import",
        str(_csv(tmp_path, GOOD_CSV)),
        year=2027,
        document=NOTICE_2027,
        published_on="2026-11-10",
        actor="caladmin",
    )
    year = CalendarYear.objects.get(year=2027)
    assert year.document_number == NOTICE_2027
    assert year.published_on == D("2026-11-10")
    assert year.entered_by == admin_user
    assert CalendarDay.objects.filter(date__year=2027, kind=HOLIDAY).count() == 7
    assert CalendarDay.objects.filter(date__year=2027, kind=MAKEUP).count() == 2
    assert set(CalendarDay.objects.values_list("source_document", flat=True)) == {NOTICE_2027}
    entry = AuditEntry.objects.get(action="core.calendar_year_import")
    assert entry.actor == admin_user
    assert entry.data["holidays"] == 7
    assert entry.data["makeup_workdays"] == 2
    # The calendar sees it at once.
    assert cal.has_data(2027)
    assert cal.is_rest_day(D("2027-10-04"))
    assert cal.is_working_day(D("2027-10-09"))


def test_cal1_import_command_reports_every_bad_row_and_writes_nothing(tmp_path):
    bad = (
        "date,kind,name\n"
        "2027-10-01,holiday,国庆节\n"  # line 2: fine
        "2027-13-01,holiday,国庆节\n"  # line 3: not a date
        "2026-10-02,holiday,国庆节\n"  # line 4: wrong year
        "2027-10-03,vacation,国庆节\n"  # line 5: unknown kind
        "2027-10-01,holiday,国庆节\n"  # line 6: duplicate of line 2
        "2027-10-11,makeup_workday,补班\n"  # line 7: a Monday cannot be a make-up day
        "2027-10-12,holiday\n"  # line 8: two columns
    )
    path = _csv(tmp_path, bad)
    with pytest.raises(CommandError) as parse_error:
        call_command("calendar_import", str(path), year=2027, document=NOTICE_2027)
    assert "Row 3" in str(parse_error.value)
    assert "Row 8" in str(parse_error.value)
    # Parse errors fixed, the row checks of the service remain.
    path = _csv(tmp_path, "\n".join(bad.splitlines()[:2] + bad.splitlines()[3:7]) + "\n")
    with pytest.raises(CommandError) as row_error:
        call_command("calendar_import", str(path), year=2027, document=NOTICE_2027)
    message = str(row_error.value)
    assert "Row 3" in message  # the wrong year (now on line 3)
    assert "Row 4" in message  # the unknown kind
    assert "Row 5" in message and "row 2" in message  # the duplicate
    assert "Row 6" in message  # the weekday make-up day
    assert "Row 2:" not in message
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action="core.calendar_year_import").exists()


def test_cal1_import_refuses_an_entered_year_unless_replace(tmp_path):
    enter_2027()
    path = _csv(tmp_path, "2027-05-03,holiday,劳动节\n")
    with pytest.raises(CommandError, match="already entered"):
        call_command("calendar_import", str(path), year=2027, document="新文号")
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    call_command("calendar_import", str(path), year=2027, document="新文号", replace=True)
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D("2027-05-03")]
    assert CalendarYear.objects.get(year=2027).document_number == "新文号"
    assert cal.is_working_day(D("2027-10-04"))  # the old holiday is gone
    assert cal.is_rest_day(D("2027-05-03"))
    assert AuditEntry.objects.get(action="core.calendar_year_import").data["replaced_days"] == 9


def test_cal1_import_service_validates_directly():
    with pytest.raises(ValidationError):
        cal.calendar_year_import(actor=None, year=2027, document_number="X", rows=[])
    with pytest.raises(ValidationError):
        cal.calendar_year_import(
            actor=None,
            year=2027,
            document_number="  ",
            rows=[cal.CalendarDayRow(line=1, date=D("2027-05-03"), kind=HOLIDAY, name="劳动节")],
        )
    year = cal.calendar_year_import(
        actor=None,
        year=2027,
        document_number="X",
        rows=[cal.CalendarDayRow(line=1, date=D("2027-05-03"), kind=HOLIDAY, name="劳动节")],
    )
    assert year.entered_by is None
    assert CalendarDay.objects.get().created_by is None


# --- CAL-1: the admin --------------------------------------------------------------------


def test_cal1_admin_registers_both_models_and_records_who_entered():
    assert isinstance(admin.site._registry[CalendarDay], CalendarDayAdmin)
    assert isinstance(admin.site._registry[CalendarYear], CalendarYearAdmin)
    user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = user
    day = CalendarDay(date=D("2027-10-01"), kind=HOLIDAY, name="国庆节", source_document=NOTICE_2027)
    admin.site._registry[CalendarDay].save_model(request, day, form=None, change=False)
    assert CalendarDay.objects.get().created_by == user
    year = CalendarYear(year=2027, document_number=NOTICE_2027)
    admin.site._registry[CalendarYear].save_model(request, year, form=None, change=False)
    assert CalendarYear.objects.get().entered_by == user
    assert admin.site._registry[CalendarYear].day_count(year) == 1
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "core.calendar_day_create",
        "core.calendar_year_create",
    }
    assert cal.has_data(2027)
    admin.site._registry[CalendarDay].delete_model(request, day)
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="core.calendar_day_delete").exists()


# --- Properties, 2024-2027 ------------------------------------------------------------------

DAYS = st.dates(min_value=D("2024-01-01"), max_value=D("2027-12-31"))
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(start=DAYS, n=st.integers(min_value=1, max_value=60))
def test_cal2_property_add_working_days(entered_2027, start, n):
    """CAL-2: the result is a working day, after the start, with exactly n working days in (start, result]."""
    result = cal.add_working_days(start, n)
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
    assert cal.working_days_between(start, result - timedelta(days=1)) == n - 1


@PROPERTY_SETTINGS
@given(
    start=DAYS,
    n=st.integers(min_value=1, max_value=40),
    offset=st.integers(min_value=-10, max_value=40),
    length=st.integers(min_value=0, max_value=20),
)
def test_cal2_property_pauses_never_shorten(entered_2027, start, n, offset, length):
    """CAL-2: a paused interval never makes a period shorter; paused working days are not counted."""
    first = start + timedelta(days=offset)
    paused = [(first, first + timedelta(days=length))]
    plain = cal.add_working_days(start, n)
    with_pause = cal.add_working_days(start, n, paused=paused)
    assert with_pause >= plain
    counted = [
        start + timedelta(days=i)
        for i in range(1, (with_pause - start).days + 1)
        if cal.is_working_day(start + timedelta(days=i)) and not first <= start + timedelta(days=i) <= paused[0][1]
    ]
    assert len(counted) == n
    assert cal.add_calendar_days(start, n, paused=paused) >= cal.add_calendar_days(start, n)


@PROPERTY_SETTINGS
@given(start=DAYS, n=st.integers(min_value=1, max_value=120))
def test_cal2_property_calendar_days_end_on_working_day(entered_2027, start, n):
    """CAL-2: a calendar-day period ends on a working day, never before start + n days,
    and moves only across rest days."""
    result = cal.add_calendar_days(start, n)
    nominal = start + timedelta(days=n)
    assert cal.is_working_day(result)
    assert result >= nominal
    assert all(cal.is_rest_day(nominal + timedelta(days=i)) for i in range((result - nominal).days))
