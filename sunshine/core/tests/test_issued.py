"""Issued documents as records: numbers per series, the bytes and their SHA-256, versions,
and who may read them before and after publication."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from docx import Document

from sunshine.core.issued import (
    document_access_allowed,
    document_for,
    document_issue,
    document_list_for,
    document_publish,
    document_reissue,
    document_unpublish,
    register_document_kind,
)
from sunshine.core.models import AuditEntry, DocumentSeries, IssuedDocument, StoredFile
from sunshine.core.testing import client_for, login_verified, user_with_role
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND = "core.test_notice"
OTHER_KIND = "core.test_bulletin"
register_document_kind(KIND, label="test notice", number_prefix="{initial}教测")
register_document_kind(
    OTHER_KIND,
    label="test bulletin",
    number_prefix="{short_name}通报",
    number_pattern="{prefix}〔{year}〕第{sequence}期",
)


def word(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def word_with_number(number: str) -> bytes:
    return word(f"示范文件 {number}")


@pytest.fixture
def district(db):
    bureau = BureauFactory(name="示范区教育局", short_name="示范区教育局")
    school = SchoolFactory(parent=bureau, name="示范区第一小学", short_name="示范一小")
    other = SchoolFactory(parent=bureau, name="示范区第二小学")
    department = DepartmentFactory(parent=bureau)
    return {
        "bureau": bureau,
        "school": school,
        "other": other,
        "department": department,
        "clerk": user_with_role(Role.SCHOOL_CLERK, organization=school),
        "other_clerk": user_with_role(Role.SCHOOL_CLERK, organization=other),
        "leader": user_with_role(Role.LEADER, organization=bureau),
        "staff": user_with_role(Role.DEPARTMENT_STAFF, organization=department),
        "sysadmin": user_with_role(Role.SYSTEM_ADMIN, organization=bureau),
        "supervisor": user_with_role(Role.SUPERVISOR, organization=bureau),
    }


def issue(district, *, organization=None, kind=KIND, actor=None, **kwargs):
    organization = organization or district["school"]
    defaults = {
        "title": "关于收费的通知",
        "content": word_with_number,
        "filename": "通知.docx",
        "content_type": DOCX,
    }
    defaults.update(kwargs)
    return document_issue(kind=kind, organization=organization, actor=actor or district["leader"], **defaults)


def test_numbers_are_sequential_per_organisation_kind_and_year(district):
    first, second, third = (issue(district) for _ in range(3))
    assert [d.sequence for d in (first, second, third)] == [1, 2, 3]
    assert [d.number for d in (first, second, third)] == [f"示教测〔{first.year}〕{n}号" for n in (1, 2, 3)]
    assert first.year == timezone.localdate().year
    # Another organisation, another kind, another year: each its own series from 1.
    assert issue(district, organization=district["other"]).number == f"示教测〔{first.year}〕1号"
    assert issue(district, kind=OTHER_KIND).number == f"示范一小通报〔{first.year}〕第1期"
    assert issue(district, year=2030).number == "示教测〔2030〕1号"
    assert DocumentSeries.objects.get(organization=district["school"], kind=KIND, year=first.year).last == 3
    assert IssuedDocument.objects.filter(kind=KIND, organization=district["school"]).count() == 4


def test_a_number_already_taken_is_skipped_not_duplicated(district):
    """The unique constraint is the last guard: a counter behind the records (a number
    recorded some other way) makes the issue retry with the next free number."""
    first = issue(district)
    DocumentSeries.objects.filter(organization=district["school"], kind=KIND).update(last=0)
    second = issue(district)
    assert (first.sequence, second.sequence) == (1, 2)
    assert DocumentSeries.objects.get(organization=district["school"], kind=KIND).last == 2


def test_the_recorded_bytes_and_their_sha256(district):
    document = issue(
        district,
        figures={"fees.notice.items": 7, "fees.notice.total_fen": 123400},
        period=(date(2026, 3, 1), date(2026, 7, 15)),
    )
    stored = document.file
    with stored.file.open("rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256 == stored.sha256
    assert document.content_type == stored.content_type == DOCX
    assert stored.purpose == "core.issued_document" and stored.original_name == "通知.docx"
    # A real Word document that opens back and carries its number.
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert document.number in text
    document.refresh_from_db()
    assert document.figures == {"fees.notice.items": 7, "fees.notice.total_fen": 123400}
    assert (document.period_start, document.period_end) == (date(2026, 3, 1), date(2026, 7, 15))
    assert document.issued_by == district["leader"] and document.version == 1 and not document.published
    entry = AuditEntry.objects.filter(action="core.document_issue").get()
    assert entry.data["number"] == document.number and entry.data["sha256"] == document.sha256
    with pytest.raises(ValueError):
        document.save()  # a record is never rewritten


def test_bad_input_stores_nothing(district, settings):
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    before = {p for p in root.rglob("*") if p.is_file()}
    with pytest.raises(ValueError):  # the bytes are not what the caller says they are
        issue(district, content_type="application/pdf")
    with pytest.raises(ValidationError):
        issue(district, figures={"fees.total": object()})
    with pytest.raises(ValidationError):
        issue(district, title=" ")
    with pytest.raises(PermissionDenied):  # another school's clerk issues nothing in this school's name
        issue(district, actor=district["other_clerk"])
    assert not IssuedDocument.objects.exists() and not StoredFile.objects.exists()
    assert {p for p in root.rglob("*") if p.is_file()} == before
    assert not DocumentSeries.objects.filter(last__gt=0).exists()


def test_reissue_makes_a_new_version_and_keeps_the_old(district):
    item = district["other"]  # any saved object can be the item a document belongs to
    old = issue(district, item=item, figures={"k": 1})
    new = document_reissue(
        document=old, content=lambda n: word(f"更正 {n}"), actor=district["clerk"], reason="更正金额"
    )
    old.refresh_from_db()
    assert (new.number, new.sequence, new.version, new.supersedes) == (old.number, old.sequence, 2, old)
    assert old.superseded_at is not None and new.superseded_at is None
    assert new.figures == {"k": 1} and new.reissue_reason == "更正金额" and new.item == item
    assert new.sha256 != old.sha256
    with old.file.file.open("rb") as fh:  # the old bytes are still on file
        assert hashlib.sha256(fh.read()).hexdigest() == old.sha256
    assert document_for(item, kind=KIND) == new
    with pytest.raises(ValidationError):
        document_reissue(document=old, content=word_with_number, actor=district["clerk"], reason="再改")
    with pytest.raises(ValidationError):
        document_reissue(document=new, content=word_with_number, actor=district["clerk"], reason="")
    with pytest.raises(PermissionDenied):
        document_reissue(document=new, content=word_with_number, actor=district["other_clerk"], reason="改")
    assert IssuedDocument.objects.count() == 2
    assert DocumentSeries.objects.get(organization=district["school"], kind=KIND).last == 1  # no new number


def test_unpublished_documents_are_read_by_the_organisation_and_above_only(district):
    document = issue(district)
    url = reverse("core:document-download", args=[document.pk])
    file_url = reverse("core:file-download", args=[document.file.pk])
    for who in ("clerk", "leader", "staff"):
        client = client_for("anonymous")[0]
        login_verified(client, district[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert response["Cache-Control"] == "private, no-store"
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
        assert client.get(file_url).status_code == 200
    for who in ("other_clerk", "sysadmin", "supervisor"):
        client = client_for("anonymous")[0]
        login_verified(client, district[who])
        assert client.get(url).status_code == 404, who
        assert client.get(file_url).status_code == 404, who
    anonymous = client_for("anonymous")[0]
    assert anonymous.get(url).status_code == 404 and anonymous.get(file_url).status_code == 404
    public, public_user = client_for("public")
    assert public.get(url).status_code == 404
    assert not document_access_allowed(public_user, document)
    assert list(document_list_for(district["clerk"])) == [document]
    assert list(document_list_for(district["staff"])) == [document]
    assert list(document_list_for(district["other_clerk"])) == []
    assert list(document_list_for(None)) == []
    assert AuditEntry.objects.filter(action="core.file_download").count() == 6

    with pytest.raises(PermissionDenied):
        document_publish(document=document, actor=district["other_clerk"])
    document_publish(document=document, actor=district["clerk"])
    response = anonymous.get(url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    assert list(document_list_for(public_user)) == [document]
    assert AuditEntry.objects.filter(action="core.document_publish").count() == 1

    document_unpublish(document=document, actor=district["clerk"], reason="撤回")
    assert anonymous.get(url).status_code == 404


def test_a_kind_may_name_its_own_readers(district):
    """A kind's ``may_read`` replaces the default rule (petitions keep the accused unit out)."""
    register_document_kind(
        "core.test_private", label="private", number_prefix="密", may_read=lambda user, doc: user == doc.issued_by
    )
    document = issue(district, kind="core.test_private", actor=district["leader"])
    assert document_access_allowed(district["leader"], document)
    assert not document_access_allowed(district["clerk"], document)  # staff of the school, but not a reader
    assert list(document_list_for(district["clerk"])) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number():
    """Eight workers issue at once. On PostgreSQL they race for real (the series row lock
    and the unique constraint keep the numbers apart); SQLite serialises writers, so
    there the threads take turns."""
    bureau = BureauFactory(name="并发区教育局")
    leader = user_with_role(Role.LEADER, organization=bureau)
    workers = 8
    barrier = threading.Barrier(workers)
    turn = threading.Lock() if connection.vendor == "sqlite" else None
    numbers: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            if turn is not None:
                turn.acquire()
            try:
                document = document_issue(
                    kind=KIND,
                    organization=bureau,
                    title="并发",
                    content=word_with_number,
                    filename="a.docx",
                    content_type=DOCX,
                    actor=leader,
                )
                numbers.append(document.number)
            finally:
                if turn is not None:
                    turn.release()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = timezone.localdate().year
    assert sorted(numbers) == sorted(f"并教测〔{year}〕{n}号" for n in range(1, workers + 1))
    assert sorted(IssuedDocument.objects.values_list("sequence", flat=True)) == list(range(1, workers + 1))
    assert DocumentSeries.objects.get(organization=bureau, kind=KIND).last == workers


def pdf_with_text(text: str) -> bytes:
    """A minimal hand-written PDF whose one page shows ``text`` (ASCII, Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_is_read_by_the_gate_and_a_scan_needs_the_reviewers_look(district):
    """core.privacy on issued documents: a PDF's text layer is guarded like a .docx (an
    identity number blocks it); a PDF without one (a scan) is published only with the
    reviewer's confirmation, audited with who."""
    from sunshine.core.privacy import ID_CARD, PersonalDataFound, Review, id_check_char, pdf_has_text

    body17 = "33010620150307123"
    id_number = body17 + id_check_char(body17)
    leaky = pdf_with_text(f"Student ID {id_number}")
    assert pdf_has_text(leaky) and not pdf_has_text(pdf_with_text(""))
    before = IssuedDocument.objects.count()
    with pytest.raises(PersonalDataFound) as raised:
        issue(district, content=leaky, filename="list.pdf", content_type="application/pdf", publish=True)
    assert raised.value.kinds == [ID_CARD] and IssuedDocument.objects.count() == before
    scan = issue(district, content=pdf_with_text(""), filename="scan.pdf", content_type="application/pdf")
    with pytest.raises(PersonalDataFound) as raised:
        document_publish(document=scan, actor=district["leader"])
    assert raised.value.scans == [scan.title] and not raised.value.findings
    scan.refresh_from_db()
    assert not scan.published
    document_publish(document=scan, actor=district["leader"], review=Review(scans_seen=True))
    scan.refresh_from_db()
    assert scan.published
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.actor_id == district["leader"].pk and entry.data == {"scans_seen": [scan.title]}
