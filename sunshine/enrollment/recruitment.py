"""Teacher recruitment (ENR-3): every stage's list published as a document record
(core.issued) and in the catalogue under "hiring"; a revised list shows what changed;
the proposed appointees' publicity period is the ENR-3 minimum display clock (core
supervision: never ended early); objections during it are recorded and answered, and
no one is appointed before it is over and every objection answered."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_public, audit_record
from sunshine.core.documents import add_run, chinese_date
from sunshine.core.downloads import DOCX_TYPE
from sunshine.core.issued import document_issue
from sunshine.core.privacy import ID_CARD, STUDENT_NUMBER, redact, scan
from sunshine.core.seams import DisclosureEntry, SeamUnavailable, disclosure_entry_publish
from sunshine.core.supervision import supervision_get_active, supervision_open
from sunshine.enrollment import access
from sunshine.enrollment.models import Objection, Recruitment, RecruitmentList
from sunshine.orgs.models import Organization

LIST_DOCUMENT = "enrollment.recruitment_list"
COLUMNS = 4  # candidate number, name, score, result


def _manager(actor: Any, organization: Organization) -> None:
    if actor is None or not access.can_manage(actor, organization.bureau):
        raise PermissionDenied(_("You may not manage this recruitment."))


def rows_parse(text: str) -> list[list[str]]:
    """One candidate a line: number, name, score, result (commas or tabs); the number is
    unique."""
    rows: list[list[str]] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        # ENR-3 / DIS-2: a published list carries identity numbers masked (first six and
        # last four characters); they are masked here, at the source, so the list stored is
        # the list published and the personal-data gate passes it.
        cells = [
            redact(c.strip(), scan(c.strip(), kinds=(ID_CARD, STUDENT_NUMBER)))
            for c in line.replace("\t", ",").replace("，", ",").split(",")
        ]
        cells = (cells + [""] * COLUMNS)[:COLUMNS]
        if not cells[0] or not cells[1]:
            raise ValidationError({"rows": _("Line %(n)s: give the candidate number and the name.") % {"n": n}})
        if cells[0] in seen:
            raise ValidationError({"rows": _("Line %(n)s: candidate number listed twice.") % {"n": n}})
        seen.add(cells[0])
        rows.append(cells)
    if not rows:
        raise ValidationError({"rows": _("The list has no candidate.")})
    return rows


def rows_changes(before: list[list[str]], after: list[list[str]]) -> dict[str, list[Any]]:
    old = {r[0]: r for r in before}
    new = {r[0]: r for r in after}
    return {
        "added": [new[k] for k in new if k not in old],
        "removed": [old[k] for k in old if k not in new],
        "changed": [[old[k], new[k]] for k in new if k in old and old[k] != new[k]],
    }


def _docx(recruitment: Recruitment, stage_label: str, rows: list[list[str]], note: str, number: str) -> bytes:
    from docx import Document

    doc = Document()
    head = doc.add_paragraph()
    add_run(head, f"{recruitment.title}\n{stage_label}", font="黑体", size=16, bold=True)
    add_run(doc.add_paragraph(), number, font="仿宋", size=12)
    if note:
        add_run(doc.add_paragraph(), note, font="仿宋", size=12)
    table = doc.add_table(rows=1, cols=COLUMNS)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("Number"), _("Name"), _("Score"), _("Result")), strict=True):
        add_run(cell.paragraphs[0], str(text), font="黑体", size=11)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            add_run(cell.paragraphs[0], text, font="仿宋", size=11)
    add_run(
        doc.add_paragraph(),
        f"{recruitment.organization.name}　{chinese_date(timezone.localdate())}",
        font="仿宋",
        size=12,
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def recruitment_create(*, actor: Any, organization: Organization, title: str, year: int) -> Recruitment:
    _manager(actor, organization)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("A recruitment needs a title.")})
    recruitment = Recruitment.objects.create(organization=organization, title=title, year=year)
    audit_record(actor=actor, action="enrollment.recruitment_create", target=recruitment)
    return recruitment


@transaction.atomic
def recruitment_list_publish(
    *, actor: Any, recruitment: Recruitment, stage: str, rows_text: str, note: str = ""
) -> RecruitmentList:
    """Publishes a stage's list (a new version if it was published before, with what
    changed), issued as a document record; the proposed appointees start ENR-3."""
    _manager(actor, recruitment.organization)
    Recruitment.objects.select_for_update().get(pk=recruitment.pk)
    if recruitment.appointed_at:
        raise ValidationError(_("The appointment is made; the lists are closed."))
    if stage not in RecruitmentList.Stage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    rows = rows_parse(rows_text)
    previous = RecruitmentList.objects.filter(recruitment=recruitment, stage=stage).order_by("-version").first()
    version = previous.version + 1 if previous else 1
    changes = rows_changes(previous.rows, rows) if previous else {}
    label = str(RecruitmentList.Stage(stage).label)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(RecruitmentList.Stage(stage).label)
        title = f"{recruitment.title}：{label}" + (_("(revised, version %(v)s)") % {"v": version} if previous else "")
        document = document_issue(
            kind=LIST_DOCUMENT,
            organization=recruitment.organization,
            title=title,
            content=lambda number: _docx(recruitment, label, rows, note.strip(), number),
            filename=f"{title}.docx",
            content_type=DOCX_TYPE,
            actor=actor,
            item=recruitment,
            publish=True,
            year=recruitment.year,
        )
    published = RecruitmentList.objects.create(
        recruitment=recruitment,
        stage=stage,
        version=version,
        note=note.strip(),
        rows=rows,
        changes=changes,
        document=document,
        published_at=timezone.now(),
    )
    if stage == RecruitmentList.Stage.PROPOSED and version == 1:
        supervision_open(
            item=published, organization=recruitment.organization, rule_id="ENR-3", start=published.published_at,
            actor=actor, title=title,
        )  # fmt: skip
    body = "".join(f"<p>{escape('　'.join(r))}</p>" for r in rows)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            disclosure_entry_publish(
                DisclosureEntry(
                    organization_id=recruitment.organization_id,
                    category="hiring",
                    title=title,
                    info_date=timezone.localdate(),
                    source_label=f"enrollment.recruitment:{recruitment.pk}:{stage}",
                    body=body,
                    number=document.number,
                ),
                actor=actor,
            )
    except SeamUnavailable:
        pass
    audit_record(
        actor=actor, action="enrollment.recruitment_list_publish", target=published, data={"stage": stage, "v": version}
    )
    return published


def publicity_open(published: RecruitmentList) -> bool:
    """The proposed appointees' ENR-3 display period is running."""
    first = RecruitmentList.objects.filter(
        recruitment=published.recruitment, stage=RecruitmentList.Stage.PROPOSED, version=1
    ).first()
    return first is not None and supervision_get_active(item=first, rule_id="ENR-3") is not None


@transaction.atomic
def objection_file(*, actor: Any, published: RecruitmentList, text: str, contact: str = "") -> Objection:
    """Anyone's objection to the proposed appointees, during the publicity period."""
    if published.stage != RecruitmentList.Stage.PROPOSED or not publicity_open(published):
        raise ValidationError(_("Objections are received while the proposed appointees are on public display."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the objection.")})
    with audit_public():
        objection = Objection.objects.create(list=published, text=text[:4000], contact=contact.strip()[:200])
        audit_record(actor=actor, action="enrollment.objection_file", target=objection)
    return objection


@transaction.atomic
def objection_answer(*, actor: Any, objection: Objection, answer: str) -> Objection:
    _manager(actor, objection.list.recruitment.organization)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    Objection.objects.filter(pk=objection.pk).update(answer=answer, answered_at=timezone.now())
    objection.refresh_from_db()
    audit_record(actor=actor, action="enrollment.objection_answer", target=objection)
    return objection


@transaction.atomic
def recruitment_appoint(*, actor: Any, recruitment: Recruitment) -> Recruitment:
    """ENR-3: no appointment before the publicity period is over and every objection
    answered."""
    _manager(actor, recruitment.organization)
    proposed = recruitment.lists.filter(stage=RecruitmentList.Stage.PROPOSED).order_by("version").first()
    if proposed is None:
        raise ValidationError(_("Publish the proposed appointees first."))
    if publicity_open(proposed):
        raise ValidationError(_("The proposed appointees are still on public display; appoint after the period."))
    if Objection.objects.filter(list__recruitment=recruitment, answered_at__isnull=True).exists():
        raise ValidationError(_("Answer every objection before the appointment."))
    Recruitment.objects.filter(pk=recruitment.pk).update(appointed_at=timezone.now())
    recruitment.refresh_from_db()
    audit_record(actor=actor, action="enrollment.recruitment_appoint", target=recruitment)
    return recruitment
