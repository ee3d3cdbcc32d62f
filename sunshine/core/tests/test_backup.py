"""The backup drill: back up a populated database (with private files and the audit
chain), restore it into a fresh database and file folder in a separate process, and
check rows, file bytes, a decrypted field and the audit chain. A tampered, cut or
wrongly keyed archive is refused and changes nothing.

On SQLite (the suite's default) the fresh database is a new file; when DATABASE_URL
is PostgreSQL (CI's second run), a new database on the same server."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from sunshine.core.audit import audit_record
from sunshine.core.backup import BackupError, backup_key, restore_archive
from sunshine.core.models import AuditEntry, EncryptionCanary, StoredFile
from sunshine.core.tests.test_uploads import make_pdf
from sunshine.core.uploads import upload_store

pytestmark = pytest.mark.django_db(transaction=True)

KEY = base64.b64encode(bytes(range(32))).decode("ascii")
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode("ascii")
SECRET = "张小明 110101201001011234"


def populate() -> tuple[bytes, str]:
    pdf = make_pdf() + b"%" + uuid.uuid4().hex.encode()
    stored = upload_store(
        file=SimpleUploadedFile("说明.pdf", pdf, content_type="application/pdf"), purpose="tests.backup", actor=None
    )
    EncryptionCanary.objects.create(label="backup-drill", value=SECRET)
    for i in range(5):
        audit_record(actor=None, action="test.backup_drill", data={"i": i})
    return pdf, str(stored.file.name)


def archive(tmp_path: Path) -> Path:
    out = tmp_path / "city.sunshine-backup"
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY)
    call_command("backup", "--out", str(out), "--key-file", str(key_file), stdout=StringIO())
    return out


class FreshTarget:
    """A fresh, empty database and file folder, reached by a separate process."""

    def __init__(self, tmp_path: Path) -> None:
        self.files = tmp_path / "restored-files"
        db = connection.settings_dict
        self.postgres = "postgresql" in db["ENGINE"]
        if self.postgres:
            import psycopg

            self.name = f"sunshine_restore_{uuid.uuid4().hex[:10]}"
            self.conninfo = {
                k: v
                for k, v in {
                    "host": db["HOST"],
                    "port": db["PORT"],
                    "user": db["USER"],
                    "password": db["PASSWORD"],
                }.items()
                if v
            }
            with psycopg.connect(dbname="postgres", autocommit=True, **self.conninfo) as pg:
                pg.execute(f'CREATE DATABASE "{self.name}"')
            auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
            self.url = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.name}"
        else:
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": self.url,
            "SUNSHINE_DATA_DIR": str(self.files.parent / "data"),
            "SUNSHINE_PRIVATE_MEDIA_ROOT": str(self.files),
            "SUNSHINE_BACKUP_KEY": KEY,
        }
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def count(self, table: str) -> int:
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.name, **self.conninfo) as pg:
                row = pg.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        else:
            with sqlite3.connect(self.path) as lite:
                row = lite.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        assert row is not None
        return int(row[0])

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **self.conninfo) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    fresh = FreshTarget(tmp_path)
    yield fresh
    fresh.drop()


def test_backup_restores_rows_files_fields_and_the_audit_chain(tmp_path, target):
    pdf, name = populate()
    out = archive(tmp_path)
    assert b"backup-drill" not in out.read_bytes() and b"%PDF" not in out.read_bytes()  # encrypted

    done = target.run("restore", str(out))
    assert done.returncode == 0, done.stderr
    assert f"{AuditEntry.objects.count()} entries" in done.stdout

    for model in (AuditEntry, StoredFile, EncryptionCanary):
        assert target.count(model._meta.db_table) == model.objects.count() > 0
    assert (target.files / name).read_bytes() == pdf
    shown = target.run(
        "shell",
        "-c",
        "from sunshine.core.models import EncryptionCanary as C; print(C.objects.get(label='backup-drill').value)",
    )
    assert shown.stdout.strip().splitlines()[-1] == SECRET, shown.stderr
    verified = target.run("audit_verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stderr

    # A second restore into the now populated target is refused.
    again = target.run("restore", str(out))
    assert again.returncode != 0 and "空" in again.stderr


@pytest.mark.parametrize("damage", ["flip", "cut", "key"])
def test_a_tampered_or_wrongly_keyed_archive_is_refused_and_changes_nothing(tmp_path, target, damage):
    populate()
    out = archive(tmp_path)
    data = bytearray(out.read_bytes())
    args = ["restore", str(out)]
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "cut":
        data = data[: len(data) - 100]
    else:
        (tmp_path / "other.key").write_text(OTHER_KEY)
        args += ["--key-file", str(tmp_path / "other.key")]
    out.write_bytes(bytes(data))

    done = target.run(*args)
    assert done.returncode != 0
    assert "备份文件已被篡改" in done.stderr and "未做任何更改" in done.stderr, done.stderr
    assert not target.files.exists() or not any(target.files.iterdir())
    if target.postgres:
        with pytest.raises(Exception, match="does not exist"):
            target.count("core_auditentry")
    else:
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            target.count("core_auditentry")


def test_no_backup_without_a_key(tmp_path, settings):
    settings.SUNSHINE_BACKUP_KEY = ""
    with translation.override("zh-hans"), pytest.raises(CommandError, match="未设置备份密钥"):
        call_command("backup", "--out", str(tmp_path / "x"))
    with pytest.raises(BackupError):
        backup_key("short")
    with pytest.raises(BackupError):
        restore_archive(tmp_path / "missing", key=backup_key(KEY))
