"""Reading a saved .docx as its parts, for tests: content types, relationships, the
charts with their cached series and the embedded workbooks' cells."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from sunshine.core.documents import CHART_REL, PACKAGE_REL

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


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


def chart_series(chart) -> list[dict]:
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


def workbook_range(book, formula: str) -> list:
    """The cells a chart formula (``Sheet1!$B$2:$B$4``) names, read from the workbook."""
    sheet_name, cells = formula.split("!")
    sheet = book[sheet_name]
    if ":" not in cells:
        return [sheet[cells.replace("$", "")].value]
    return [row[0].value for row in sheet[cells.replace("$", "")]]
