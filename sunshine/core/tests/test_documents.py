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
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import etree
from openpyxl import load_workbook

from sunshine.core.documents import (
    CHART_REL,
    CHART_TYPE,
    PACKAGE_REL,
    XLSX_TYPE,
    add_chart,
    red_rule,
)

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
RATES = ["按期整改率", "经费按时下达率", "办结率"]


def _saved(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class Package:
    """The saved .docx read as a zip: parts, their content types and relationships."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.types = etree.fromstring(self.zip.read("[Content_Types].xml"))

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    def content_type(self, name: str) -> str | None:
        for override in self.types.findall("ct:Override", NS):
            if override.get("PartName") == f"/{name}":
                return override.get("ContentType")
        ext = name.rsplit(".", 1)[-1]
        for default in self.types.findall("ct:Default", NS):
            if default.get("Extension") == ext:
                return default.get("ContentType")
        return None

    def rels(self, name: str) -> dict[str, tuple[str, str]]:
        """{rId: (type, target resolved to a part name)} of part ``name``."""
        folder, _slash, base = name.rpartition("/")
        root = self.xml(f"{folder}/_rels/{base}.rels")
        found = {}
        for rel in root.findall("rel:Relationship", NS):
            target = Path(folder, rel.get("Target")).as_posix()
            parts: list[str] = []
            for piece in target.split("/"):
                if piece == "..":
                    parts.pop()
                else:
                    parts.append(piece)
            found[rel.get("Id")] = (rel.get("Type"), "/".join(parts))
        return found

    def charts(self) -> list[tuple[str, etree._Element, str]]:
        """(chart part name, its XML, its workbook's part name), in document order."""
        doc_rels = self.rels("word/document.xml")
        found = []
        for ref in self.xml("word/document.xml").iterfind(".//c:chart", NS):
            kind, chart_name = doc_rels[ref.get(f"{{{NS['r']}}}id")]
            assert kind == CHART_REL
            chart = self.xml(chart_name)
            rid = chart.find("c:externalData", NS).get(f"{{{NS['r']}}}id")
            book_kind, book_name = self.rels(chart_name)[rid]
            assert book_kind == PACKAGE_REL
            found.append((chart_name, chart, book_name))
        return found


def _series(chart) -> list[dict]:
    """Each series's name, categories and cached values, with the formulas naming them."""
    found = []
    for ser in chart.iterfind(".//c:ser", NS):
        values = ser.find("c:val/c:numRef", NS)
        cats = ser.find("c:cat/c:strRef", NS)
        count = int(values.find("c:numCache/c:ptCount", NS).get("val"))
        cached: list[float | None] = [None] * count
        for pt in values.iterfind("c:numCache/c:pt", NS):
            cached[int(pt.get("idx"))] = float(pt.findtext("c:v", namespaces=NS))
        found.append(
            {
                "name": ser.findtext("c:tx/c:strRef/c:strCache/c:pt/c:v", namespaces=NS),
                "name_f": ser.findtext("c:tx/c:strRef/c:f", namespaces=NS),
                "categories": [pt.findtext("c:v", namespaces=NS) for pt in cats.iterfind("c:strCache/c:pt", NS)],
                "categories_f": cats.findtext("c:f", namespaces=NS),
                "values": cached,
                "values_f": values.findtext("c:f", namespaces=NS),
                "format": values.findtext("c:numCache/c:formatCode", namespaces=NS),
            }
        )
    return found


def _range(book, formula: str) -> list:
    """The cells a chart formula (``Sheet1!$B$2:$B$4``) names, read from the workbook."""
    sheet_name, cells = formula.split("!")
    sheet = book[sheet_name]
    if ":" not in cells:
        return [sheet[cells.replace("$", "")].value]
    return [row[0].value for row in sheet[cells.replace("$", "")]]


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
    [series] = _series(chart)
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
    assert _range(book, series["name_f"]) == ["比率"]
    assert _range(book, series["categories_f"]) == RATES
    assert _range(book, series["values_f"]) == [96.5, 80, None]
    assert book["Sheet1"]["B2"].number_format == '0.0"%"'

    # python-docx opens the document again, and saving it keeps the chart and its data.
    again = Document(io.BytesIO(_saved(doc)))
    assert again.paragraphs[0].text == "前文"
    assert [p.content_type for p in again.part.package.iter_parts()].count(CHART_TYPE) == 1
    [(_name, kept, kept_book)] = Package(_saved(again)).charts()
    assert _series(kept) == [series] and kept_book == book_name


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
    assert [s["values"] for s in _series(line)] == [[float(v) for v in received], [float(v) for v in closed]]
    assert line.find(".//c:legend", NS) is not None  # two series: a legend names them
    assert pie.find(".//c:pieChart/c:varyColors", NS).get("val") == "1"
    assert len(pie.findall(".//c:dPt", NS)) == 3
    assert column.find(".//c:barDir", NS).get("val") == "col"
    assert column.find("c:txPr//a:ea", NS).get("typeface") == "仿宋"

    for (_name, chart, book_name), expected_names in zip(
        charts, (["受理", "办结"], ["件数"], ["2025年", "2026年"]), strict=True
    ):
        book = load_workbook(io.BytesIO(package.zip.read(book_name)))
        series = _series(chart)
        assert [s["name"] for s in series] == expected_names
        for s in series:
            assert _range(book, s["name_f"]) == [s["name"]]
            assert _range(book, s["categories_f"]) == s["categories"]
            assert [None if v is None else float(v) for v in _range(book, s["values_f"])] == s["values"]


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
