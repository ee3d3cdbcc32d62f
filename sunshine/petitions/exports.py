"""The workbench queue as an Excel workbook (openpyxl). Case facts for management,
never the filer: no identity column, no facts or request text (PET-9)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sunshine.core.exports import safe_row
from sunshine.petitions import selectors
from sunshine.petitions.models import Petition

EXPORT_LIMIT = 50_000


def export_headers() -> list[str]:
    return [
        _("Case number"),
        _("Received"),
        _("Kind"),
        _("Channel"),
        _("Handling unit"),
        _("Status"),
        _("Due"),
        _("Clock"),
        _("Closed"),
        _("Satisfaction"),
    ]


def _local(value: object) -> object:
    """Excel has no time zones: write the Asia/Shanghai wall-clock time, naive."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)  # type: ignore[arg-type]


def queue_xlsx(petitions: Iterable[Petition]) -> bytes:
    """One row per case, in the queue's order (at most EXPORT_LIMIT rows)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = pgettext("export", "Petitions")[:31]
    headers = export_headers()
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F4E3C1")
        cell.alignment = Alignment(horizontal="center")
    for count, petition in enumerate(petitions):
        if count >= EXPORT_LIMIT:
            break
        clock = selectors.petition_clock(petition)
        sheet.append(
            safe_row(
                sheet,
                [
                    petition.number,
                    _local(petition.received_at),
                    petition.get_kind_display(),
                    petition.get_channel_display(),
                    petition.assigned_to.name if petition.assigned_to_id else "",  # type: ignore[union-attr]
                    petition.get_status_display(),
                    _local(clock.due) if clock else None,
                    str(clock.rag.label) if clock else "",
                    _local(petition.closed_at),
                    petition.get_satisfaction_display() if petition.satisfaction else "",
                ],
            )
        )
    widths = [20, 18, 14, 16, 24, 12, 18, 8, 18, 12]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column in ("B", "G", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
