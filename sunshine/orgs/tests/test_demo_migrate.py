"""``demo_migrate``: a new database gets the schema plain ``migrate`` gives it."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo runs on SQLite")
def test_demo_migrate_makes_the_schema_plain_migrate_makes(tmp_path):
    """Every table, index, trigger and full-text table (with its SQL) is the one the test
    database got from ``migrate``; none is missing and none is added."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "SUNSHINE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_migrate", "--noinput", "--skip-checks", "--verbosity=0"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "sunshine.sqlite3") as demo:
        made = demo.execute(SCHEMA).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)
        expected = [tuple(row) for row in cursor.fetchall()]
    assert len(made) > 300
    assert made == expected
