"""File uploads: the one door through which a file enters the platform, and the access
registry through which it leaves.

``upload_store`` streams the upload into a temporary file in chunks (the whole file is
never held in memory), refuses it when it is too large, sniffs its type from the
content (never from the name or the browser's claim), refuses a type that is not
allowed or a name whose extension contradicts the content, then stores it under a
random name on the private default storage and records an audit entry.

A caller that goes on to parse or record the file wraps that work in
``discard_on_error(stored)``, so a refused import leaves no bytes behind; files whose
row was rolled back later by an enclosing transaction are removed by
``uploads_sweep_orphans`` (the periodic job "uploads-sweep", daily).

Downloads go through ``core:file-download`` only. Each app registers, per purpose, who
may read its files (``register_file_access``); with no registered check that grants
access, nobody may (default deny).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from sunshine.core.audit import audit_record
from sunshine.core.models import StoredFile

__all__ = [
    "KINDS",
    "KIND_ALL",
    "KIND_DOCUMENTS",
    "KIND_IMAGES",
    "KIND_PRESENTATIONS",
    "KIND_SPREADSHEETS",
    "KIND_TEXT",
    "UPLOADS_DIR",
    "FileKind",
    "discard_on_error",
    "file_access_allowed",
    "purpose_label",
    "register_file_access",
    "sniff_kind",
    "stored_file_discard",
    "upload_store",
    "uploads_sweep_orphans",
]

UPLOADS_DIR = "uploads"  # where ``stored_file_upload_to`` puts every stored file

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8192
# [Content_Types].xml of a real OOXML package is a few KB; read no more than this of it.
CONTENT_TYPES_MAX = 256 * 1024


@dataclass(frozen=True)
class FileKind:
    key: str
    mime: str
    extensions: tuple[str, ...]  # accepted claimed extensions, the first is canonical

    @property
    def canonical_extension(self) -> str:
        return self.extensions[0]


KINDS: dict[str, FileKind] = {
    kind.key: kind
    for kind in (
        FileKind("png", "image/png", (".png",)),
        FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg", ".jpe")),
        FileKind("gif", "image/gif", (".gif",)),
        FileKind("webp", "image/webp", (".webp",)),
        FileKind("pdf", "application/pdf", (".pdf",)),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
        FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
        FileKind("doc", "application/msword", (".doc",)),
        FileKind("xls", "application/vnd.ms-excel", (".xls",)),
        FileKind("csv", "text/csv", (".csv",)),
        FileKind("json", "application/json", (".json",)),
        FileKind("txt", "text/plain", (".txt", ".text", "")),
    )
}

KIND_IMAGES = frozenset({"png", "jpeg", "gif", "webp"})
KIND_DOCUMENTS = frozenset({"pdf", "docx", "doc", "txt"})
KIND_SPREADSHEETS = frozenset({"xlsx", "xls", "csv"})
KIND_PRESENTATIONS = frozenset({"pptx"})
KIND_TEXT = frozenset({"txt", "csv", "json"})
KIND_DATA = frozenset({"csv", "json"})
KIND_ALL = frozenset(KINDS)

# filetype's answer → our kind, for the types whose magic bytes are enough.
_FILETYPE_KINDS = {"png": "png", "jpg": "jpeg", "gif": "gif", "webp": "webp", "pdf": "pdf"}
_OOXML_MAIN_TYPES = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    b"application/vnd.ms-word.document.macroenabled.main+xml": None,  # .docm: macros, refused
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    b"application/vnd.ms-excel.sheet.macroenabled.main+xml": None,
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    b"application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": None,
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


# --- Access -----------------------------------------------------------------------

AccessCheck = Callable[[Any, StoredFile], bool]
_ACCESS_CHECKS: dict[str, list[AccessCheck]] = {}
_PURPOSE_LABELS: dict[str, str | Promise] = {}


def register_file_access(purpose: str, fn: AccessCheck, *, label: str | Promise = "") -> None:
    """Let ``fn(user, stored_file) -> bool`` grant reading files of ``purpose``; ``label``
    is what a person reads for the purpose (translatable). Apps call this from
    ``AppConfig.ready()``. Registering the same function twice is a no-op."""
    checks = _ACCESS_CHECKS.setdefault(purpose, [])
    if fn not in checks:
        checks.append(fn)
    if label:
        _PURPOSE_LABELS[purpose] = label


def purpose_label(purpose: str) -> str:
    """The name a person reads for a stored file's purpose ("" when none was registered)."""
    return str(_PURPOSE_LABELS.get(purpose, ""))


def file_access_allowed(user: Any, stored_file: StoredFile) -> bool:
    """True when a check registered for the file's purpose grants ``user`` access.
    No check, or none that says yes: denied."""
    return any(check(user, stored_file) for check in _ACCESS_CHECKS.get(stored_file.purpose, ()))


# --- Sniffing ----------------------------------------------------------------------


def _ooxml_kind(fh: IO[bytes]) -> str | None:
    """docx / xlsx / pptx from the package's [Content_Types].xml, or None for a plain zip."""
    try:
        with zipfile.ZipFile(fh) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return None
            if info.file_size > CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as member:
                content_types = member.read(CONTENT_TYPES_MAX + 1).lower()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        return None
    found = {kind for marker, kind in _OOXML_MAIN_TYPES.items() if marker in content_types}
    if len(found) != 1:
        return None  # none, or contradictory / macro-enabled parts
    return found.pop()


def _ole_stream_names(fh: IO[bytes]) -> set[str]:
    """The names in a Compound File (OLE2) directory, following the FAT chain."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512 or header[:8] != _OLE_MAGIC:
        return set()
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        return set()
    sector_size = 1 << sector_shift
    first_dir = struct.unpack_from("<I", header, 0x30)[0]
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]
    # Extended DIFAT chain (large files).
    next_difat, hops = first_difat, 0
    while next_difat < 0xFFFFFFFA and hops < min(difat_count, 4096):
        fh.seek((next_difat + 1) * sector_size)
        block = fh.read(sector_size)
        if len(block) < sector_size:
            break
        entries = struct.unpack(f"<{sector_size // 4}I", block)
        fat_sectors += [s for s in entries[:-1] if s < 0xFFFFFFFA]
        next_difat, hops = entries[-1], hops + 1

    def next_sector(sector: int) -> int:
        per_sector = sector_size // 4
        index, offset = divmod(sector, per_sector)
        if index >= len(fat_sectors):
            return 0xFFFFFFFE
        fh.seek((fat_sectors[index] + 1) * sector_size + offset * 4)
        raw = fh.read(4)
        return struct.unpack("<I", raw)[0] if len(raw) == 4 else 0xFFFFFFFE

    names: set[str] = set()
    sector, seen = first_dir, set[int]()
    while sector < 0xFFFFFFFA and sector not in seen and len(seen) < 1024:
        seen.add(sector)
        fh.seek((sector + 1) * sector_size)
        block = fh.read(sector_size)
        for start in range(0, len(block) - 127, 128):
            entry = block[start : start + 128]
            name_len = struct.unpack_from("<H", entry, 0x40)[0]
            if 2 <= name_len <= 64:
                names.add(entry[: name_len - 2].decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    return names


def _ole_kind(fh: IO[bytes]) -> str | None:
    names = _ole_stream_names(fh)
    if "WordDocument" in names:
        return "doc"
    if names & {"Workbook", "Book"}:
        return "xls"
    return None


def sniff_kind(fh: IO[bytes], *, is_text: bool, claimed_extension: str) -> str | None:
    """The kind of the seekable file ``fh`` from its content, or None if not one we know.
    ``is_text``: the whole content has no NUL byte and decodes as UTF-8 or GB18030.
    Text has no magic bytes: it is CSV when named .csv, JSON when named .json and it
    parses, plain text otherwise."""
    fh.seek(0)
    head = fh.read(HEAD_SIZE)
    if head.startswith(_ZIP_MAGIC):
        return _ooxml_kind(fh)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(fh)
    guessed = filetype.guess(head)
    if guessed is not None and guessed.extension in _FILETYPE_KINDS:
        return _FILETYPE_KINDS[guessed.extension]
    if is_text:
        if claimed_extension == ".json":
            return "json" if _is_json(fh) else "txt"
        return "csv" if claimed_extension == ".csv" else "txt"
    return None


def _is_json(fh: IO[bytes]) -> bool:
    """A text file named .json is JSON when it parses as JSON (UTF-8, RFC 8259)."""
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding="utf-8")
    try:
        json.load(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    finally:
        text.detach()  # the caller's file stays open
    return True


# --- Storing -----------------------------------------------------------------------


def _chunks(file: Any) -> Iterator[bytes]:
    if hasattr(file, "chunks"):
        yield from file.chunks(CHUNK_SIZE)
        return
    seekable = getattr(file, "seekable", None)
    if callable(seekable) and seekable():
        file.seek(0)
    while chunk := file.read(CHUNK_SIZE):
        yield chunk


def _accepted_list(kinds: Iterable[str]) -> str:
    extensions = sorted({KINDS[k].canonical_extension for k in kinds if KINDS[k].canonical_extension})
    return ", ".join(extensions)


@transaction.atomic
def upload_store(
    *,
    file: Any,
    purpose: str,
    actor: Any,
    allowed_kinds: Iterable[str] | None = None,
    max_bytes: int | None = None,
) -> StoredFile:
    """Check and store one uploaded file (a Django ``UploadedFile`` or any binary file object
    with a ``name``). Raises ``ValidationError`` (code ``empty``, ``too_large``,
    ``unknown_type``, ``type_not_allowed`` or ``type_mismatch``) and stores nothing when refused."""
    allowed = frozenset(KIND_ALL if allowed_kinds is None else allowed_kinds)
    unknown = allowed - KIND_ALL
    if unknown:
        raise ValueError(f"unknown file kinds: {sorted(unknown)}")
    limit = settings.SUNSHINE_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    original_name = PurePosixPath(str(getattr(file, "name", "") or "").replace("\\", "/")).name[:255]
    claimed_extension = PurePosixPath(original_name).suffix.lower()
    too_large = ValidationError(
        _("The file is larger than the limit of %(limit)s."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )
    declared_size = getattr(file, "size", None)
    if isinstance(declared_size, int) and declared_size > limit:
        raise too_large

    digest = hashlib.sha256()
    size = 0
    has_nul = False
    decoders = [codecs.getincrementaldecoder("utf-8")(), codecs.getincrementaldecoder("gb18030")()]
    decodes = [True, True]
    with tempfile.TemporaryFile() as spool:
        for chunk in _chunks(file):
            size += len(chunk)
            if size > limit:
                raise too_large
            digest.update(chunk)
            spool.write(chunk)
            if not has_nul:
                has_nul = b"\x00" in chunk
                for i, decoder in enumerate(decoders):
                    if decodes[i]:
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            decodes[i] = False
        if size == 0:
            raise ValidationError(_("The file is empty."), code="empty")
        for i, decoder in enumerate(decoders):
            if decodes[i]:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    decodes[i] = False
        is_text = not has_nul and any(decodes)

        kind_key = sniff_kind(spool, is_text=is_text, claimed_extension=claimed_extension)
        accepted = {"accepted": _accepted_list(allowed)}
        mismatch = ValidationError(
            _("The file's content does not match its name ending in “%(extension)s”. Please upload the original file."),
            code="type_mismatch",
            params={"extension": claimed_extension},
        )
        if kind_key is None:
            if claimed_extension and any(claimed_extension in k.extensions for k in KINDS.values()):
                raise mismatch  # e.g. a program renamed .pdf, a plain zip renamed .docx
            raise ValidationError(
                _("This type of file is not accepted. Accepted types: %(accepted)s."),
                code="unknown_type",
                params=accepted,
            )
        kind = KINDS[kind_key]
        if claimed_extension not in kind.extensions and not (claimed_extension == "" and kind_key not in KIND_TEXT):
            raise mismatch
        if kind_key not in allowed:
            raise ValidationError(
                _("This type of file is not accepted here. Accepted types: %(accepted)s."),
                code="type_not_allowed",
                params=accepted,
            )

        stored = StoredFile(
            purpose=purpose,
            original_name=original_name or f"file{kind.canonical_extension}",
            content_type=kind.mime,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        spool.seek(0)
        stored.file.save(f"upload{kind.canonical_extension}", File(spool), save=False)
    try:
        stored.full_clean()
        stored.save(force_insert=True)
        audit_record(
            actor=actor,
            action="core.file_upload",
            target=stored,
            data={"purpose": purpose, "content_type": kind.mime, "size": size, "sha256": stored.sha256},
        )
    except BaseException:
        # The row is not there: take the bytes back off the disk. (If an enclosing
        # transaction rolls back later, the file stays as an orphan with no row, which
        # nobody can download; an operator sweep may remove such files.)
        if stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return stored


# --- Failed imports --------------------------------------------------------------------


def stored_file_discard(stored: StoredFile) -> None:
    """Take the bytes of ``stored`` off the storage (its row, if saved, is the caller's:
    inside a transaction that is rolling back it goes with it)."""
    if stored.file.name:
        stored.file.storage.delete(stored.file.name)


@contextmanager
def discard_on_error(stored: StoredFile) -> Iterator[StoredFile]:
    """Wrap what follows ``upload_store`` (parsing, recording rows): on any exception
    the stored bytes are deleted before it propagates, so a refused or failed import
    leaves no file on disk. Use it inside the transaction whose rollback drops the row."""
    try:
        yield stored
    except BaseException:
        stored_file_discard(stored)
        raise


def uploads_sweep_orphans(*, older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Delete stored bytes that no ``StoredFile`` row names and that are older than
    ``older_than`` (the bytes of an import whose transaction rolled back after the file
    was written). A younger file may belong to an upload still in its transaction and
    is left alone. Returns how many files were deleted."""
    storage = StoredFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    cutoff = (now or timezone.now()) - older_than
    if not storage.exists(UPLOADS_DIR):
        return 0
    deleted = 0
    pending = [UPLOADS_DIR]
    while pending:
        directory = pending.pop()
        subdirectories, names = storage.listdir(directory)
        pending.extend(f"{directory}/{d}" for d in subdirectories)
        if not names:
            continue
        known = set(StoredFile.objects.filter(file__startswith=f"{directory}/").values_list("file", flat=True))
        for name in names:
            path = f"{directory}/{name}"
            if path in known:
                continue
            try:
                modified = storage.get_modified_time(path)
            except (OSError, NotImplementedError):
                continue
            if modified < cutoff:
                storage.delete(path)
                deleted += 1
    return deleted
