"""Word documents: ``add_chart`` puts a native chart into a .docx — its own part of the
chart content type related from the document, placed by an inline drawing, with the
values it draws cached in its XML and the same numbers in the workbook Word's "Edit
data" opens; Chinese labels carry an east-asian font; LibreOffice reads and draws it.
The red rule of a 红头 sits where the paragraph-properties sequence wants it."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import etree
from openpyxl import load_workbook

from sunshine.core.documents import CHART_TYPE, XLSX_TYPE, add_chart, red_rule
from sunshine.core.tests.docx_parts import NS, Package, chart_series, workbook_range

RATES = ["按期整改率", "经费按时下达率", "办结率"]


def _saved(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_chart_is_a_native_part_with_its_values_cached_and_its_workbook_embedded():
    doc = Document()
    doc.add_paragraph("前文")
    paragraph = add_chart(
        doc,
        kind="bar",
        title="强化监督：主要比率",
        categories=RATES,
        series=[("比率", [96.5, 80, None])],
        number_format='0.0"%"',
        maximum=100,
    )
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    package = Package(_saved(doc))

    [(chart_name, chart, book_name)] = package.charts()
    assert chart_name == "word/charts/chart1.xml"
    assert package.content_type(chart_name) == CHART_TYPE
    assert book_name.startswith("word/embeddings/Microsoft_Excel_Worksheet") and book_name.endswith(".xlsx")
    assert package.content_type(book_name) == XLSX_TYPE
    assert package.xml(chart_name).find("c:externalData/c:autoUpdate", NS).get("val") == "0"

    # Placed inline in the body, with an alternative text for screen readers.
    body = package.xml("word/document.xml")
    inline = body.find(".//w:drawing/wp:inline", NS)
    assert inline.find("a:graphic/a:graphicData", NS).get("uri") == NS["c"]
    doc_pr = inline.find("wp:docPr", NS)
    assert doc_pr.get("title") == "强化监督：主要比率"
    assert "按期整改率：比率 96.5" in doc_pr.get("descr") and "办结率：比率 无" in doc_pr.get("descr")
    assert int(inline.find("wp:extent", NS).get("cx")) > 0

    # The cached values are the figures (the missing one has no point: a gap).
    [series] = chart_series(chart)
    assert series["name"] == "比率" and series["categories"] == RATES
    assert series["values"] == [96.5, 80.0, None]
    assert series["format"] == '0.0"%"'
    assert chart.find(".//c:barDir", NS).get("val") == "bar"
    assert chart.find(".//c:valAx/c:scaling/c:max", NS).get("val") == "100"
    assert chart.findtext(".//c:title//a:t", namespaces=NS) == "强化监督：主要比率"
    # Chinese labels are set in an east-asian font, for the whole chart and its labels.
    assert chart.find("c:txPr//a:defRPr/a:ea", NS).get("typeface") == "宋体"
    assert chart.find(".//c:dLbls/c:txPr//a:defRPr/a:ea", NS).get("typeface") == "宋体"

    # The embedded workbook holds the same numbers at the ranges the chart names.
    book = load_workbook(io.BytesIO(package.zip.read(book_name)))
    assert workbook_range(book, series["name_f"]) == ["比率"]
    assert workbook_range(book, series["categories_f"]) == RATES
    assert workbook_range(book, series["values_f"]) == [96.5, 80, None]
    assert book["Sheet1"]["B2"].number_format == '0.0"%"'

    # python-docx opens the document again, and saving it keeps the chart and its data.
    again = Document(io.BytesIO(_saved(doc)))
    assert again.paragraphs[0].text == "前文"
    assert [p.content_type for p in again.part.package.iter_parts()].count(CHART_TYPE) == 1
    [(_name, kept, kept_book)] = Package(_saved(again)).charts()
    assert chart_series(kept) == [series] and kept_book == book_name


def test_every_kind_in_one_document_gets_its_own_parts_and_ids():
    doc = Document()
    months = [f"{m}月" for m in range(1, 13)]
    received = [3, 5, 7, 2, 9, 4, 6, 8, 1, 0, 3, 5]
    closed = [2, 5, 6, 2, 8, 4, 6, 7, 1, 0, 2, 5]
    add_chart(doc, kind="line", title="每月信访件", categories=months, series=[("受理", received), ("办结", closed)])
    add_chart(doc, kind="pie", title="来源渠道", categories=["来信", "来访", "网络"], series=[("件数", [10, 5, 30])])
    add_chart(
        doc,
        kind="column",
        title="各校收费问题",
        categories=["第一中学", "实验小学"],
        series=[("2025年", [3, 1]), ("2026年", [4, 0])],
        number_format="#,##0",
        font="仿宋",
    )
    package = Package(_saved(doc))
    charts = package.charts()
    assert len({name for name, _c, _b in charts}) == 3 and len({book for _n, _c, book in charts}) == 3
    ids = [p.get("id") for p in package.xml("word/document.xml").iterfind(".//wp:docPr", NS)]
    assert len(set(ids)) == 3

    line, pie, column = (chart for _n, chart, _b in charts)
    assert line.find(".//c:lineChart", NS) is not None
    assert [s["values"] for s in chart_series(line)] == [[float(v) for v in received], [float(v) for v in closed]]
    assert line.find(".//c:legend", NS) is not None  # two series: a legend names them
    assert pie.find(".//c:pieChart/c:varyColors", NS).get("val") == "1"
    assert len(pie.findall(".//c:dPt", NS)) == 3
    assert column.find(".//c:barDir", NS).get("val") == "col"
    assert column.find("c:txPr//a:ea", NS).get("typeface") == "仿宋"

    for (_name, chart, book_name), expected_names in zip(
        charts, (["受理", "办结"], ["件数"], ["2025年", "2026年"]), strict=True
    ):
        book = load_workbook(io.BytesIO(package.zip.read(book_name)))
        series = chart_series(chart)
        assert [s["name"] for s in series] == expected_names
        for s in series:
            assert workbook_range(book, s["name_f"]) == [s["name"]]
            assert workbook_range(book, s["categories_f"]) == s["categories"]
            assert [None if v is None else float(v) for v in workbook_range(book, s["values_f"])] == s["values"]


def test_a_chart_that_cannot_be_drawn_is_refused():
    doc = Document()
    with pytest.raises(ValueError):
        add_chart(doc, kind="radar", title="t", categories=["甲"], series=[("a", [1])])
    with pytest.raises(ValueError):
        add_chart(doc, title="t", categories=["甲", "乙"], series=[("a", [1])])
    with pytest.raises(ValueError):
        add_chart(doc, kind="pie", title="t", categories=["甲"], series=[("a", [1]), ("b", [2])])
    with pytest.raises(ValueError):
        add_chart(doc, title="t", categories=[], series=[])
    assert not Package(_saved(doc)).charts()


def test_the_red_rule_comes_before_the_alignment():
    """CT_PPr is a sequence: ``w:pBdr`` precedes ``w:spacing``, ``w:ind`` and ``w:jc``."""
    doc = Document()
    p = doc.add_paragraph("区教育局总结〔2026〕1号")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = 100
    red_rule(p)
    names = [etree.QName(child).localname for child in p._p.pPr]
    assert names.index("pBdr") < names.index("ind") < names.index("jc")


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")), reason="LibreOffice not installed")
def test_libreoffice_reads_the_chart_and_prints_the_document(tmp_path):
    doc = Document()
    doc.add_paragraph("图表")
    add_chart(doc, title="信访案件查处：主要比率", categories=RATES, series=[("比率", [86.1, 94.3, 74.2])], maximum=100)
    source = tmp_path / "charts.docx"
    source.write_bytes(_saved(doc))
    office = shutil.which("libreoffice") or shutil.which("soffice")
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    for target in ("pdf", "odt"):
        subprocess.run(  # noqa: S603 - a fixed program and our own file
            [office, profile, "--headless", "--convert-to", target, "--outdir", str(tmp_path), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    assert (tmp_path / "charts.pdf").read_bytes().startswith(b"%PDF")
    # LibreOffice imported a chart object holding our categories and values.
    with zipfile.ZipFile(tmp_path / "charts.odt") as odt:
        objects = [n for n in odt.namelist() if n.startswith("Object") and n.endswith("content.xml")]
        charts = [odt.read(n).decode() for n in objects if b"<chart:chart" in odt.read(n)]
    assert len(charts) == 1
    for expected in ("按期整改率", "经费按时下达率", 'office:value="86.1"', 'office:value="74.2"'):
        assert expected in charts[0]
