"""Reports: the annual summary is written from the registry (every number equal to the
figure, with its provenance, no blank left), re-issued with what changed; the dashboard
shows a section per mechanism with the figures, as of a snapshot, with its drill-down
and downloads; the open figures page, CSV, Excel and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from sunshine.core import figures as registry
from sunshine.core.actors import SYSTEM
from sunshine.core.figures import FigureValue, Period, Unit, figure_value, figures_snapshot, register_figure
from sunshine.core.models import IssuedDocument
from sunshine.core.testing import District
from sunshine.core.tests.docx_parts import NS, Package, chart_series, workbook_range
from sunshine.orgs.models import Role
from sunshine.reports import summary as summary_module
from sunshine.reports.summary import SUMMARY_DOCUMENT, summary_issue, summary_narrative_save

SH = ZoneInfo("Asia/Shanghai")
COUNTER = {"n": 5}


@pytest.fixture
def district(db):
    return District()


@pytest.fixture
def counter(monkeypatch):
    """A figure of a pretend mechanism whose value the test changes."""
    COUNTER["n"] = 5
    register_figure(
        key="zzcheck.count",
        label="核查件数",
        unit=Unit.CASES,
        numerator="核查的件数",
        compute=lambda period, organization: FigureValue.count(COUNTER["n"]),
    )
    sections = (*summary_module.SECTIONS[:-1], (*summary_module.SECTIONS[-1][:2], ("zzcheck.count",)))
    monkeypatch.setattr(summary_module, "SECTIONS", sections)
    yield
    registry._unregister("zzcheck.count")


def _docx(document: IssuedDocument) -> Document:
    with document.file.file.open("rb") as fh:
        return Document(io.BytesIO(fh.read()))


def _text(doc: Document) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.django_db
def test_the_annual_summary_is_filled_from_the_registry_with_provenance(district, counter):
    bureau = district.bureau
    summary_narrative_save(
        bureau=bureau, year=2026, narrative={"education": "开展廉洁从教专题教育。"}, actor=district.user(Role.LEADER)
    )
    document = summary_issue(bureau=bureau, year=2026, actor=district.user(Role.LEADER))
    assert document.kind == SUMMARY_DOCUMENT and re.search(r"〔2026〕\d+号", document.number)
    doc = _docx(document)
    text = _text(doc)
    for heading in ("强化教育", "强化制度", "强化氛围", "强化监督", "信访案件查处", "加强组织领导", "强化监督检查"):
        assert heading in text
    assert "开展廉洁从教专题教育。" in text
    # The seeds' sentence, with every blank filled: the numbers are the registry's.
    period = Period.year(2026)
    received = figure_value("petitions.received", period=period, organization=bureau)
    closed = figure_value("petitions.closed", period=period, organization=bureau)
    assert f"今年共接到信访件{received.value:,}件，办结{closed.value:,}件，办结率" in text
    assert not re.search(r"[件,，]\s+件", text)
    assert document.figures["petitions.received"] == received.measured.value
    assert document.figures["zzcheck.count"] == 5
    assert document.figures["narrative"]["education"] == "开展廉洁从教专题教育。"
    # Every number carries its provenance as a comment: the key, the period, the snapshot.
    comments = [c.text for c in doc.comments]
    assert any("petitions.received" in c and "2026-01-01至2026-12-31" in c and "快照时间" in c for c in comments)
    assert any("zzcheck.count" in c for c in comments)
    # No English word reaches the reader outside the provenance comments.
    assert not re.search(r"[A-Za-z]{3,}", text.replace("Excel", ""))


@pytest.fixture
def charted(monkeypatch):
    """A section with a rate, two counts and a rate with no value, to be charted."""
    values = {"zzchart.rate": FigureValue.rate(7, 8), "zzchart.none": FigureValue.rate(0, 0)}
    values |= {"zzchart.cases": FigureValue.count(1234), "zzchart.schools": FigureValue.count(3)}
    for key, label, unit in (
        ("zzchart.rate", "核查按期率", Unit.PERCENT),
        ("zzchart.none", "无分母比率", Unit.PERCENT),
        ("zzchart.cases", "核查件数", Unit.CASES),
        ("zzchart.schools", "核查学校", Unit.SCHOOLS),
    ):
        register_figure(
            key=key,
            label=label,
            unit=unit,
            numerator="分子",
            denominator="分母" if unit == Unit.PERCENT else "",
            compute=lambda period, organization, key=key: values[key],
        )
    section = (*summary_module.SECTIONS[-1][:2], tuple(values))
    monkeypatch.setattr(summary_module, "SECTIONS", (*summary_module.SECTIONS[:-1], section))
    yield
    for key in values:
        registry._unregister(key)


@pytest.mark.django_db
def test_each_section_draws_its_rates_and_counts_as_editable_word_charts(district, charted):
    """Issue #18: native charts (cached values, embedded workbook) beside the table."""
    document = summary_issue(bureau=district.bureau, year=2026, actor=district.user(Role.LEADER))
    with document.file.file.open("rb") as fh:
        package = Package(fh.read())
    charts = {chart.findtext(".//c:title//a:t", namespaces=NS): (chart, book) for _n, chart, book in package.charts()}
    rate_chart, rate_book = charts["强化监督检查：主要比率"]
    count_chart, count_book = charts["强化监督检查：主要数量"]
    # One bar per rate with a value (the one with no denominator is in the table only).
    [rates] = chart_series(rate_chart)
    assert rates["categories"] == ["核查按期率"] and rates["values"] == [87.5]
    assert document.figures["zzchart.rate"] == 87.5
    [counts] = chart_series(count_chart)
    assert counts["categories"] == ["核查件数（件）", "核查学校（所）"] and counts["values"] == [1234.0, 3.0]
    for book_name, series in ((rate_book, rates), (count_book, counts)):
        book = load_workbook(io.BytesIO(package.zip.read(book_name)))
        assert [float(v) for v in workbook_range(book, series["values_f"])] == series["values"]
        assert workbook_range(book, series["categories_f"]) == series["categories"]
    # The table of figures and the provenance comments stay.
    doc = _docx(document)
    assert "无分母比率" in _text(doc) and "87.5%" in _text(doc)
    assert any("zzchart.rate" in c.text for c in doc.comments)


@pytest.mark.django_db
def test_writing_it_again_keeps_the_number_and_lists_what_changed(district, counter):
    bureau = district.bureau
    first = summary_issue(bureau=bureau, year=2026, actor=district.user(Role.DEPARTMENT_STAFF))
    COUNTER["n"] = 9
    second = summary_issue(bureau=bureau, year=2026, actor=district.user(Role.LEADER))
    assert second.number == first.number and second.version == 2
    first.refresh_from_db()
    assert first.superseded_at is not None
    text = _text(_docx(second))
    assert "与上次印发版本相比的变化" in text
    assert "核查件数：由5件变为9件。" in text
    page = district.client(Role.LEADER).get(reverse("reports:summary"), {"year": 2026}).content.decode()
    assert "核查件数：由5件变为9件" in page
    third = summary_issue(bureau=bureau, year=2026, actor=SYSTEM)
    assert "数据没有变化" in _text(_docx(third))


@pytest.mark.django_db
def test_only_the_bureau_writes_the_summary(district):
    from django.core.exceptions import PermissionDenied

    for who in (Role.PRINCIPAL, Role.SYSTEM_ADMIN, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            summary_issue(bureau=district.bureau, year=2026, actor=district.user(who))
    assert not IssuedDocument.objects.exists()


@pytest.mark.django_db
def test_the_command_writes_the_docx(district, tmp_path):
    out = tmp_path / "summary.docx"
    call_command("report_annual_summary", "--year", "2026", "--out", str(out), stdout=io.StringIO())
    assert "信访案件查处" in _text(Document(str(out)))
    assert IssuedDocument.objects.filter(kind=SUMMARY_DOCUMENT).count() == 1


@pytest.mark.django_db
def test_the_dashboard_shows_each_mechanism_with_its_table_drilldown_and_chart_data(district):
    client = district.client(Role.LEADER)
    response = client.get(reverse("reports:dashboard"), {"org": district.bureau.pk, "year": 2026})
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("信访举报", "政务公开", "网络舆情"):
        assert name in page
    assert reverse("petitions:workbench") in page  # the drill-down to the records
    assert 'id="report-charts" type="application/json"' in page
    assert "<script>" not in page  # charts from a file, data in a JSON block
    received = figure_value("petitions.received", period=Period.year(2026), organization=district.bureau)
    assert received.label in page
    chart = client.get(reverse("reports:chart", args=["petitions"]), {"org": district.bureau.pk, "year": 2026})
    data = chart.json()
    assert data["labels"] and {f["key"] for f in data["figures"]} >= {"petitions.received"}
    xlsx = client.get(
        reverse("reports:chart", args=["fees"]), {"org": district.bureau.pk, "year": 2026, "format": "xlsx"}
    )
    fees = client.get(reverse("reports:chart", args=["fees"]), {"org": district.bureau.pk, "year": 2026}).json()
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("指标", "数值")
    assert [r[0] for r in rows[1:]] == [f["label"] for f in fees["figures"]]


@pytest.mark.django_db
def test_the_dashboard_as_of_a_past_day_shows_the_snapshot(district, counter):
    period = Period.year(2026)
    day = datetime(2026, 6, 1, 23, 0, tzinfo=SH)
    figures_snapshot(period=period, organization=district.bureau, prefix="zzcheck.", taken_at=day)
    COUNTER["n"] = 42
    client = district.client(Role.LEADER)
    url = reverse("reports:chart", args=["zzcheck"])
    now = client.get(url, {"org": district.bureau.pk, "year": 2026}).json()
    then = client.get(url, {"org": district.bureau.pk, "year": 2026, "as_of": "2026-06-01"}).json()
    assert now["values"] == [42]
    assert then["values"] == [5]
    before = client.get(url, {"org": district.bureau.pk, "year": 2026, "as_of": "2026-05-31"})
    assert before.status_code == 404  # nothing was kept by then: no section
    page = client.get(reverse("reports:dashboard"), {"org": district.bureau.pk, "year": 2026, "as_of": "2026-05-31"})
    assert "该日之前没有保存统计数据快照" in page.content.decode()


@pytest.mark.django_db
def test_a_principal_sees_their_school_only(district):
    client = district.client(Role.PRINCIPAL)
    page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200 and district.school.name in page.content.decode()
    assert district.other_school.name not in page.content.decode()
    assert client.get(reverse("reports:dashboard"), {"org": district.bureau.pk}).status_code == 404
    # No drill-down to a workbench the principal's menu does not offer (opinion monitoring).
    assert reverse("opinion:workbench") not in page.content.decode()


@pytest.mark.django_db
def test_bad_period_input_is_a_message_not_an_error(district):
    client = district.client(Role.LEADER)
    response = client.get(reverse("reports:dashboard"), {"year": "abc", "quarter": "2", "month": "5"})
    assert response.status_code == 200
    both = client.get(reverse("reports:dashboard"), {"year": "2026", "quarter": "2", "month": "5"})
    assert "季度和月份只能选择一项" in both.content.decode()


@pytest.mark.django_db
def test_open_figures_page_csv_excel_and_api(district, client):
    page = client.get(reverse("reports:statistics"), {"year": 2026})
    text = page.content.decode()
    closure = figure_value("petitions.closure_rate", period=Period.year(2026), organization=district.bureau)
    assert closure.label in text and closure.definition in text
    body = client.get(reverse("reports:statistics-download"), {"year": 2026, "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "指标" and any(r[0] == closure.label for r in rows)
    xlsx = client.get(reverse("reports:statistics-download"), {"year": 2026, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert len(list(sheet.iter_rows())) == len(rows)
    api = json.loads(client.get(reverse("reports:api-figures"), {"year": 2026}).content)
    keys = {f["key"] for s in api["sections"] for f in s["figures"]}
    assert "petitions.closure_rate" in keys and api["period"]["first_day"] == "2026-01-01"
    assert client.get(reverse("reports:api-figures"), {"year": "x"}).status_code == 400


def test_the_nightly_snapshot_is_registered():
    from sunshine.core.scheduler import PERIODIC_JOBS, job_label

    assert "figures-snapshot" in PERIODIC_JOBS and job_label("figures-snapshot")
    assert timezone.now() - timedelta(0) <= timezone.now()


SPLIT = {"rows": 2}


@pytest.fixture
def split(counter, district):
    """Two breakdowns of the pretend mechanism: schools as coloured tiles (linking to
    nothing: the pretend module has no page) and a count by item the test changes."""
    from sunshine.core.figures import BreakdownRow, Chart, register_breakdown

    SPLIT["rows"] = 2
    register_breakdown(
        key="zzcheck.tiles",
        label="各校颜色",
        unit=Unit.POINTS,
        dimension="学校",
        chart=Chart.TILES,
        compute=lambda period, organization: [
            BreakdownRow(
                key="1", label="红旗小学", values=(FigureValue(55.0),), organization=district.school.pk, colour="red"
            ),
            BreakdownRow(key="2", label="绿洲中学", values=(FigureValue(95.0),), colour="green"),
        ],
    )  # fmt: skip
    register_breakdown(
        key="zzcheck.items",
        label="核查分项",
        unit=Unit.CASES,
        dimension="分项",
        compute=lambda period, organization: [
            BreakdownRow.counts(f"i{n}", f"分项{n}", n * 10) for n in range(1, SPLIT["rows"] + 1)
        ],
    )
    yield
    registry._unregister("zzcheck.tiles")
    registry._unregister("zzcheck.items")


@pytest.mark.django_db
def test_the_dashboard_shows_every_breakdown_with_its_table_and_download(district, split):
    from sunshine.core.figures import breakdowns_registered

    client = district.client(Role.LEADER)
    response = client.get(reverse("reports:dashboard"), {"org": district.bureau.pk, "year": 2026})
    page = response.content.decode()
    for breakdown in breakdowns_registered():
        assert f"{breakdown.label}：图表数据</caption>" in page, breakdown.key
        assert reverse("reports:breakdown", args=[breakdown.key]) in page
    assert '<th scope="col">申请渠道</th>' in page  # the dimension heads the rows
    charts = json.loads(re.search(r'id="report-charts" type="application/json">(.*?)</script>', page).group(1))
    kinds = {c["id"]: c.get("kind") for c in charts}
    assert kinds["petitions-by-channel"] == "bars" and kinds["funds-schedule-by-month"] == "months"
    assert "zzcheck-tiles" not in kinds  # tiles are drawn by the page itself, with their words
    assert 'data-chart="petitions-by-channel"' in page and 'data-tiles="zzcheck-tiles"' in page
    tiles = page[page.index('data-tiles="zzcheck-tiles"') :]
    assert re.search(r'rag-tile rag-red">\s*<a href', tiles) is None  # the pretend module has no page
    assert "红 · 55.0分" in tiles and "绿 · 95.0分" in tiles  # the colour in words, never colour alone
    # A channel row links to the letters' workbench filtered by the channel.
    assert re.search(r'href="/petitions/staff/\?[^"]*channel=web', page)

    # Excel: the breakdown's rows, numbers as numbers; the section's workbook holds each breakdown too.
    xlsx = client.get(
        reverse("reports:breakdown", args=["petitions.by_channel"]),
        {"org": district.bureau.pk, "year": 2026, "format": "xlsx"},
    )
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    data = client.get(reverse("reports:breakdown", args=["petitions.by_channel"]), {"org": district.bureau.pk}).json()
    assert rows[0] == ("申请渠道", "收到来信（件）")
    assert [r[0] for r in rows[1:]] == data["labels"] and all(isinstance(r[1], int) for r in rows[1:])
    tiles_xlsx = client.get(
        reverse("reports:breakdown", args=["zzcheck.tiles"]), {"org": district.bureau.pk, "format": "xlsx"}
    )
    assert list(load_workbook(io.BytesIO(tiles_xlsx.content)).active.iter_rows(values_only=True)) == [
        ("学校", "各校颜色（分）", "颜色"),
        ("红旗小学", 55.0, "红"),
        ("绿洲中学", 95.0, "绿"),
    ]
    section = client.get(
        reverse("reports:chart", args=["zzcheck"]), {"org": district.bureau.pk, "year": 2026, "format": "xlsx"}
    )
    assert load_workbook(io.BytesIO(section.content)).sheetnames[1:] == ["核查分项", "各校颜色"]  # by order, then key
    assert client.get(reverse("reports:breakdown", args=["nosuch.key"])).status_code == 404


@pytest.mark.django_db
def test_a_breakdown_as_of_a_past_day_is_the_snapshot(district, split):
    period = Period.year(2026)
    day = datetime(2026, 6, 1, 23, 0, tzinfo=SH)
    figures_snapshot(period=period, organization=district.bureau, prefix="zzcheck.", taken_at=day)
    SPLIT["rows"] = 3
    client = district.client(Role.LEADER)
    url = reverse("reports:breakdown", args=["zzcheck.items"])
    now = client.get(url, {"org": district.bureau.pk, "year": 2026}).json()
    then = client.get(url, {"org": district.bureau.pk, "year": 2026, "as_of": "2026-06-01"}).json()
    assert now["labels"] == ["分项1", "分项2", "分项3"] and now["values"] == [[10, 20, 30]]
    assert then["labels"] == ["分项1", "分项2"] and then["values"] == [[10, 20]]
    page = client.get(reverse("reports:dashboard"), {"org": district.bureau.pk, "year": 2026, "as_of": "2026-06-01"})
    assert "分项2" in page.content.decode() and "分项3" not in page.content.decode()
    assert client.get(url, {"org": district.bureau.pk, "year": 2026, "as_of": "2026-05-31"}).status_code == 404


@pytest.fixture
def kept_private(split):
    """A breakdown kept off the public page, beside the public pretend ones."""
    from sunshine.core.figures import BreakdownRow, register_breakdown

    register_breakdown(
        key="zzcheck.secret",
        label="内部分项",
        unit=Unit.YUAN,
        dimension="学校",
        compute=lambda period, organization: [BreakdownRow.counts("s", "秘密小学", 123456)],
        public=False,
    )
    yield
    registry._unregister("zzcheck.secret")


@pytest.mark.django_db
def test_the_statistics_page_shows_each_public_breakdown_and_no_other(district, client, kept_private):
    """Open figures: every public breakdown with its definition, its table (caption, row
    headers, phone labels) and its downloads; none kept off the page, no workbench link."""
    from sunshine.core.figures import breakdowns_registered

    page = client.get(reverse("reports:statistics"), {"year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    for breakdown in breakdowns_registered():
        download = reverse("reports:statistics-breakdown", args=[breakdown.key])
        if breakdown.public:
            assert f'<caption class="visually-hidden">{breakdown.label}</caption>' in text, breakdown.key
            assert f"口径：{breakdown.explained}" in text and download in text, breakdown.key
        else:
            assert str(breakdown.label) not in text and download not in text, breakdown.key
    assert "秘密小学" not in text and "123,456" not in text
    assert "fees.refunds_by_school" not in text and "enrollment.lottery_by_school" not in text
    items = text[text.index(">核查分项</caption>") :].split("</table>")[0]
    assert re.search(r'<th scope="row" data-label="分项">分项1</th>\s*<td data-label="核查分项">10件</td>', items)
    assert "/staff/" not in text  # no row leads into the workbench
    assert "csrfmiddlewaretoken" not in text and not page.cookies  # still a page a shared cache may keep
    assert page["Cache-Control"].startswith("public")
    assert 'name="q" value=""' in text  # the site's search box is not filled with the period asked for


@pytest.mark.django_db
def test_a_public_breakdown_downloads_as_csv_and_excel_and_a_private_one_is_not_found(district, client, kept_private):
    url = reverse("reports:statistics-breakdown", args=["zzcheck.items"])
    body = client.get(url, {"year": 2026, "format": "csv"})
    assert body.status_code == 200 and "attachment" in body["Content-Disposition"]
    assert "%E6%A0%B8%E6%9F%A5%E5%88%86%E9%A1%B9.csv" in body["Content-Disposition"]  # 核查分项.csv
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert rows == [["分项", "核查分项（件）"], ["分项1", "10"], ["分项2", "20"]]
    xlsx = client.get(url, {"year": 2026, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [("分项", "核查分项（件）"), ("分项1", 10), ("分项2", 20)]
    # The whole page's workbook: the figures, then a sheet per public breakdown.
    whole = load_workbook(io.BytesIO(client.get(reverse("reports:statistics-download"), {"year": 2026}).content))
    assert "核查分项" in whole.sheetnames and "内部分项" not in whole.sheetnames
    assert "各渠道收到的信访件" in whole.sheetnames
    for key in ("zzcheck.secret", "fees.refunds_by_school", "enrollment.admission_by_school", "nosuch.key"):
        for fmt in ("csv", "xlsx"):
            answer = client.get(reverse("reports:statistics-breakdown", args=[key]), {"year": 2026, "format": fmt})
            assert answer.status_code == 404, (key, fmt)


@pytest.mark.django_db
def test_the_open_figures_api_returns_the_public_breakdowns(district, client, kept_private):
    from sunshine.core.figures import breakdowns_registered

    api = json.loads(client.get(reverse("reports:api-figures"), {"year": 2026}).content)
    found = {b["key"]: b for s in api["sections"] for b in s["breakdowns"]}
    assert set(found) == {b.key for b in breakdowns_registered() if b.public}
    items = found["zzcheck.items"]
    assert items["label"] == "核查分项" and items["unit"] == "件" and items["dimension"] == "分项"
    assert items["definition"] and items["series"] == ["核查分项"]
    assert [(r["label"], r["values"]) for r in items["rows"]] == [("分项1", [10]), ("分项2", [20])]
    channels = found["petitions.by_channel"]
    assert channels["definition"] == "本期收到的来信、来访和举报，按来源渠道分列"
    assert "秘密小学" not in json.dumps(api, ensure_ascii=False)


@pytest.mark.django_db
def test_a_money_figures_parts_read_in_yuan_on_the_dashboard(district, monkeypatch):
    """On a phone a row reads as label: value lines; the numerator of an amount reads as
    its value does ("502,900.00元"), never as a raw float; a rate's parts as counts."""
    register_figure(
        key="zzcheck.money",
        label="退还金额",
        unit=Unit.YUAN,
        numerator="退还的金额",
        compute=lambda period, organization: FigureValue.count(50290000),
    )
    register_figure(
        key="zzcheck.share",
        label="核查办结率",
        unit=Unit.PERCENT,
        numerator="办结",
        denominator="受理",
        compute=lambda period, organization: FigureValue.rate(1204, 1250),
    )
    try:
        page = district.client(Role.LEADER).get(reverse("reports:dashboard"), {"org": district.bureau.pk})
        text = page.content.decode()
    finally:
        registry._unregister("zzcheck.money")
        registry._unregister("zzcheck.share")
    money = text[text.index(">退还金额</th>") :].split("</tr>")[0]
    assert '<td data-label="分子">502,900.00元</td>' in money and "502900.0" not in money
    share = text[text.index(">核查办结率</th>") :].split("</tr>")[0]
    assert '<td data-label="分子">1,204</td><td data-label="分母">1,250</td>' in share
