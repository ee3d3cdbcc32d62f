"""The Word documents of decisions: the minutes of a meeting (会议纪要), written from its
agenda, members present and absent, recusals, speeches and named votes, and the report
of a public consultation (征求意见采纳情况报告) answering each group of comments."""

from __future__ import annotations

import io
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from sunshine.core.documents import RED, add_run, chinese_date, red_rule
from sunshine.decisions.models import AgendaItem, Comment, Consultation, Meeting

_run = partial(add_run, font="仿宋_GB2312", size=16)
MINUTES_DOCUMENT = "decisions.minutes"
REPORT_DOCUMENT = "decisions.consultation_report"


def _header(doc: Any, organization_name: str, number: str, title: str) -> None:
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, organization_name, font="方正小标宋简体", size=26, bold=True, color=RED)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(line, number)
    red_rule(line, space=1)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title, font="方正小标宋简体", size=22)


def _para(doc: Any, text: str, *, bold: bool = False, indent: bool = True) -> None:
    paragraph = doc.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    _run(paragraph, text, bold=bold)


def _bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _agenda_lines(point: AgendaItem) -> list[str]:
    lines: list[str] = []
    if point.kind == AgendaItem.Kind.REPORT:
        for task in point.item.tasks.select_related("unit"):
            lines.append(
                _("Task decided: %(task)s (%(unit)s) — %(status)s. %(progress)s")
                % {"task": task.text, "unit": task.unit.name, "status": task.get_status_display(),
                   "progress": task.progress}
            )  # fmt: skip
        for project in point.item.projects.prefetch_related("reports"):
            last = project.reports.first()
            lines.append(
                _("Project %(title)s: progress %(progress)s.")
                % {"title": project.title, "progress": f"{last.progress_bp / 100:.0f}%" if last else "0%"}
            )
        lines.append(_("Progress reported: %(text)s") % {"text": point.report_text or _("none")})
        return lines
    recusals = list(point.recusals.select_related("member"))
    for recusal in recusals:
        lines.append(
            _("%(name)s stepped aside (%(reason)s) and did not count toward the quorum.")
            % {"name": recusal.member.name, "reason": recusal.reason}
        )
    for speech in point.speeches.select_related("member").order_by("order"):
        lines.append(_("%(name)s: %(text)s") % {"name": speech.member.name, "text": speech.text})
    votes = list(point.votes.select_related("member").order_by("member__order", "member__pk"))
    if votes:
        lines.append(
            _("Votes: %(votes)s.") % {"votes": "；".join(f"{v.member.name}{v.get_choice_display()}" for v in votes)}
        )
    for vote in votes:
        if vote.dissent:
            lines.append(
                _("Differing view of %(name)s, in the member's words: %(text)s")
                % {"name": vote.member.name, "text": vote.dissent}
            )
    lines.append(_("Outcome: %(outcome)s.") % {"outcome": point.get_outcome_display()})
    if point.resolution:
        lines.append(_("Resolution: %(text)s") % {"text": point.resolution})
    return lines


def minutes_docx(meeting: Meeting, number: str, *, amendments: list[tuple[str, str, str]] = ()) -> bytes:  # type: ignore[assignment]
    """The minutes of ``meeting`` under ``number``; ``amendments`` (text, signer, date) are
    the signed corrections appended to a re-issued version."""
    doc = Document()
    _header(doc, meeting.organization.name, number, _("Minutes of the %(kind)s") % {"kind": meeting.get_kind_display()})
    members = list(meeting.members.all())
    present = [m.name for m in members if m.present]
    absent = [f"{m.name}（{m.absence_reason or _('no reason given')}）" for m in members if not m.present]
    _para(
        doc,
        _("On %(date)s, %(title)s was held at %(place)s, chaired by %(chair)s.")
        % {
            "date": chinese_date(timezone.localtime(meeting.held_at)),
            "title": meeting.title,
            "place": meeting.place or _("the meeting room"),
            "chair": meeting.chair or "—",
        },
    )
    _para(doc, _("Members present: %(names)s.") % {"names": "、".join(present) or "—"})
    _para(doc, _("Members absent: %(names)s.") % {"names": "、".join(absent) or _("none")})
    if meeting.attendees:
        _para(doc, _("Also attending: %(names)s.") % {"names": meeting.attendees})
    for index, point in enumerate(meeting.agenda.select_related("item").order_by("order", "pk"), start=1):
        _para(doc, f"{index}. {point.item.title}（{point.get_kind_display()}）", bold=True, indent=False)
        for line in _agenda_lines(point):
            _para(doc, line)
    for text, signer, day in amendments:
        _para(
            doc, _("Amendment signed by %(name)s on %(date)s: %(text)s") % {"name": signer, "date": day, "text": text}
        )
    recorder = doc.add_paragraph()
    recorder.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(
        recorder,
        _("Recorded by %(name)s") % {"name": meeting.recorder.get_full_name() or meeting.recorder.get_username()},
    )
    return _bytes(doc)


def report_docx(consultation: Consultation, number: str) -> bytes:
    """The consultation report: how long the draft was open, how many comments came, and the
    answer to each group (DEC-1 Art. 15), as they passed the personal-data gate
    (``public_title``, ``public_reason``). No commenter's name is printed."""
    doc = Document()
    organization = consultation.item.organization
    _header(
        doc, organization.name, number, _("Report on the public comments on %(title)s") % {"title": consultation.title}
    )
    accepted = consultation.comments.filter(moderation=Comment.Moderation.ACCEPTED)
    _para(
        doc,
        _(
            "The draft was published for comment on %(start)s and stayed open until %(end)s (%(days)s days). "
            "%(count)s comments were received; %(accepted)s were taken into account after moderation."
        )
        % {
            "start": chinese_date(timezone.localtime(consultation.opened_at)),
            "end": chinese_date(timezone.localtime(consultation.closed_at or timezone.now())),
            "days": consultation.days_open,
            "count": consultation.comments.count(),
            "accepted": accepted.count(),
        },
    )
    for index, group in enumerate(consultation.groups.all(), start=1):
        _para(
            doc,
            _("%(n)s. %(title)s (%(count)s comments)")
            % {"n": index, "title": group.public_title, "count": group.comments.count()},
            bold=True,
            indent=False,
        )
        answer = {"answer": group.get_answer_display(), "reason": group.public_reason}
        _para(doc, _("Answer: %(answer)s. %(reason)s") % answer)
    signature = doc.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(signature, organization.name)
    return _bytes(doc)
