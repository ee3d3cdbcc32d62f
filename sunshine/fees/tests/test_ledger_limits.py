"""The ledger import against hostile or broken files: refused with a Chinese message
before parsing (zip bomb, one huge cell, an over-long CSV field, a workbook without
sheets, an amount like 1e100), nothing stored and no bytes left on disk; orphaned
bytes of failed imports are swept after a day."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from sunshine.core.models import AuditEntry, StoredFile
from sunshine.core.tests.test_imports import huge_cell_bomb, repacked
from sunshine.core.uploads import UPLOADS_DIR, uploads_sweep_orphans
from sunshine.fees.models import LedgerRow, LedgerUpload
from sunshine.fees.services import ledger_audit, ledger_import
from sunshine.fees.tests.test_audit import CLEAN, HEADER
from sunshine.fees.tests.test_views import client_of


def files_on_disk() -> set[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / UPLOADS_DIR
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def filed(world):
    world.file(world.primary, "meals", 90000)
    return world


def refused(world, upload: SimpleUploadedFile) -> list[str]:
    """Import ``upload``; it must be refused, leaving no upload, row, file row or bytes."""
    before = files_on_disk()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        ledger_import(school=world.primary, term=world.term, file=upload, actor=world.clerk)
    assert not LedgerUpload.objects.exists() and not LedgerRow.objects.exists()
    assert not StoredFile.objects.exists()
    assert not AuditEntry.objects.filter(action="fees.ledger_import").exists()
    assert files_on_disk() == before
    return caught.value.messages


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_ledger_is_refused_before_parsing(filed):
    """A ledger of ~60 KB holding one 60 MB cell: refused from the zip directory."""
    bomb = huge_cell_bomb(60 * 1024 * 1024)
    messages = refused(filed, SimpleUploadedFile("ledger.xlsx", bomb))
    assert len(messages) == 1 and "压缩比异常" in messages[0]


def test_one_huge_cell_is_refused_with_its_place(filed):
    data = xlsx_bytes(
        [["学号", "姓名", "收费项目", "金额", "收费日期"], ["S1", "长" * 5000, "伙食费", 900, "2026-09-01"]]
    )
    messages = refused(filed, SimpleUploadedFile("ledger.xlsx", data))
    assert messages == ["第2行B列：单元格内容超过1000个字符，请删减后重试。"]


def test_an_over_long_csv_field_is_refused(filed):
    body = "\n".join([HEADER, 'S1,"' + "长" * 200_000 + '",伙食费,900,2026-09-01,R1']).encode()
    messages = refused(filed, SimpleUploadedFile("ledger.csv", body, content_type="text/csv"))
    assert messages == ["第2行：某一字段超过1000个字符（是否有引号未闭合？），请删减后重试。"]


def test_a_workbook_without_sheets_is_refused(filed):
    data = repacked(xlsx_bytes([["学号"]]), drop="xl/worksheets/")
    assert refused(filed, SimpleUploadedFile("ledger.xlsx", data)) == ["该工作簿中没有工作表。"]


@pytest.mark.parametrize("amount", ["1e100", "1E+30", "123456789012345678901234567890", "NaN", "-Infinity"])
def test_absurd_amounts_are_refused_by_row(filed, amount):
    body = "\n".join([HEADER, *CLEAN[:1], f"S9,某,伙食费,{amount},2026-09-01,R9"]).encode()
    messages = refused(filed, SimpleUploadedFile("ledger.csv", body, content_type="text/csv"))
    assert messages == [f"第3行：金额“{amount}”不是有效的元数。"]


def test_an_absurd_amount_in_a_workbook_cell(filed):
    data = xlsx_bytes([["学号", "收费项目", "金额", "收费日期"], ["S1", "伙食费", 1e100, "2026-09-01"]])
    messages = refused(filed, SimpleUploadedFile("ledger.xlsx", data))
    assert len(messages) == 1 and messages[0].startswith("第2行：金额“1e+100”")


def test_the_upload_page_answers_400_in_chinese(filed):
    client = client_of(filed.clerk)
    client.cookies["django_language"] = "zh-hans"
    bomb = SimpleUploadedFile("ledger.xlsx", huge_cell_bomb(60 * 1024 * 1024))
    response = client.post(
        reverse("fees:ledger-upload"),
        {"school": filed.primary.pk, "term": filed.term.pk, "file": bomb},
    )
    assert response.status_code == 400
    assert "压缩比异常" in response.content.decode()
    assert not LedgerUpload.objects.exists() and not StoredFile.objects.exists()


def test_the_sweep_removes_only_old_orphans(filed):
    """Bytes with no row older than a day go; bytes with a row, and young orphans, stay."""
    upload = ledger_import(
        school=filed.primary,
        term=filed.term,
        file=SimpleUploadedFile("l.csv", "\n".join([HEADER, *CLEAN[:1]]).encode()),
        actor=filed.clerk,
    )
    kept = upload.stored_file.file.name
    old_orphan = default_storage.save(f"{UPLOADS_DIR}/2026/01/02/orphan.csv", ContentFile(b"x"))
    young_orphan = default_storage.save(f"{UPLOADS_DIR}/2026/01/02/young.csv", ContentFile(b"y"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(old_orphan), (two_days_ago, two_days_ago))
    os.utime(default_storage.path(kept), (two_days_ago, two_days_ago))
    assert uploads_sweep_orphans() == 1
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan) and default_storage.exists(kept)
    assert uploads_sweep_orphans(older_than=timedelta(0)) >= 1  # the folder is shared with other tests
    assert not default_storage.exists(young_orphan) and default_storage.exists(kept)
    default_storage.delete(kept)  # the storage outlives this test's rolled-back rows


def test_the_findings_export_writes_no_formula(filed):
    """A student name typed as a formula comes out of the export as text."""
    name = "=cmd|' /C calc'!A0"
    body = "\n".join([HEADER, f"S9,{name},上机费,20,2026-09-01,R", "S8,@SUM(1+1),上机费,20,2026-09-01,R"])
    ledger_import(
        school=filed.primary, term=filed.term, file=SimpleUploadedFile("l.csv", body.encode()), actor=filed.clerk
    )
    ledger_audit(school=filed.primary, term=filed.term, actor=filed.reviewer)
    response = client_of(filed.reviewer).get(reverse("fees:finding-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert {name, "@SUM(1+1)"} <= {cell.value for cell in cells}


def test_the_sweep_is_a_daily_periodic_job(filed):
    from sunshine.core.scheduler import PERIODIC_JOBS
    from sunshine.core.tasks import uploads_sweep_task

    assert PERIODIC_JOBS["uploads-sweep"] == ("sunshine.core.tasks.uploads_sweep_task", 24 * 3600)
    orphan = default_storage.save(f"{UPLOADS_DIR}/2026/01/03/orphan.xlsx", ContentFile(b"x"))
    old = time.time() - 3 * 24 * 3600
    os.utime(default_storage.path(orphan), (old, old))
    assert uploads_sweep_task.enqueue().return_value["deleted"] >= 1
    assert not default_storage.exists(orphan)
