"""The figures registry: one registration per key, periods in Asia/Shanghai, values that
carry their parts, organisation scoping, and ``manage.py figures`` in JSON and Excel."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import override
from openpyxl import load_workbook

from sunshine.core import figures as registry
from sunshine.core.figures import (
    FigureValue,
    Period,
    Unit,
    breakdowns_registered,
    figure_value,
    figures_registered,
    register_figure,
)
from sunshine.orgs.models import Organization
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory

SH = ZoneInfo("Asia/Shanghai")


def _schools_of(period: Period, organization: Organization) -> FigureValue:
    everything = Organization.objects.filter(path__startswith=organization.path)
    return FigureValue.rate(everything.filter(kind=Organization.Kind.SCHOOL).count(), everything.count())


@pytest.fixture
def testing_figures():
    """Two figures of a pretend app, counted on organisations (known answers)."""
    register_figure(
        key="testing.schools_share",
        label="Schools among organisations",
        unit=Unit.PERCENT,
        numerator="schools",
        denominator="organisations",
        compute=_schools_of,
        order=1,
    )
    register_figure(
        key="testing.money",
        label="Money",
        unit=Unit.YUAN,
        numerator="a fixed sum",
        compute=lambda period, organization: FigureValue.count(123456),
        order=2,
    )
    yield
    registry._unregister("testing.schools_share")
    registry._unregister("testing.money")


@pytest.fixture
def tree(db):
    bureau = BureauFactory(code="FIG", name="示范区教育局")
    DepartmentFactory(parent=bureau, code="FIG-D")
    school = SchoolFactory(parent=bureau, code="FIG-S1", name="第一小学")
    SchoolFactory(parent=bureau, code="FIG-S2")
    other = BureauFactory(code="OTHER")
    SchoolFactory(parent=other)
    return bureau, school


def test_every_app_registers_its_figures_once():
    keys = [f.key for f in figures_registered()]
    assert len(keys) == len(set(keys))
    for key in (
        "petitions.received",
        "petitions.accepted_on_time_rate",
        "petitions.closed_on_time_rate",
        "petitions.closure_rate",
        "petitions.rating_participation_rate",
        "petitions.satisfaction_rate",
        "fees.findings_confirmed",
        "fees.refunds_ordered",
        "fees.schools_vetoed",
        "disclosure.published",
        "disclosure.published_on_time_rate",
        "disclosure.foi_received",
        "disclosure.foi_on_time_rate",
        "disclosure.inspection_average",
        "opinion.events",
        "opinion.responded_on_time_rate",
    ):
        assert key in keys
    for figure in figures_registered():
        assert str(figure.label) and str(figure.numerator)
        if figure.unit == Unit.PERCENT:
            assert str(figure.denominator), figure.key


def test_registry_refuses_a_duplicate_key_and_a_rate_without_denominator(testing_figures):
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        register_figure(key="testing.money", label="Again", unit=Unit.CASES, numerator="x", compute=_schools_of)
    with pytest.raises(ImproperlyConfigured, match="denominator"):
        register_figure(key="testing.rate", label="Rate", unit=Unit.PERCENT, numerator="x", compute=_schools_of)
    with pytest.raises(ImproperlyConfigured):
        register_figure(key="nodot", label="No app", unit=Unit.CASES, numerator="x", compute=_schools_of)
    with pytest.raises(KeyError):
        registry.figure_get("testing.unknown")
    assert registry.figure_get("testing.money").label == "Money"  # the first registration stands


def test_periods_are_shanghai_days():
    as_of = datetime(2026, 6, 1, tzinfo=SH)
    year = Period.year(2026, as_of=as_of)
    assert year.start == datetime(2026, 1, 1, tzinfo=SH) and year.end == datetime(2027, 1, 1, tzinfo=SH)
    assert (year.first_day, year.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    q4 = Period.quarter(2026, 4, as_of=as_of)
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    feb = Period.month(2028, 2, as_of=as_of)
    assert feb.last_day == date(2028, 2, 29)
    assert Period.of(2026, quarter=2, as_of=as_of) == Period.quarter(2026, 2, as_of=as_of)
    assert Period.of(2026, month=3, as_of=as_of) == Period.month(2026, 3, as_of=as_of)
    with pytest.raises(ValueError):
        Period.of(2026, quarter=1, month=1)
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)
    with pytest.raises(ValueError):
        Period(datetime(2026, 1, 1), datetime(2026, 2, 1), as_of)


def test_values_carry_their_parts():
    assert FigureValue.rate(2, 3) == FigureValue(value=66.7, numerator=2, denominator=3)
    assert FigureValue.rate(0, 0).value is None  # a rate of nothing is not 0 %
    assert FigureValue.count(7) == FigureValue(value=7, numerator=7)
    assert FigureValue.average(10.0, 4) == FigureValue(value=2.5, numerator=10.0, denominator=4)


def test_scoping_by_organisation_and_display(tree, testing_figures):
    """A bureau counts its whole tree, a school itself; money is shown in yuan."""
    bureau, school = tree
    period = Period.year(2026)
    share = figure_value("testing.schools_share", period=period, organization=bureau)
    assert (share.value, share.numerator, share.denominator) == (50.0, 2, 4)
    own = figure_value("testing.schools_share", period=period, organization=school)
    assert (own.numerator, own.denominator) == (1, 1)
    money = figure_value("testing.money", period=period, organization=bureau)
    assert money.value == 1234.56 and money.numerator == 1234.56 and money.denominator is None
    with override("zh-hans"):
        assert money.display == "1,234.56元"
        assert share.display == "50.0%"
        assert share.definition == "schools ÷ organisations"


@pytest.mark.usefixtures("tree", "testing_figures")
def test_command_json():
    out = StringIO()
    call_command("figures", "--year", "2026", "--org", "FIG", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["organization"]["code"] == "FIG"
    assert document["period"]["first_day"] == "2026-01-01" and document["period"]["last_day"] == "2026-12-31"
    rows = {row["key"]: row for row in document["figures"]}
    assert set(rows) == {f.key for f in figures_registered()}
    assert rows["testing.schools_share"] == {
        "key": "testing.schools_share",
        "label": "Schools among organisations",
        "unit": "%",
        "value": 50.0,
        "numerator": 2,
        "denominator": 4,
        "definition": "schools ÷ organisations",
    }
    assert rows["petitions.received"]["value"] == 0
    assert rows["petitions.closure_rate"]["value"] is None
    splits = {b["key"]: b for b in document["breakdowns"]}
    assert set(splits) == {b.key for b in breakdowns_registered()}
    assert {r["label"]: r["values"] for r in splits["petitions.by_channel"]["rows"]}["web form"] == [0]
    out = StringIO()
    call_command("figures", "--year", "2026", "--quarter", "3", "--org", "FIG-S1", "--prefix", "testing.", stdout=out)
    document = json.loads(out.getvalue())
    assert document["period"]["first_day"] == "2026-07-01"
    assert [row["key"] for row in document["figures"]] == ["testing.schools_share", "testing.money"]
    assert document["figures"][0]["denominator"] == 1


@pytest.mark.usefixtures("tree", "testing_figures")
def test_command_xlsx_opens_with_the_values(tmp_path):
    target = tmp_path / "figures.xlsx"
    with override("zh-hans"):
        call_command(
            "figures",
            "--year",
            "2026",
            "--month",
            "2",
            "--org",
            "FIG",
            "--format",
            "xlsx",
            "--out",
            str(target),
            stdout=StringIO(),
        )
    sheet = load_workbook(target).active
    assert "示范区教育局" in sheet["A1"].value and "2026-02-01" in sheet["A1"].value
    headers = [cell.value for cell in sheet[2]]
    assert headers == ["代码", "指标", "单位", "数值", "分子", "分母", "口径"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["testing.schools_share"][3:6] == (50.0, 2, 4)
    assert rows["testing.money"][2:4] == ("元", 1234.56)
    assert len(rows) == len(figures_registered())
    book = load_workbook(target)
    assert len(book.sheetnames) == 1 + len(breakdowns_registered())
    with override("zh-hans"):
        by_channel = next(b for b in breakdowns_registered() if b.key == "petitions.by_channel")
        named = str(by_channel.label)
    channels = book[named]  # a sheet is named as a person reads the breakdown, never by its key
    assert not any(name.isascii() for name in book.sheetnames)
    assert channels["A1"].value == "petitions.by_channel" and channels["B3"].value == 0


@pytest.mark.django_db
def test_command_refuses_an_unknown_organisation_in_chinese():
    with override("zh-hans"), pytest.raises(CommandError, match="没有代码为 NOPE 的单位"):
        call_command("figures", "--year", "2026", "--org", "NOPE", stdout=StringIO())


def test_command_exits_non_zero_for_an_unknown_organisation(db, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "figures", "--year", "2026", "--org", "NOPE"]).execute()
    assert exit_info.value.code != 0
    assert "NOPE" in capsys.readouterr().err


# --- LocalDate and Elapsed: the same day and duration as Django's own, by the database's builtins ---


@pytest.mark.django_db
def test_local_date_is_the_shanghai_day_even_across_midnight_and_old_summer_time():
    from django.db.models import DateTimeField, Value
    from django.db.models.functions import TruncDate

    from sunshine.core.figures import LocalDate

    BureauFactory()
    utc = ZoneInfo("UTC")
    moments = [
        (datetime(2026, 3, 1, 15, 30, tzinfo=utc), date(2026, 3, 1)),  # 23:30 in Shanghai
        (datetime(2026, 3, 1, 16, 0, tzinfo=utc), date(2026, 3, 2)),  # midnight in Shanghai
        (datetime(2026, 12, 31, 16, 0, 0, 1, tzinfo=utc), date(2027, 1, 1)),
        (datetime(1988, 7, 1, 15, 30, tzinfo=utc), date(1988, 7, 2)),  # summer time then: UTC+9
    ]
    for moment, day in moments:
        value = Value(moment, output_field=DateTimeField())
        row = Organization.objects.annotate(
            mine=LocalDate(value), django=TruncDate(value, tzinfo=ZoneInfo("Asia/Shanghai"))
        ).values_list("mine", "django")[0]
        assert row == (day, day), moment


@pytest.mark.django_db
def test_elapsed_counts_every_microsecond_like_djangos_subtraction():
    from datetime import timedelta

    from django.db.models import DateTimeField, DurationField, ExpressionWrapper, Value

    from sunshine.core.figures import Elapsed

    BureauFactory()
    utc = ZoneInfo("UTC")
    start = datetime(2026, 1, 31, 23, 59, 59, tzinfo=utc)  # stored without a fraction
    for end, spent in [
        (datetime(2026, 2, 3, 0, 0, 4, 250, tzinfo=utc), timedelta(days=2, seconds=5, microseconds=250)),
        (datetime(2026, 1, 31, 23, 59, 58, 999999, tzinfo=utc), timedelta(microseconds=-1)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=utc), datetime(2026, 12, 31, 16, 0, tzinfo=utc) - start),
    ]:
        e, s = Value(end, output_field=DateTimeField()), Value(start, output_field=DateTimeField())
        row = Organization.objects.annotate(
            mine=Elapsed(e, s), django=ExpressionWrapper(e - s, output_field=DurationField())
        ).values_list("mine", "django")[0]
        assert row == (spent, spent), end


def test_one_formatter_reads_values_and_their_parts_by_unit():
    from django.utils import translation

    from sunshine.core.figures import Breakdown, Series, number_display

    with translation.override("zh-hans"):
        assert number_display(502900.0, Unit.YUAN) == "502,900.00元"
        assert number_display(502900.0, Unit.YUAN, with_unit=False) == "502,900.00"
        assert number_display(1204, Unit.PERCENT, with_unit=False) == "1,204"
        assert number_display(66.66, Unit.PERCENT) == "66.7%"
        assert number_display(12, Unit.PEOPLE) == "12人" and number_display(None, Unit.CASES) == "—"
        unnamed = Breakdown(
            key="x.y", label="甲", unit=Unit.CASES, dimension="学校", compute=lambda p, o: [],
            series=(Series("a", "收到"), Series("b", "办结")),
        )  # fmt: skip
        assert unnamed.explained == "按学校分列的收到、办结"
        assert Breakdown(**{**unnamed.__dict__, "definition": "本期各校收到与办结的件数"}).explained == (
            "本期各校收到与办结的件数"
        )


@pytest.mark.django_db(transaction=True)
def test_groups_of_figures_are_computed_side_by_side_each_on_its_own_connection(monkeypatch):
    """``figures_side_by_side``: outside a transaction each key is computed in a thread
    of its own, on its own database connection, in the caller's language and time zone,
    and the results come back in the keys' order; inside a transaction (a write under
    way) one after the other on the caller's connection, which alone sees the write."""
    import threading

    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.translation import gettext

    monkeypatch.setattr(registry, "FIGURES_THREADS", 2)
    bureau = BureauFactory(code="SIDE-B")
    SchoolFactory(parent=bureau, code="SIDE-S1")
    SchoolFactory(parent=bureau, code="SIDE-S2")
    caller = threading.current_thread().name
    started = threading.Barrier(2, timeout=10)

    def compute(code: str) -> tuple[str, int, str, str, bool]:
        if code != "SIDE-B":
            started.wait()  # the two schools' keys only pass when both run at once
        return (
            threading.current_thread().name,
            Organization.objects.filter(code=code).count(),
            gettext("Letters received"),
            str(timezone.get_current_timezone()),
            connection.in_atomic_block,
        )

    with override("zh-hans"), timezone.override(ZoneInfo("Asia/Shanghai")):
        side = registry.figures_side_by_side(["SIDE-S1", "SIDE-S2", "SIDE-B"], compute)
    assert [counted for _name, counted, *_rest in side] == [1, 1, 1]
    assert all(name.startswith("figures") and name != caller for name, *_rest in side)
    assert {label for _n, _c, label, _z, _a in side} == {"收到来信"}
    assert {zone for _n, _c, _l, zone, _a in side} == {"Asia/Shanghai"}

    with transaction.atomic():
        SchoolFactory(parent=bureau, code="SIDE-NEW")
        inside = registry.figures_side_by_side(
            ["SIDE-NEW", "SIDE-NEW"],
            lambda code: (threading.current_thread().name, Organization.objects.filter(code=code).count()),
        )
    assert inside == [(caller, 1), (caller, 1)]
