"""Encrypted backups of a deployment, and their restore (``manage.py backup`` / ``restore``).

One archive holds everything a city needs to come back after losing its server:

- ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3``
  (SQLite, a consistent copy by the online backup API);
- ``files/…``: the private storage (uploads and issued documents, ``PRIVATE_MEDIA_ROOT``);
- ``audit-anchor.json``: a signed anchor of the audit chain's head, taken just before the
  dump, so the restored chain must reach it;
- ``manifest.json``: format, time, engine and the SHA-256 and size of every member.

The members are packed into a tar, which is encrypted with AES-256-GCM in chunks (each
chunk authenticated with its index and a last-chunk flag, so a chunk cannot be altered,
dropped, reordered or cut off). The 32-byte key comes from ``SUNSHINE_BACKUP_KEY`` (or
``SUNSHINE_BACKUP_KEY_FILE``, read by ``config.env``); there is no default key.

``restore_archive`` first decrypts and checks the whole archive (every tag, then every
member against the manifest) into a temporary folder; only then, and only into an empty
database and an empty file folder, does it write anything. It then verifies the audit
chain against the archive's anchor (and an offline one, if given).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.core.audit import AuditAnchor, audit_anchor_export, audit_anchor_load, audit_verify

__all__ = ["BackupError", "RestoreResult", "backup_key", "create_archive", "restore_archive"]

MAGIC = b"SUNSHINE-BACKUP/1\n"
ARCHIVE_FORMAT = "sunshine-backup/1"
CHUNK = 4 * 1024 * 1024
_HEADER = struct.Struct(">8sI")  # nonce prefix, chunk size
_CHUNK_HEAD = struct.Struct(">IB")  # length of the sealed chunk, last-chunk flag
DB_PG = "database.dump"
DB_SQLITE = "database.sqlite3"
ANCHOR = "audit-anchor.json"
MANIFEST = "manifest.json"
FILES = "files/"


class BackupError(Exception):
    """A backup or restore refused; the message is for the operator (in Chinese)."""


# --- the key --------------------------------------------------------------------------


def backup_key(raw: str | None = None) -> bytes:
    """The 32-byte AES key from ``raw`` or the setting ``SUNSHINE_BACKUP_KEY`` (base64 or
    64 hex digits). Refuses a missing or short key."""
    text = (raw if raw is not None else getattr(settings, "SUNSHINE_BACKUP_KEY", "")).strip()
    if not text:
        raise BackupError(_("No backup key is set (SUNSHINE_BACKUP_KEY or SUNSHINE_BACKUP_KEY_FILE)."))
    key: bytes | None = None
    if len(text) == 64:
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = None
    if key is None:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) != 32:
        raise BackupError(_("The backup key must be 32 bytes, written as base64 or 64 hex digits."))
    return key


def new_key_text() -> str:
    """A fresh key, as base64 (what ``SUNSHINE_BACKUP_KEY_FILE`` holds)."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


# --- encryption in chunks ---------------------------------------------------------------


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">QB", index, 1 if last else 0)


def _encrypt_stream(source: IO[bytes], out: IO[bytes], key: bytes) -> None:
    aead = AESGCM(key)
    prefix = os.urandom(8)
    out.write(MAGIC + _HEADER.pack(prefix, CHUNK))
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, chunk, _aad(index, last))
        out.write(_CHUNK_HEAD.pack(len(sealed), 1 if last else 0) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def _refused() -> BackupError:
    return BackupError(
        _(
            "The backup archive was altered, is incomplete, or was made under another key: "
            "it was refused and nothing was changed."
        )
    )


def _decrypt_stream(source: IO[bytes], out: IO[bytes], key: bytes) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError(_("This is not a backup archive of this platform: nothing was changed."))
    header = source.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise _refused()
    prefix, chunk_size = _HEADER.unpack(header)
    aead = AESGCM(key)
    index = 0
    while True:
        head = source.read(_CHUNK_HEAD.size)
        if len(head) != _CHUNK_HEAD.size:
            raise _refused()  # cut off before the last chunk
        length, last = _CHUNK_HEAD.unpack(head)
        if length > chunk_size + 16:
            raise _refused()
        sealed = source.read(length)
        try:
            out.write(aead.decrypt(prefix + struct.pack(">I", index), sealed, _aad(index, bool(last))))
        except InvalidTag as exc:
            raise _refused() from exc
        if last:
            if source.read(1):
                raise _refused()  # bytes after the last chunk
            return
        index += 1


# --- what is backed up ------------------------------------------------------------------


def _files_root() -> Path:
    default: dict[str, Any] = dict(settings.STORAGES["default"])  # type: ignore[call-overload]
    options: dict[str, Any] = dict(default.get("OPTIONS", {}))
    return Path(options.get("location", settings.PRIVATE_MEDIA_ROOT))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return args, environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(_("The program %(name)s is not installed.") % {"name": name})
    return found


def _is_postgres(db: dict[str, Any]) -> bool:
    return "postgresql" in db["ENGINE"]


def _dump_database(alias: str, folder: Path) -> str:
    connection = connections[alias]
    db = connection.settings_dict
    if _is_postgres(db):
        target = folder / DB_PG
        args, environment = _pg_args(db)
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *args,
                "--file",
                str(target),
                db["NAME"],
            ],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(_("The database dump failed: %(error)s") % {"error": done.stderr.strip()})
        return DB_PG
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError(_("Only PostgreSQL and SQLite databases can be backed up."))
    target = folder / DB_SQLITE
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # the online backup API: a consistent copy
    finally:
        copy.close()
    return DB_SQLITE


def create_archive(out: Path, *, key: bytes, alias: str = "default") -> dict[str, Any]:
    """Write an encrypted archive of the database ``alias``, the private files and a
    fresh audit anchor to ``out`` (never overwriting a file). Returns the manifest."""
    try:
        anchor = audit_anchor_export()  # before the dump: the dumped chain holds the anchored entry
    except ValueError as exc:
        raise BackupError(_("No backup made: the audit chain does not verify. %(error)s") % {"error": exc}) from exc
    with tempfile.TemporaryDirectory(prefix="sunshine-backup-") as tmp:
        folder = Path(tmp)
        members: dict[str, dict[str, Any]] = {}
        db_member = _dump_database(alias, folder)
        (folder / ANCHOR).write_text(json.dumps(anchor, indent=2) + "\n", encoding="utf-8")
        packed = folder / "archive.tar"
        root = _files_root()
        with tarfile.open(packed, "w") as tar:
            for name in (db_member, ANCHOR):
                members[name] = {"sha256": _sha256(folder / name), "size": (folder / name).stat().st_size}
                tar.add(folder / name, arcname=name)
            if root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    name = FILES + path.relative_to(root).as_posix()
                    members[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
                    tar.add(path, arcname=name)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "created_at": timezone.now().isoformat(),
                "engine": "postgresql" if db_member == DB_PG else "sqlite",
                "anchor_seq": anchor["seq"],
                "members": members,
            }
            body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            (folder / MANIFEST).write_bytes(body)
            with (folder / MANIFEST).open("rb") as handle:
                tar.addfile(info, handle)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as sink, packed.open("rb") as source:
                _encrypt_stream(source, sink, key)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    return manifest


# --- restore ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    files: int
    audit_count: int
    audit_message: str


def _checked_members(tar: tarfile.TarFile, folder: Path) -> dict[str, Any]:
    """Extract into ``folder`` and check every member against the manifest."""
    names = tar.getnames()
    if MANIFEST not in names:
        raise _refused()
    for member in tar.getmembers():
        if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
            raise _refused()
    tar.extractall(folder, filter="data")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["members"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _refused() from exc
    if manifest.get("format") != ARCHIVE_FORMAT or set(listed) != set(names) - {MANIFEST}:
        raise _refused()
    for name, facts in listed.items():
        if _sha256(folder / name) != facts.get("sha256"):
            raise _refused()
    return manifest


def _target_problem(db: dict[str, Any], root: Path) -> str | None:
    if root.exists() and any(root.iterdir()):
        return _("The file folder %(path)s is not empty.") % {"path": root}
    if _is_postgres(db):
        import psycopg

        conninfo = {
            k: v
            for k, v in {
                "host": db.get("HOST"),
                "port": db.get("PORT"),
                "user": db.get("USER"),
                "password": db.get("PASSWORD"),
                "dbname": db["NAME"],
            }.items()
            if v
        }
        with psycopg.connect(**conninfo) as pg:
            row = pg.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()
        if row and row[0]:
            return _("The database %(name)s is not empty.") % {"name": db["NAME"]}
        return None
    path = Path(str(db["NAME"]))
    tables = 0
    if path.exists():
        with sqlite3.connect(path) as lite:
            tables = lite.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if tables:
        return _("The database %(name)s is not empty.") % {"name": db["NAME"]}
    return None


def restore_archive(
    archive: Path, *, key: bytes, alias: str = "default", offline_anchor: AuditAnchor | None = None
) -> RestoreResult:
    """Restore ``archive`` into the (empty) database ``alias`` and the (empty) private
    file folder, then verify the audit chain. Nothing is written unless the whole archive
    decrypts and matches its manifest, and the targets are empty."""
    connection = connections[alias]
    db = connection.settings_dict
    root = _files_root()
    with tempfile.TemporaryDirectory(prefix="sunshine-restore-") as tmp:
        folder = Path(tmp)
        packed = folder / "archive.tar"
        try:
            with archive.open("rb") as source, packed.open("wb") as sink:
                _decrypt_stream(source, sink, key)
        except OSError as exc:
            raise BackupError(_("The archive cannot be read: %(error)s") % {"error": exc}) from exc
        unpacked = folder / "members"
        unpacked.mkdir()
        try:
            with tarfile.open(packed) as tar:
                manifest = _checked_members(tar, unpacked)
        except tarfile.TarError as exc:
            raise _refused() from exc
        engine = manifest.get("engine")
        if engine != ("postgresql" if _is_postgres(db) else "sqlite"):
            raise BackupError(
                _("The archive holds a %(engine)s database; this deployment uses another: nothing was changed.")
                % {"engine": engine}
            )
        anchor = audit_anchor_load((unpacked / ANCHOR).read_text(encoding="utf-8"))
        problem = _target_problem(db, root)
        if problem:
            raise BackupError(
                _("Restore only into an empty database and file folder. %(problem)s") % {"problem": problem}
            )

        connection.close()
        if engine == "postgresql":
            args, environment = _pg_args(db)
            done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [
                    _program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    *args,
                    "--dbname",
                    db["NAME"],
                    str(unpacked / DB_PG),
                ],
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise BackupError(_("The database restore failed: %(error)s") % {"error": done.stderr.strip()})
        else:
            source_db = sqlite3.connect(unpacked / DB_SQLITE)
            target_db = sqlite3.connect(str(db["NAME"]))
            try:
                source_db.backup(target_db)
            finally:
                source_db.close()
                target_db.close()
        files = 0
        for name in manifest["members"]:
            if name.startswith(FILES):
                target = root / name[len(FILES) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(unpacked / name, target)
                files += 1
    checks = [anchor] if offline_anchor is None else [anchor, offline_anchor]
    for check in checks:
        result = audit_verify(anchor=check)
        if not result.ok:
            raise BackupError(
                _("Restored, but the audit chain does not verify: %(message)s") % {"message": result.message}
            )
    return RestoreResult(manifest=manifest, files=files, audit_count=result.count, audit_message=str(result.message))


def iter_members(manifest: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from sorted(manifest["members"].items())
