"""Backup and restore: the demo, backed up and restored into a fresh database and media
folder, reads back the same; a restore refuses a database with data and a changed file.

The backup is made once, of the session's demo, which conftest's django_db_setup commits:
what pg_dump sees from outside is what the tests read inside their transactions. They only
read, and each restore goes to a database and media folder of its own.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from disclosures.backup import DATABASE_FILES, MANIFEST, MEDIA_ARCHIVE
from disclosures.models import Disclosure
from disclosures.rendering.dump import disclosure_document
from disclosures.workbook import workbook_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# Run in the restored portal: each published revision through the commands a user runs
# (dump_disclosure, export_workbook) and its stored PDF, written to <folder>/read-back.json.
READ_BACK = """
import hashlib, io, json, sys
from pathlib import Path

import django

django.setup()
from django.core.management import call_command

from disclosures.models import Disclosure

folder = Path(sys.argv[1])
found = {}
for d in Disclosure.objects.published().select_related("department__region", "pdf"):
    which = {
        "department": d.department.name, "region": d.department.region.code,
        "year": d.fiscal_year, "kind": d.kind, "revision": d.revision,
    }
    document = io.StringIO()
    call_command("dump_disclosure", stdout=document, **which)
    workbook = folder / f"{d.pk}.xlsx"
    call_command("export_workbook", output=str(workbook), stdout=io.StringIO(), **which)
    with d.pdf.file.open("rb") as pdf:
        pdf_file_sha256 = hashlib.sha256(pdf.read()).hexdigest()
    found[f"{d.department.region.code} {d.department.name} {d.fiscal_year} {d.kind} r{d.revision}"] = {
        "pdf_sha256": d.pdf.sha256,
        "pdf_file_sha256": pdf_file_sha256,
        "workbook_sha256": hashlib.sha256(workbook.read_bytes()).hexdigest(),
        "document": json.loads(document.getvalue()),
    }
(folder / "read-back.json").write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
"""


def published_revisions() -> dict[str, dict]:
    """What READ_BACK finds, read here from the backed-up database with the library."""
    found = {}
    for d in Disclosure.objects.published().with_contents():
        with d.pdf.file.open("rb") as pdf:
            pdf_file_sha256 = hashlib.sha256(pdf.read()).hexdigest()
        key = (
            f"{d.department.region.code} {d.department.name} {d.fiscal_year} {d.kind} r{d.revision}"
        )
        found[key] = {
            "pdf_sha256": d.pdf.sha256,
            "pdf_file_sha256": pdf_file_sha256,
            "workbook_sha256": hashlib.sha256(workbook_bytes(d)).hexdigest(),
            "document": json.loads(json.dumps(disclosure_document(d), ensure_ascii=False)),
        }
    return found


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def demo_backup(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """A backup of the session's demo, made once and outside any test's transaction: a
    test's transaction holds SQLite's write lock, which its backup API cannot read past."""
    folder = tmp_path_factory.mktemp("backup") / "demo"
    with django_db_blocker.unblock():
        call_command("backup", folder, stdout=io.StringIO())
    return folder


@pytest.fixture
def backup(demo_backup, tmp_path) -> Path:
    """A copy of the demo's backup, for a test to change."""
    return shutil.copytree(demo_backup, tmp_path / "backup")


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """A new, empty database of the vendor under test; on PostgreSQL, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"  # beside the test database: unique to this run
    server = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as maintenance:
        maintenance.execute(drop)
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    yield f"postgres://{user}@{db['HOST']}:{db['PORT']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as maintenance:
        maintenance.execute(drop)


def run_portal(*args: str, database_url: str, media: Path) -> None:
    """Run the portal's Python in a new process, on another database and media folder."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "budgetportal.settings",
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_restored_backup_gives_every_published_revision_back_identically(
    demo_backup, fresh_database_url, tmp_path
):
    expected = published_revisions()
    departments = {key.split()[1] for key in expected}
    assert {
        "临夏市人民代表大会常务委员会办公室",
        "广州市增城区人民代表大会常务委员会办公室",
    } <= departments
    assert all(e["pdf_file_sha256"] == e["pdf_sha256"] for e in expected.values())

    media = tmp_path / "restored-media"
    run_portal(
        "manage.py", "restore", str(demo_backup), database_url=fresh_database_url, media=media
    )
    run_portal("-c", READ_BACK, str(tmp_path), database_url=fresh_database_url, media=media)

    restored = json.loads((tmp_path / "read-back.json").read_text(encoding="utf-8"))
    assert restored == expected


def test_the_manifest_lists_the_database_and_media_with_their_sha256(demo_backup):
    manifest = json.loads((demo_backup / MANIFEST).read_text(encoding="utf-8"))

    assert manifest["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["disclosures"]
    assert set(manifest["files"]) == {DATABASE_FILES[connection.vendor], MEDIA_ARCHIVE}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((demo_backup / name).read_bytes()).hexdigest() == digest


def test_restore_refuses_a_database_that_holds_data_unless_forced(demo_backup):
    disclosures, files = Disclosure.objects.count(), media_files()

    with pytest.raises(CommandError, match=r"已有数据（账号 \d+ 条.*公开版本 \d+ 条.*--force"):
        call_command("restore", demo_backup)

    assert Disclosure.objects.count() == disclosures
    assert media_files() == files


@pytest.mark.parametrize("part", ["database", "media"])
def test_restore_refuses_a_backup_file_changed_after_the_backup(backup, part):
    name = DATABASE_FILES[connection.vendor] if part == "database" else MEDIA_ARCHIVE
    changed = bytearray((backup / name).read_bytes())
    changed[len(changed) // 2] ^= 0x01
    (backup / name).write_bytes(changed)
    files = media_files()

    with pytest.raises(CommandError, match=f"{name} 的 SHA-256 与 manifest.json 不符"):
        call_command("restore", backup)

    assert media_files() == files


def test_backup_refuses_a_folder_that_is_not_empty(demo_backup):
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", demo_backup)


def test_backup_refuses_to_run_inside_a_transaction(tmp_path):
    # Every test runs in one; SQLite's backup would wait for its write lock for ever.
    with pytest.raises(CommandError, match="不能在数据库事务中进行"):
        call_command("backup", tmp_path / "backup")
