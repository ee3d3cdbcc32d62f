"""The annual work summary (年度工作总结) as a Word document, in the structure and the
register of the bureau's own summaries: the 党风廉政建设 part (强化教育, 强化制度,
强化氛围, 强化监督, 信访案件查处) and the 政务公开 part (组织领导, 措施, 监督检查).

Every number comes from the figures registry, read from one snapshot taken when the
document is written; each carries a Word comment with its provenance (what it counts,
the registry key, the period, the snapshot's moment). Each section's rates and counts
are drawn as native Word charts (``core.documents.add_chart``: editable, their data in
an embedded workbook) under its text; the table of figures stays at the end. The staff's narrative is kept in
``AnnualSummary`` and printed under each heading. Writing it again lists what changed
since the last issued version. Always in Chinese."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from sunshine.core.audit import audit_record
from sunshine.core.documents import DOCX_TYPE, RED, add_chart, add_run, chinese_date, red_rule
from sunshine.core.figures import SHANGHAI, FigureResult, FigureValue, Period, Unit, figures_snapshot, number_display

SUMMARY_DOCUMENT = "reports.annual_summary"
AUTHOR = "阳光平台"

# (section key, heading, figure keys in the order they are told). A key whose module
# is not installed is skipped: the sentence is simply not written.
SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "education",
        gettext_lazy("Strengthening education"),
        ("oversight.circular_completion_rate", "oversight.talks"),
    ),
    (
        "system",
        gettext_lazy("Strengthening the rules"),
        ("decisions.items_decided", "decisions.dissents", "decisions.red_flags"),
    ),
    (
        "atmosphere",
        gettext_lazy("Strengthening the climate"),
        ("opinion.events", "opinion.responded_on_time_rate", "decisions.consultations"),
    ),
    (
        "supervision",
        gettext_lazy("Strengthening supervision"),
        (
            "oversight.inspections",
            "oversight.findings",
            "oversight.rectification_items",
            "oversight.rectification_verified",
            "oversight.rectification_on_time_rate",
            "fees.findings_confirmed",
            "fees.schools_affected",
            "fees.refunds_ordered",
            "fees.refunded",
            "fees.schools_vetoed",
            "oversight.vetoes",
            "funds.disbursed",
            "funds.transfer_on_time_rate",
            "funds.lagging_allocations",
        ),
    ),
    (
        "petitions",
        gettext_lazy("Handling letters, visits and cases"),
        (
            "petitions.received",
            "petitions.accepted",
            "petitions.closed",
            "petitions.closure_rate",
            "petitions.closed_on_time_rate",
            "petitions.satisfaction_rate",
            "petitions.refunds_ordered",
            "petitions.sanctions",
            "oversight.sanctions",
        ),
    ),
    ("leadership", gettext_lazy("Organisation and leadership of disclosure"), ()),
    (
        "measures",
        gettext_lazy("Measures of disclosure"),
        (
            "disclosure.published",
            "disclosure.government_published",
            "disclosure.published_on_time_rate",
            "disclosure.foi_received",
            "disclosure.foi_on_time_rate",
            "decisions.consultation_days",
            "enrollment.applications",
            "enrollment.lotteries_published",
            "enrollment.lottery_admitted",
            "enrollment.disclosures_published",
        ),
    ),
    ("inspection", gettext_lazy("Supervision and inspection of disclosure"), ("disclosure.inspection_average",)),
)
PARTS = (
    (
        gettext_lazy("Building Party conduct and clean government"),
        ("education", "system", "atmosphere", "supervision", "petitions"),
    ),
    (gettext_lazy("Government affairs disclosure"), ("leadership", "measures", "inspection")),
)
# The seeds' own sentence: "今年共接到信访件 件,办结 件,办结率100%".
PETITION_SENTENCE = ("petitions.received", "petitions.closed", "petitions.closure_rate")
NUMERALS = "一二三四五六七八九十"
# Figures counted in things (a count chart puts them side by side, each with its unit).
COUNT_UNITS = (Unit.CASES, Unit.SCHOOLS, Unit.PERSONS, Unit.PEOPLE)


def summary_keys() -> list[str]:
    return [key for _k, _h, keys in SECTIONS for key in keys]


@dataclass(frozen=True)
class SummaryFigures:
    """The year's figures of one bureau, read from one snapshot."""

    period: Period
    taken_at: datetime
    results: dict[str, FigureResult]

    def frozen(self) -> dict[str, Any]:
        """{registry key: value} as the issued document keeps them (money in fen)."""
        return {key: r.measured.value for key, r in self.results.items()}


def summary_figures(*, bureau: Any, year: int, now: datetime | None = None) -> SummaryFigures:
    """Take a snapshot of the year's figures for the bureau's tree and return those the
    summary tells (a key not registered is absent)."""
    moment = now or timezone.now()
    period = Period.year(year, as_of=moment)
    wanted = set(summary_keys())
    results: dict[str, FigureResult] = {}
    for prefix in sorted({k.split(".", 1)[0] for k in wanted}):
        for result in figures_snapshot(period=period, organization=bureau, prefix=f"{prefix}.", taken_at=moment):
            if result.key in wanted:
                results[result.key] = result
    return SummaryFigures(period=period, taken_at=moment, results=results)


def _amount(result: FigureResult) -> str:
    """A figure's value as the document prints it: core's one formatter, 无 for none."""
    return "无" if result.value is None else number_display(result.value, result.unit)


def section_charts(doc: Any, heading: str, section: list[FigureResult]) -> list[Any]:
    """The section's native Word charts, after its text: its rates, one bar each on a
    0–100 scale, and — when it counts two things or more — its counts, each label with
    its unit. A figure with no value has no bar (the table says 无). Returns the
    paragraphs holding the charts."""
    charted = [r for r in section if r.value is not None]
    rates = [r for r in charted if r.unit == Unit.PERCENT]
    counts = [r for r in charted if r.unit in COUNT_UNITS]
    paragraphs = []
    for title, rows, series, labels, number_format, maximum in (
        (
            _("%(section)s: rates") % {"section": heading},
            rates,
            pgettext("chart series", "Rate"),
            [r.label for r in rates],
            '0.0"%"',
            100,
        ),
        (
            _("%(section)s: counts") % {"section": heading},
            counts if len(counts) > 1 else [],
            pgettext("chart series", "Count"),
            [f"{r.label}（{r.unit.label}）" for r in counts],
            "#,##0",
            None,
        ),
    ):
        if not rows:
            continue
        told = "；".join(f"{r.label}{_amount(r)}" for r in rows)
        paragraphs.append(
            add_chart(
                doc,
                kind="bar",
                title=title,
                categories=labels,
                series=[(series, [r.value for r in rows])],
                number_format=number_format,
                maximum=maximum,
                description=f"{title}：{told}。",
            )
        )
    return paragraphs


def provenance(result: FigureResult, taken_at: datetime) -> str:
    """The comment beside a number: what it counts, its registry key, period and snapshot."""
    moment = timezone.localtime(taken_at, SHANGHAI)
    parts = f"（{result.numerator}/{result.denominator}）" if result.unit == Unit.PERCENT else ""
    return (
        f"口径：{result.definition}{parts}。数据来源：统计指标 {result.key}；"
        f"统计期间：{result.period.first_day.isoformat()}至{result.period.last_day.isoformat()}；"
        f"快照时间：{moment:%Y-%m-%d %H:%M:%S}。"
    )


def changes_since(previous: dict[str, Any], figures: SummaryFigures) -> list[tuple[str, str, str]]:
    """(what, before, now) for each figure whose value differs from the last issued version."""
    changed = []
    for key, result in figures.results.items():
        if key not in previous:
            continue
        before = previous[key]
        if before != result.measured.value:
            shown_before = FigureResult(result.figure, result.period, result.organization, FigureValue(before))
            changed.append((result.label, _amount(shown_before), _amount(result)))
    return changed


def version_changes(document: Any) -> list[tuple[str, str, str]]:
    """(what, before, now) between an issued version and the one it superseded, from the
    figures frozen in each (nothing is recomputed); empty for a first version."""
    from sunshine.core.figures import figure_get

    previous = getattr(document, "supersedes", None)
    if previous is None:
        return []
    changed = []
    for key, now in document.figures.items():
        before = previous.figures.get(key)
        if key in ("narrative", "snapshot") or key not in previous.figures or before == now:
            continue
        try:
            figure = figure_get(key)
        except KeyError:
            continue
        period = Period.year(document.year)

        def shown(value: Any, figure: Any = figure, period: Period = period) -> str:
            return _amount(FigureResult(figure, period, document.organization, FigureValue(value)))

        changed.append((str(figure.label), shown(before), shown(now)))
    return changed


def summary_docx(
    *,
    bureau: Any,
    year: int,
    number: str,
    figures: SummaryFigures,
    narrative: dict[str, str],
    previous: tuple[str, dict[str, Any]] | None = None,
) -> bytes:
    with translation.override("zh-hans"):
        return _summary(
            bureau=bureau, year=year, number=number, figures=figures, narrative=narrative, previous=previous
        )


def _summary(
    *,
    bureau: Any,
    year: int,
    number: str,
    figures: SummaryFigures,
    narrative: dict[str, str],
    previous: tuple[str, dict[str, Any]] | None,
) -> bytes:
    doc = WordDocument()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, bureau.name, font="方正小标宋简体", size=26, color=RED)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(line, number, font="仿宋", size=16)
    red_rule(line)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(title, f"{bureau.name}{year}年度工作总结", font="方正小标宋简体", size=22)

    def body() -> Any:
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        p.paragraph_format.first_line_indent = Pt(32)
        return p

    def heading(text: str, font: str = "黑体") -> None:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        add_run(p, text, font=font, size=16)

    def told(p: Any, result: FigureResult) -> None:
        """The number as a run, with its provenance as a Word comment."""
        run = add_run(p, _amount(result), font="仿宋", size=16)
        doc.add_comment(run, text=provenance(result, figures.taken_at), author=AUTHOR, initials="YG")

    def text(p: Any, words: str) -> None:
        add_run(p, words, font="仿宋", size=16)

    intro = body()
    text(
        intro,
        f"{year}年，{bureau.name}在上级党委、政府的正确领导下，坚持全面从严治党，推进政务公开，"
        "现将全年工作总结如下（文中数据均取自阳光平台统计指标，口径见批注）：",
    )
    results = figures.results
    index = {key: (heading_text, keys) for key, heading_text, keys in SECTIONS}
    for part_no, (part_title, keys) in enumerate(PARTS):
        heading(f"{NUMERALS[part_no]}、{part_title}")
        for n, key in enumerate(keys, start=1):
            heading_text, figure_keys = index[key]
            heading(f"（{NUMERALS[n - 1]}）{heading_text}", font="楷体")
            for chunk in (narrative.get(key) or "").splitlines():
                if chunk.strip():
                    text(body(), chunk.strip())
            present = [results[k] for k in figure_keys if k in results]
            if key == "petitions" and {"petitions.received", "petitions.closed", "petitions.closure_rate"} <= set(
                results
            ):
                p = body()
                text(p, "今年共接到信访件")
                told(p, results["petitions.received"])
                text(p, "，办结")
                told(p, results["petitions.closed"])
                text(p, "，办结率")
                told(p, results["petitions.closure_rate"])
                text(p, "。")
                present = [
                    r
                    for r in present
                    if r.key not in ("petitions.received", "petitions.closed", "petitions.closure_rate")
                ]
            if present:
                p = body()
                text(p, "全年")
                for i, result in enumerate(present):
                    text(p, f"{result.label}")
                    told(p, result)
                    text(p, "。" if i == len(present) - 1 else "；")
            section_charts(doc, str(heading_text), [results[k] for k in figure_keys if k in results])

    heading(f"{NUMERALS[len(PARTS)]}、主要数据")
    grid = doc.add_table(rows=1, cols=3)
    grid.style = "Table Grid"
    for c, label in enumerate(("指标", "数值", "口径")):
        add_run(grid.cell(0, c).paragraphs[0], label, font="仿宋", size=10.5, bold=True)
    for result in results.values():
        cells = grid.add_row().cells
        add_run(cells[0].paragraphs[0], result.label, font="仿宋", size=10.5)
        add_run(cells[1].paragraphs[0], _amount(result), font="仿宋", size=10.5)
        add_run(cells[2].paragraphs[0], result.definition, font="仿宋", size=10.5)

    if previous is not None:
        previous_number, previous_figures = previous
        changed = changes_since(previous_figures, figures)
        heading(f"{NUMERALS[len(PARTS) + 1]}、与上次印发版本相比的变化")
        if changed:
            text(body(), f"与{previous_number}上次印发的版本相比，以下数据有变化：")
            for what, before, now in changed:
                text(body(), f"{what}：由{before}变为{now}。")
        else:
            text(body(), f"与{previous_number}上次印发的版本相比，数据没有变化。")

    for words in (bureau.name, chinese_date(timezone.localdate())):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Cm(1.5)
        add_run(p, words, font="仿宋", size=16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- services ---------------------------------------------------------------------------


def summary_get(*, bureau: Any, year: int) -> Any:
    from sunshine.reports.models import AnnualSummary

    summary, _created = AnnualSummary.objects.get_or_create(bureau=bureau, year=year)
    return summary


def _check_writer(actor: Any, bureau: Any) -> None:
    from sunshine.reports.access import summary_may_issue

    if actor is None or not summary_may_issue(actor, bureau):
        raise PermissionDenied(_("Only the bureau's leaders and staff may write its annual summary."))


@transaction.atomic
def summary_narrative_save(*, bureau: Any, year: int, narrative: dict[str, str], actor: Any) -> Any:
    """Keep the staff's text of the year's summary (only known sections)."""
    _check_writer(actor, bureau)
    summary = summary_get(bureau=bureau, year=year)
    known = {key for key, _h, _k in SECTIONS}
    summary.narrative = {k: (v or "").strip() for k, v in narrative.items() if k in known}
    summary.updated_by = actor if getattr(actor, "pk", None) else None
    summary.save()
    audit_record(actor=actor, action="reports.summary_narrative_save", target=summary, data={"year": year})
    return summary


def summary_current(summary: Any) -> Any:
    from sunshine.core.issued import document_for

    return document_for(summary, kind=SUMMARY_DOCUMENT)


@transaction.atomic
def summary_issue(*, bureau: Any, year: int, actor: Any, now: datetime | None = None) -> Any:
    """Write the year's summary from a fresh snapshot and issue it (文号); a summary
    issued before is re-issued as a new version under the same number, listing what
    changed since. The narrative printed is frozen with it."""
    from sunshine.core.issued import document_issue, document_reissue

    _check_writer(actor, bureau)
    summary = summary_get(bureau=bureau, year=year)
    figures = summary_figures(bureau=bureau, year=year, now=now)
    narrative = dict(summary.narrative)
    frozen = {**figures.frozen(), "narrative": narrative, "snapshot": figures.taken_at.isoformat()}
    title = f"{bureau.name}{year}年度工作总结"
    filename = f"{year}年度工作总结.docx"
    previous = summary_current(summary)
    if previous is None:
        return document_issue(
            kind=SUMMARY_DOCUMENT,
            organization=bureau,
            title=title,
            content=lambda number: summary_docx(
                bureau=bureau, year=year, number=number, figures=figures, narrative=narrative
            ),
            filename=filename,
            content_type=DOCX_TYPE,
            actor=actor,
            item=summary,
            period=(figures.period.first_day, figures.period.last_day),
            figures=frozen,
            year=year,
        )
    data = summary_docx(
        bureau=bureau,
        year=year,
        number=previous.number,
        figures=figures,
        narrative=narrative,
        previous=(previous.number, dict(previous.figures)),
    )
    return document_reissue(
        document=previous,
        content=data,
        actor=actor,
        reason=_("The summary was written again from the current figures."),
        filename=filename,
        figures=frozen,
    )
