"""Uploads: sniffing from content, refusals that store nothing, and default-deny downloads."""

from __future__ import annotations

import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from sunshine.core.models import AuditEntry, StoredFile
from sunshine.core.uploads import (
    CHUNK_SIZE,
    KIND_IMAGES,
    KIND_SPREADSHEETS,
    register_file_access,
    upload_store,
)
from sunshine.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """A private media root of this test's own, so 'nothing on disk' can be checked."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- Real files of each kind -------------------------------------------------------------


def make_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))  # 2×2 red, RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out


def make_docx() -> bytes:
    document = Document()
    document.add_paragraph("关于规范办学行为的情况说明")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目", "标准（元）"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_ole(stream_name: str) -> bytes:
    """A minimal Compound File (the container of .doc / .xls) with one named stream entry."""
    free = 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([free] * 126))

    def entry(name: str, kind: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        raw = bytearray(128)
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 0x40, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 0x44, free, free, 1 if kind == 5 else free)
        return bytes(raw)

    directory = entry("Root Entry", 5) + entry(stream_name, 2) + bytes(256)
    return bytes(header) + fat + directory


def upload(name: str, content: bytes, **kwargs) -> StoredFile:
    actor = kwargs.pop("actor", None) or UserFactory()
    claimed = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return upload_store(file=claimed, purpose=kwargs.pop("purpose", "tests.attachment"), actor=actor, **kwargs)


# --- Accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "maker", "content_type"),
    [
        ("证明.png", make_png, "image/png"),
        ("情况说明.pdf", make_pdf, "application/pdf"),
        ("说明.docx", make_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("收费表.xlsx", make_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("旧文档.doc", lambda: make_ole("WordDocument"), "application/msword"),
        ("旧表格.xls", lambda: make_ole("Workbook"), "application/vnd.ms-excel"),
        ("名单.csv", lambda: "姓名,学校\n张三,第一小学\n".encode(), "text/csv"),
        ("名单-gbk.csv", lambda: "姓名,学校\n李四,第二中学\n".encode("gb18030"), "text/csv"),
        ("说明.txt", lambda: "家长来信：反映收费问题。\n".encode("gb18030"), "text/plain"),
    ],
)
def test_real_files_are_stored_with_sniffed_type_hash_and_random_name(media, name, maker, content_type):
    content = maker()
    actor = UserFactory()
    stored = upload(name, content, actor=actor)

    stored.refresh_from_db()
    assert stored.content_type == content_type  # sniffed, not the claimed octet-stream
    assert stored.original_name == name
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.uploaded_by == actor
    # Dated path, random name: the user's file name never reaches the disk.
    assert stored.file.name.startswith("uploads/")
    assert Path(name).stem not in stored.file.name
    on_disk = media / stored.file.name
    assert on_disk.read_bytes() == content
    assert AuditEntry.objects.filter(action="core.file_upload", target_id=str(stored.pk), actor=actor).exists()


def test_the_file_lives_in_private_storage_not_under_static_root(settings, media, client):
    stored = upload("photo.png", make_png())
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(media.resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert client.get(f"/static/{stored.file.name}").status_code == 404
    assert client.get(f"/media/{stored.file.name}").status_code == 404


def test_reading_is_chunked_and_an_endless_upload_is_cut_off_at_the_limit(media):
    class Endless(io.RawIOBase):
        name = "big.pdf"
        largest_read = 0
        total = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            assert size > 0, "upload_store must never read the whole file at once"
            Endless.largest_read = max(Endless.largest_read, size)
            Endless.total += size
            return b"%PDF" + b"x" * (size - 4)

    with pytest.raises(ValidationError) as refused:
        upload_store(file=Endless(), purpose="tests.attachment", actor=None, max_bytes=1_000_000)
    assert refused.value.code == "too_large"
    assert Endless.largest_read <= CHUNK_SIZE
    assert Endless.total <= 1_000_000 + CHUNK_SIZE
    assert files_on_disk(media) == []


# --- Refused: nothing stored -----------------------------------------------------------------


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "code"),
    [
        ("large.pdf", make_pdf(), {"max_bytes": 100}, "too_large"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), {}, "type_mismatch"),
        ("report.docx", plain_zip(), {}, "type_mismatch"),
        ("data.csv", b"a,b\n\x00\x01\x02\x03binary\x00", {}, "type_mismatch"),
        ("notes.pdf", "这是一段文字".encode(), {}, "type_mismatch"),
        ("picture.png", make_pdf(), {}, "type_mismatch"),
        ("table.doc", make_ole("Workbook"), {}, "type_mismatch"),
        ("tool.exe", b"MZ" + bytes(300), {}, "unknown_type"),
        ("empty.pdf", b"", {}, "empty"),
        ("scan.pdf", make_pdf(), {"allowed_kinds": KIND_IMAGES}, "type_not_allowed"),
        ("letter.docx", make_docx(), {"allowed_kinds": KIND_SPREADSHEETS}, "type_not_allowed"),
    ],
)
def test_refused_files_leave_no_row_and_no_bytes(media, name, content, kwargs, code):
    with pytest.raises(ValidationError) as refused:
        upload(name, content, **kwargs)
    assert refused.value.code == code
    assert str(refused.value.messages[0])  # a message a person can read
    assert StoredFile.objects.count() == 0
    assert files_on_disk(media) == []
    assert not AuditEntry.objects.filter(action="core.file_upload").exists()


def test_the_size_limit_defaults_to_the_setting(settings, media):
    settings.SUNSHINE_UPLOAD_MAX_BYTES = 50
    with pytest.raises(ValidationError) as refused:
        upload("scan.pdf", make_pdf())
    assert refused.value.code == "too_large"
    settings.SUNSHINE_UPLOAD_MAX_BYTES = 10_000
    assert upload("scan.pdf", make_pdf()).size == len(make_pdf())


# --- Downloads -------------------------------------------------------------------------------


def test_download_is_granted_by_a_registered_check(media, client):
    reader = UserFactory()
    purpose = f"tests.granted.{uuid.uuid4().hex}"
    register_file_access(purpose, lambda user, stored: user == reader)
    content = make_pdf()
    stored = upload("关于收费问题的答复.pdf", content, purpose=purpose)

    client.force_login(reader)
    response = client.get(reverse("core:file-download", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''%E5%85%B3%E4%BA%8E" in disposition  # RFC 5987, 关于…
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="core.file_download", target_id=str(stored.pk)).exists()


def test_download_is_404_for_other_users_anonymous_and_unknown_ids(media, client):
    reader, other = UserFactory(), UserFactory()
    purpose = f"tests.granted.{uuid.uuid4().hex}"
    register_file_access(purpose, lambda user, stored: user == reader)
    stored = upload("photo.png", make_png(), purpose=purpose, actor=other)
    url = reverse("core:file-download", args=[stored.pk])

    assert client.get(url).status_code == 404  # anonymous
    client.force_login(other)  # even the uploader: only the registered check decides
    assert client.get(url).status_code == 404
    assert client.get(reverse("core:file-download", args=[uuid.uuid4()])).status_code == 404
    assert not AuditEntry.objects.filter(action="core.file_download").exists()


def test_download_is_denied_when_no_check_is_registered_for_the_purpose(media, client):
    uploader = UserFactory()
    stored = upload("photo.png", make_png(), purpose=f"tests.unregistered.{uuid.uuid4().hex}", actor=uploader)
    client.force_login(uploader)
    assert client.get(reverse("core:file-download", args=[stored.pk])).status_code == 404


@pytest.mark.django_db
def test_a_json_file_is_kept_as_json_only_when_it_parses() -> None:
    stored = upload("摇号数据.json", '{"entries": ["甲", "乙"]}'.encode(), allowed_kinds={"json"})
    assert stored.content_type == "application/json"
    with pytest.raises(ValidationError) as refused:
        upload("摇号数据.json", '{"entries": ["甲", '.encode(), allowed_kinds={"json"})
    assert refused.value.code in {"type_mismatch", "type_not_allowed"}
