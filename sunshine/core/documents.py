"""The pieces every Word document of the platform is made of (python-docx): Chinese
dates, runs with east-asian fonts, the red rule under an official header (红头), and
native Word charts with their data (``add_chart``).

Petitions' notices, fee posters, FOI reply letters and the opinion brief all build on
these, so a document looks the same whichever module wrote it.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

RED = RGBColor(0xC0, 0x00, 0x00)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def chinese_date(value: date | datetime) -> str:
    """2026年11月22日 (Arabic numerals, as GB/T 9704-2012 prescribes for the date); an
    aware time is read in the local time zone first."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def set_font(run: Any, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> Any:
    """Font, size, weight and colour of ``run``, the font set for east-asian text too
    (python-docx's ``font.name`` alone leaves Chinese characters in the default font)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    return run


def add_run(
    paragraph: Any, text: str, *, font: str, size: float, bold: bool = False, color: RGBColor | None = None
) -> Any:
    return set_font(paragraph.add_run(text), font, size, bold=bold, color=color)


# The elements CT_PPr (ECMA-376 §17.3.1.26) puts after ``w:pBdr``.
PPR_AFTER_BORDER = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def red_rule(paragraph: Any, *, space: int = 4) -> None:
    """The red line under an official header (红头), as the paragraph's bottom border."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", str(space)), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # In its place in CT_PPr's sequence (after the alignment it would be out of order,
    # which the schema forbids and Word may refuse).
    paragraph._p.get_or_add_pPr().insert_element_before(border, *PPR_AFTER_BORDER)


# --- charts -----------------------------------------------------------------------------------
#
# A chart in a Word document is its own part (``word/charts/chartN.xml``, DrawingML chart
# markup, ECMA-376 Part 1 §21.2) related from the document part and placed by an inline
# ``<w:drawing>`` whose graphic data is ``<c:chart r:id>``. The chart part keeps the
# values it draws (``c:strCache``/``c:numCache``), so Word and LibreOffice show it without
# recalculating, and relates the workbook those values come from
# (``word/embeddings/Microsoft_Excel_WorksheetN.xlsx``, ``c:externalData``): Word's
# "Edit data" opens it. The elements are written in the order the schema's sequences
# give (CT_ChartSpace, CT_Chart, CT_BarChart, CT_BarSer, CT_CatAx, CT_ValAx …).

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
CHART_SHEET = "Sheet1"
CHART_KINDS = ("bar", "column", "line", "pie")
# Series colours, in order (a pie colours its slices with them).
CHART_COLOURS = ("2F5597", "C55A11", "548235", "BF9000", "7030A0", "1F9BAA", "A5A5A5", "843C0C")
EMU_PER_CM = 360000

Number = int | float | Decimal


def _chart_number(value: Number) -> str:
    """A value as the chart's cache writes it: 12, 96.5 (never 12.0 or 1e-05)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _cell(column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"${get_column_letter(column)}${row}"


class _Xml:
    """Element building in the chart's namespaces: ``x.add(parent, "c:barDir", val="bar")``."""

    names = {"c": C_NS, "a": A_NS, "r": R_NS}

    def qname(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{self.names[prefix]}}}{local}"

    def add(self, parent: Any, name: str, text: str | None = None, **attrs: Any) -> Any:
        from lxml import etree

        element = etree.SubElement(parent, self.qname(name))
        for key, value in attrs.items():
            element.set(self.qname(key.replace("__", ":")) if "__" in key else key, str(value))
        if text is not None:
            element.text = text
        return element


def _text_props(
    x: _Xml, parent: Any, name: str, *, font: str, size: int, bold: bool = False, wrap: bool = True
) -> None:
    """``<c:txPr>`` with the font set for Latin and east-asian text, so Chinese labels
    are drawn in ``font`` and not in the viewer's default; ``wrap=False`` keeps a label
    on one line (a value such as 100.0% beside the longest bar)."""
    body = x.add(parent, name)
    x.add(body, "a:bodyPr", **({} if wrap else {"wrap": "none"}))
    x.add(body, "a:lstStyle")
    p = x.add(body, "a:p")
    ppr = x.add(p, "a:pPr")
    _run_props(x, ppr, "a:defRPr", font=font, size=size, bold=bold)
    x.add(p, "a:endParaRPr", lang="zh-CN")


def _run_props(x: _Xml, parent: Any, name: str, *, font: str, size: int, bold: bool = False) -> Any:
    rpr = x.add(parent, name, sz=size, b=int(bold))
    if name == "a:rPr":
        rpr.set("lang", "zh-CN")
        rpr.set("altLang", "en-US")
    fill = x.add(rpr, "a:solidFill")
    x.add(fill, "a:srgbClr", val="262626")
    x.add(rpr, "a:latin", typeface=font)
    x.add(rpr, "a:ea", typeface=font)
    x.add(rpr, "a:cs", typeface=font)
    return rpr


def _fill(x: _Xml, parent: Any, colour: str, *, line: str | None = None, width: int | None = None) -> None:
    """``<c:spPr>``: a solid fill of ``colour`` (``"none"`` for none) and a line."""
    sppr = x.add(parent, "c:spPr")
    if colour == "none":
        x.add(sppr, "a:noFill")
    else:
        x.add(x.add(sppr, "a:solidFill"), "a:srgbClr", val=colour)
    ln = x.add(sppr, "a:ln")
    if width:
        ln.set("w", str(width))
    if line is None:
        x.add(ln, "a:noFill")
    else:
        x.add(x.add(ln, "a:solidFill"), "a:srgbClr", val=line)


def _reference(x: _Xml, parent: Any, name: str, formula: str, values: Sequence[Any], *, number_format: str) -> None:
    """``c:tx``/``c:cat``/``c:val``: the workbook range and its cached values (a missing
    value has no ``c:pt``, so the chart leaves a gap)."""
    holder = x.add(parent, name)
    if name == "c:val":
        ref = x.add(holder, "c:numRef")
        x.add(ref, "c:f", formula)
        cache = x.add(ref, "c:numCache")
        x.add(cache, "c:formatCode", number_format)
    else:
        ref = x.add(holder, "c:strRef")
        x.add(ref, "c:f", formula)
        cache = x.add(ref, "c:strCache")
    x.add(cache, "c:ptCount", val=len(values))
    for i, value in enumerate(values):
        if value is None:
            continue
        pt = x.add(cache, "c:pt", idx=i)
        x.add(pt, "c:v", _chart_number(value) if name == "c:val" else str(value))


def _labels(x: _Xml, parent: Any, *, number_format: str, position: str, font: str, percent: bool = False) -> None:
    """``<c:dLbls>``: each bar or slice shows its value (a slice its share)."""
    dlbls = x.add(parent, "c:dLbls")
    x.add(dlbls, "c:numFmt", formatCode=number_format, sourceLinked=0)
    _fill(x, dlbls, "none")
    _text_props(x, dlbls, "c:txPr", font=font, size=900, wrap=False)
    x.add(dlbls, "c:dLblPos", val=position)
    for name, on in (
        ("c:showLegendKey", False),
        ("c:showVal", not percent),
        ("c:showCatName", False),
        ("c:showSerName", False),
        ("c:showPercent", percent),
        ("c:showBubbleSize", False),
    ):
        x.add(dlbls, name, val=int(on))


def chart_xml(
    *,
    kind: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    number_format: str,
    maximum: Number | None,
    font: str,
    workbook_rid: str,
) -> bytes:
    """The chart part's XML (``c:chartSpace``) for ``add_chart``."""
    from lxml import etree

    x = _Xml()
    space = etree.Element(x.qname("c:chartSpace"), nsmap=x.names)
    x.add(space, "c:date1904", val=0)
    x.add(space, "c:lang", val="zh-CN")
    x.add(space, "c:roundedCorners", val=0)
    chart = x.add(space, "c:chart")

    heading = x.add(chart, "c:title")
    rich = x.add(x.add(heading, "c:tx"), "c:rich")
    x.add(rich, "a:bodyPr")
    x.add(rich, "a:lstStyle")
    p = x.add(rich, "a:p")
    _run_props(x, x.add(p, "a:pPr"), "a:defRPr", font=font, size=1200, bold=True)
    run = x.add(p, "a:r")
    _run_props(x, run, "a:rPr", font=font, size=1200, bold=True)
    x.add(run, "a:t", title)
    x.add(heading, "c:overlay", val=0)
    x.add(chart, "c:autoTitleDeleted", val=0)

    plot = x.add(chart, "c:plotArea")
    x.add(plot, "c:layout")
    group = x.add(plot, {"bar": "c:barChart", "column": "c:barChart", "line": "c:lineChart", "pie": "c:pieChart"}[kind])
    if kind in ("bar", "column"):
        x.add(group, "c:barDir", val="bar" if kind == "bar" else "col")
        x.add(group, "c:grouping", val="clustered")
    elif kind == "line":
        x.add(group, "c:grouping", val="standard")
    x.add(group, "c:varyColors", val=int(kind == "pie"))

    rows = len(categories) + 1
    for s, (name, values) in enumerate(series):
        column = s + 2
        colour = CHART_COLOURS[s % len(CHART_COLOURS)]
        ser = x.add(group, "c:ser")
        x.add(ser, "c:idx", val=s)
        x.add(ser, "c:order", val=s)
        _reference(x, ser, "c:tx", f"{CHART_SHEET}!{_cell(column, 1)}", [name], number_format=number_format)
        if kind == "line":
            _fill(x, ser, "none", line=colour, width=28575)
            marker = x.add(ser, "c:marker")
            x.add(marker, "c:symbol", val="circle")
            x.add(marker, "c:size", val=6)
            _fill(x, marker, colour, line=colour)
        elif kind == "pie":
            _fill(x, ser, colour, line="FFFFFF")
            for i in range(len(categories)):
                dpt = x.add(ser, "c:dPt")
                x.add(dpt, "c:idx", val=i)
                x.add(dpt, "c:bubble3D", val=0)
                _fill(x, dpt, CHART_COLOURS[i % len(CHART_COLOURS)], line="FFFFFF")
            _labels(x, ser, number_format="0.0%", position="bestFit", font=font, percent=True)
        else:
            _fill(x, ser, colour)
            x.add(ser, "c:invertIfNegative", val=0)
            _labels(x, ser, number_format=number_format, position="outEnd", font=font)
        _reference(
            x,
            ser,
            "c:cat",
            f"{CHART_SHEET}!{_cell(1, 2)}:{_cell(1, rows)}",
            list(categories),
            number_format=number_format,
        )
        _reference(
            x,
            ser,
            "c:val",
            f"{CHART_SHEET}!{_cell(column, 2)}:{_cell(column, rows)}",
            list(values),
            number_format=number_format,
        )
        if kind == "line":
            x.add(ser, "c:smooth", val=0)

    if kind == "pie":
        x.add(group, "c:firstSliceAng", val=0)
    else:
        if kind in ("bar", "column"):
            x.add(group, "c:gapWidth", val=60 if kind == "bar" else 100)
        else:
            x.add(group, "c:marker", val=1)
        cat_id, val_id = "500000001", "500000002"
        x.add(group, "c:axId", val=cat_id)
        x.add(group, "c:axId", val=val_id)
        _axes(x, plot, kind=kind, ids=(cat_id, val_id), number_format=number_format, maximum=maximum, series=series)
    _fill(x, plot, "none")

    if len(series) > 1 or kind == "pie":
        legend = x.add(chart, "c:legend")
        x.add(legend, "c:legendPos", val="r" if kind == "pie" else "b")
        x.add(legend, "c:overlay", val=0)
    x.add(chart, "c:plotVisOnly", val=1)
    x.add(chart, "c:dispBlanksAs", val="gap")
    _fill(x, space, "FFFFFF")
    _text_props(x, space, "c:txPr", font=font, size=1000)
    external = x.add(space, "c:externalData", r__id=workbook_rid)
    x.add(external, "c:autoUpdate", val=0)
    return etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)


def _axes(
    x: _Xml,
    plot: Any,
    *,
    kind: str,
    ids: tuple[str, str],
    number_format: str,
    maximum: Number | None,
    series: Sequence[tuple[str, Sequence[Number | None]]],
) -> None:
    """The category axis and the value axis. Bars read top to bottom in the order given
    (the category axis runs maxMin); bars and columns carry their values as labels, so
    their value axis is hidden; a line keeps it, with gridlines."""
    cat_id, val_id = ids
    horizontal = kind == "bar"
    cat = x.add(plot, "c:catAx")
    x.add(cat, "c:axId", val=cat_id)
    x.add(x.add(cat, "c:scaling"), "c:orientation", val="maxMin" if horizontal else "minMax")
    x.add(cat, "c:delete", val=0)
    x.add(cat, "c:axPos", val="l" if horizontal else "b")
    x.add(cat, "c:numFmt", formatCode="General", sourceLinked=0)
    x.add(cat, "c:majorTickMark", val="none")
    x.add(cat, "c:minorTickMark", val="none")
    x.add(cat, "c:tickLblPos", val="nextTo")
    _fill(x, cat, "none", line="BFBFBF")
    x.add(cat, "c:crossAx", val=val_id)
    x.add(cat, "c:crosses", val="autoZero")
    x.add(cat, "c:auto", val=1)
    x.add(cat, "c:lblAlgn", val="ctr")
    x.add(cat, "c:lblOffset", val=100)
    x.add(cat, "c:noMultiLvlLbl", val=0)

    val = x.add(plot, "c:valAx")
    x.add(val, "c:axId", val=val_id)
    scaling = x.add(val, "c:scaling")
    x.add(scaling, "c:orientation", val="minMax")
    if maximum is not None:
        x.add(scaling, "c:max", val=_chart_number(maximum))
    if all(v is None or v >= 0 for _n, values in series for v in values):
        x.add(scaling, "c:min", val=0)
    x.add(val, "c:delete", val=int(kind != "line"))
    x.add(val, "c:axPos", val="b" if horizontal else "l")
    if kind == "line":
        gridlines = x.add(val, "c:majorGridlines")
        sppr = x.add(gridlines, "c:spPr")
        x.add(x.add(x.add(sppr, "a:ln", w=6350), "a:solidFill"), "a:srgbClr", val="D9D9D9")
    x.add(val, "c:numFmt", formatCode=number_format, sourceLinked=0)
    x.add(val, "c:majorTickMark", val="none")
    x.add(val, "c:minorTickMark", val="none")
    x.add(val, "c:tickLblPos", val="nextTo")
    _fill(x, val, "none")
    x.add(val, "c:crossAx", val=cat_id)
    x.add(val, "c:crosses", val="max" if horizontal else "autoZero")
    x.add(val, "c:crossBetween", val="between")


def chart_workbook(
    *,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    number_format: str,
) -> bytes:
    """The workbook behind a chart: categories in column A from row 2, one column per
    series with its name in row 1 — the ranges the chart's ``c:f`` formulas name."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = CHART_SHEET
    for r, category in enumerate(categories, start=2):
        sheet.cell(row=r, column=1, value=str(category))
    for s, (name, values) in enumerate(series, start=2):
        sheet.cell(row=1, column=s, value=str(name))
        for r, value in enumerate(values, start=2):
            if value is not None:
                cell = sheet.cell(row=r, column=s, value=float(value) if isinstance(value, Decimal) else value)
                cell.number_format = number_format
        sheet.column_dimensions[get_column_letter(s)].width = max(12, 2 * len(str(name)) + 2)
    sheet.column_dimensions["A"].width = max([12, *(2 * len(str(c)) + 2 for c in categories)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_chart(
    document: Any,
    *,
    kind: str = "bar",
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    number_format: str = "General",
    maximum: Number | None = None,
    font: str = "宋体",
    width: int | None = None,
    height: int | None = None,
    description: str | None = None,
) -> Any:
    """Add a native Word chart (editable: "Edit data" opens its embedded workbook) in a
    new centred paragraph at the end of ``document``, and return that paragraph.

    ``kind``: ``bar`` (horizontal bars, read top to bottom; long Chinese labels fit),
    ``column``, ``line`` or ``pie`` (one series). ``categories`` are the labels,
    ``series`` ``[(name, values)]`` with one value per category (``None`` for none: a
    gap). ``number_format`` is an Excel format for the labels, the axis and the
    workbook's cells (``0.0"%"`` for a percent figure kept as 96.5, ``#,##0`` for a
    count); ``maximum`` fixes the value axis's end (100 for rates). ``width``/``height``
    in EMU (``docx.shared.Cm``), by default the text width and a height that grows with
    the bars. ``description`` is the alternative text read out by screen readers (by
    default the title and each category's values). A breakdown's rows are one call:
    ``categories=[row.label …]``, ``series=[(figure label, [row.value …])]``."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    if kind not in CHART_KINDS:
        raise ValueError(f"kind must be one of {CHART_KINDS}, not {kind!r}")
    if not categories or not series:
        raise ValueError("a chart needs at least one category and one series")
    if kind == "pie" and len(series) != 1:
        raise ValueError("a pie chart draws one series")
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")

    document_part = document.part
    package = document_part.package
    workbook_part = Part(
        package.next_partname("/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"),
        XLSX_TYPE,
        chart_workbook(categories=categories, series=series, number_format=number_format),
        package,
    )
    chart_name = package.next_partname("/word/charts/chart%d.xml")
    # The chart's only relationship is its workbook, so it is rId1 (checked below).
    xml = chart_xml(
        kind=kind,
        title=title,
        categories=categories,
        series=series,
        number_format=number_format,
        maximum=maximum,
        font=font,
        workbook_rid="rId1",
    )
    chart_part = Part(PackURI(chart_name), CHART_TYPE, xml, package)
    if chart_part.relate_to(workbook_part, PACKAGE_REL) != "rId1":  # pragma: no cover
        raise RuntimeError("the chart's workbook relationship is not rId1")
    rid = document_part.relate_to(chart_part, CHART_REL)

    if width is None:
        section = document.sections[-1]
        width = int(section.page_width - section.left_margin - section.right_margin)
    if height is None:
        bars = len(categories) * (len(series) if kind == "bar" else 1)
        height = int(
            {"bar": (1.6 + 0.75 * bars + (0.8 if len(series) > 1 else 0)) * EMU_PER_CM}.get(kind, 7.5 * EMU_PER_CM)
        )
    if description is None:
        shown = [[_chart_number(v) if v is not None else "无" for v in values] for _n, values in series]
        told = "；".join(
            f"{category}：" + "，".join(f"{name} {shown[s][i]}" for s, (name, _v) in enumerate(series))
            for i, category in enumerate(categories)
        )
        description = f"{title}。{told}"
    shape_id = document_part.next_id
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    inline = parse_xml(
        f'<wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}"'
        f' xmlns:c="{C_NS}" xmlns:r="{R_NS}">'
        f'<wp:extent cx="{int(width)}" cy="{int(height)}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="图表 {shape_id}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic><a:graphicData uri="{C_NS}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic>'
        "</wp:inline>"
    )
    doc_pr = inline.find(f"{{{WP_NS}}}docPr")
    doc_pr.set("descr", description)
    doc_pr.set("title", title)
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    paragraph.add_run()._r.append(drawing)
    return paragraph


def docx_text(data: bytes) -> str:
    """What a reader of a .docx sees: its paragraphs and the cells of its tables, a line
    each (what the personal-data gate reads before a document is published)."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("　".join(cell.text for cell in row.cells))
    return "\n".join(lines)


# A pseudonym derived by hashing, not a number anyone holds: 16 lower-case hex digits
# under the key "id" (a truncated SHA-256, e.g. a lottery entry's id: docs/lottery.md) or
# a whole SHA-256 in hex anywhere. An all-digit id would read as a bank card number.
_HEX_ID = re.compile(r"[0-9a-f]{16}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def json_text(data: bytes) -> str:
    """What a reader of a JSON file finds in it: every key (once) and every string or
    number value, a line each, in document order (what the personal-data gate reads before a
    data file is published: a name or an identity number inside a value blocks it).
    Hash-derived pseudonyms (``_HEX_ID`` under "id", ``_HEX_DIGEST``) are left out. Bytes
    that are not JSON are read as they are (UTF-8)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return data.decode("utf-8", errors="replace")
    lines: list[str] = []
    keys: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for name, child in node.items():
                if name not in keys:  # each key once: a list of records repeats them
                    keys.add(name)
                    lines.append(str(name))
                walk(child, str(name))
        elif isinstance(node, list):
            for child in node:
                walk(child, key)
        elif isinstance(node, str):
            if node and not (_HEX_DIGEST.fullmatch(node) or (key == "id" and _HEX_ID.fullmatch(node))):
                lines.append(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            lines.append(str(node))

    walk(value)
    return "\n".join(lines)


PDF_TEXT_MAX_CHARS = 200_000
PDF_MAX_PAGES = 300
# A line break between two Chinese characters is layout, not a word boundary.
_CJK_WRAP = re.compile(r"(?<=[\u3400-\u9fff])\n(?=[\u3400-\u9fff])")


def pdf_text(handle: Any, *, max_pages: int = PDF_MAX_PAGES, max_chars: int = PDF_TEXT_MAX_CHARS) -> str:
    """The text layer of a PDF (a binary file object) — its first ``max_pages`` pages, in
    NFKC (fonts often map characters to their Kangxi-radical twins: ⼩ for 小) with
    wrapped Chinese lines joined. An encrypted PDF is read only when it opens with an
    empty password. A scan (an image per page) has no text layer: "" (what the search
    index and the personal-data gate cannot read)."""
    import unicodedata

    from pypdf import PdfReader

    reader = PdfReader(handle)
    if reader.is_encrypted and not reader.decrypt(""):
        return ""
    parts: list[str] = []
    size = 0
    for page in reader.pages[:max_pages]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > max_chars:
            break
    text = unicodedata.normalize("NFKC", "\n".join(parts))
    return _CJK_WRAP.sub("", text)[:max_chars]


def pdf_bytes_text(data: bytes, *, max_pages: int = PDF_MAX_PAGES) -> str:
    """:func:`pdf_text` of a PDF's bytes; "" when pypdf cannot open it (what cannot be
    read is treated as a scan: a person must look)."""
    try:
        return pdf_text(io.BytesIO(data), max_pages=max_pages)
    except Exception:
        return ""
