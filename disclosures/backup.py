"""Back up the portal into a folder, and restore it from one (manage.py backup / restore).

A backup folder holds:

    manifest.json      when it was made, the database vendor, Django's version and the
                       applied migrations, and the SHA-256 of every other file
    database.sqlite3   SQLite: a copy made with SQLite's online backup API, consistent
                       while the portal keeps writing (a file copy of a live database is not)
    database.pgdump    PostgreSQL: pg_dump's custom format, for pg_restore
    media.tar          MEDIA_ROOT: the rendered PDFs

A restore checks every SHA-256 and the target before it changes anything, and refuses a
database or media folder that already holds data unless forced.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from disclosures.models import Department, Disclosure, Region

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    vendor: str
    django_version: str
    migrations: dict[str, list[str]]  # app label → applied migrations
    files: dict[str, str]  # file name in the folder → SHA-256

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.vendor]

    @property
    def has_media(self) -> bool:
        return MEDIA_ARCHIVE in self.files


@dataclass(frozen=True)
class Restored:
    media_files: int
    pending_migrations: list[str]


def create_backup(folder: Path) -> Manifest:
    """Write a backup of the default database and the media folder into `folder`, which
    must be new or empty: a backup never overwrites an older one."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CommandError(
            f"备份目录 {folder} 已存在且不是空目录：请指定新目录，以免覆盖以前的备份。"
        )
    _outside_transactions()
    vendor = _supported_vendor()
    # Read before the dump: a migration applied meanwhile makes the manifest understate
    # the state, and restore then says to run migrate, which is harmless.
    migrations = _applied_migrations()
    if not migrations:
        raise CommandError(
            f"数据库 {connection.settings_dict['NAME']} 从未迁移过，不是本平台的数据库："
            "请检查 DATABASE_URL。未生成备份。"
        )
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DATABASE_FILES[vendor]
    if vendor == "sqlite":
        _sqlite_backup(database)
    else:
        _run_postgres_tool("pg_dump", "--format=custom", f"--file={database}")
    written = [database]
    # After the database: files are only ever added, so the archive holds every file
    # the dumped rows name (and perhaps a PDF rendered meanwhile, which nothing names).
    if stores_media_locally():
        written.append(_archive_media(folder / MEDIA_ARCHIVE))
    manifest = Manifest(
        format=FORMAT,
        created_at=timezone.localtime().isoformat(timespec="seconds"),
        vendor=vendor,
        django_version=django.get_version(),
        migrations=migrations,
        files={path.name: sha256_of(path) for path in written},
    )
    # The manifest last: a backup cut short has none, and restore refuses it.
    (folder / MANIFEST).write_text(
        json.dumps(asdict(manifest), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest, with every file it lists present and matching its SHA-256."""
    path = folder / MANIFEST
    if not path.is_file():
        raise CommandError(f"{folder} 不是备份目录：缺少 {MANIFEST}。未作任何更改。")
    try:
        manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise CommandError(f"{path} 无法读取（{error}）。未作任何更改。") from error
    if manifest.format != FORMAT or manifest.vendor not in DATABASE_FILES:
        raise CommandError(
            f"{path} 的格式（{manifest.format}，{manifest.vendor}）不是本程序能恢复的。未作任何更改。"
        )
    expected = {manifest.database_file, MEDIA_ARCHIVE}
    if manifest.database_file not in manifest.files or not set(manifest.files) <= expected:
        raise CommandError(
            f"{path} 列出的文件不对：应为 {'、'.join(sorted(expected))}。未作任何更改。"
        )
    for name, digest in manifest.files.items():
        if not (folder / name).is_file():
            raise CommandError(f"备份不完整：缺少 {name}。未作任何更改。")
        if sha256_of(folder / name) != digest:
            raise CommandError(
                f"{name} 的 SHA-256 与 {MANIFEST} 不符：文件已损坏或被改动。未作任何更改。"
            )
    return manifest


def restore_backup(folder: Path, *, force: bool = False) -> Restored:
    """Restore the database and the media folder from a backup folder.

    Everything is checked first — the SHA-256s, the vendor, the migrations, the media
    archive's entries, and that the target holds no data (unless `force`) — so a refusal
    changes nothing. On PostgreSQL the restore is one transaction that drops and recreates
    the backup's tables; tables the backup does not have are left alone.
    """
    manifest = read_manifest(folder)
    vendor = _supported_vendor()
    if manifest.vendor != vendor:
        raise CommandError(
            f"这是 {VENDOR_NAMES[manifest.vendor]} 数据库的备份，当前数据库是 "
            f"{VENDOR_NAMES[vendor]}：不能跨数据库恢复。未作任何更改。"
        )
    unknown = _unknown_migrations(manifest.migrations)
    if unknown:
        raise CommandError(
            f"备份的数据库应用过本版程序没有的迁移（{'、'.join(unknown)}）："
            "请用生成备份时的程序版本恢复。未作任何更改。"
        )
    media = Path(settings.MEDIA_ROOT)
    if manifest.has_media:
        _check_media_archive(folder / MEDIA_ARCHIVE, media)
    found = existing_data(media)
    if found and not force:
        raise CommandError(
            f"目标中已有数据（{'；'.join(found)}）：恢复会覆盖它们。未作任何更改。"
            "确认要覆盖时请加 --force。"
        )
    _outside_transactions()

    database = folder / manifest.database_file
    if vendor == "sqlite":
        _sqlite_restore(database)
    else:
        # An idle connection of ours must not stand in the way of dropping the tables.
        connection.close()
        _run_postgres_tool(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(database),
        )
    media_files = 0
    if manifest.has_media:
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA_ARCHIVE) as archive:
            archive.extractall(media, filter="data")
            media_files = sum(member.isfile() for member in archive.getmembers())
    return Restored(media_files=media_files, pending_migrations=_pending_migrations())


def existing_data(media: Path) -> list[str]:
    """What a restore would overwrite: the things people make (accounts, regions,
    departments, disclosures; `migrate` makes none of them) and any file in the media
    folder. Empty for a new database, migrated or not."""
    tables = set(connection.introspection.table_names())
    found = [
        f"{label} {count} 条"
        for label, model in (
            ("账号", get_user_model()),
            ("地区", Region),
            ("部门", Department),
            ("公开版本", Disclosure),
        )
        if model._meta.db_table in tables and (count := model.objects.count())
    ]
    files = sum(path.is_file() for path in media.rglob("*")) if media.is_dir() else 0
    if files:
        found.append(f"媒体目录 {media} 中 {files} 个文件")
    return found


def stores_media_locally() -> bool:
    """Whether rendered files live in MEDIA_ROOT; in an object store (S3_BUCKET) they are
    that store's to keep, with its own versioning and backups."""
    return isinstance(default_storage, FileSystemStorage)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _outside_transactions() -> None:
    """Backup and restore read and write through SQLite's backup API or pg_dump and
    pg_restore, beside the caller's transaction: within one they would miss its changes or
    wait for its locks for ever (SQLite's backup retries as long as a write lock is held)."""
    if connection.in_atomic_block:
        raise CommandError("备份和恢复不能在数据库事务中进行。未作任何更改。")


def _supported_vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise CommandError(
            f"不支持 {connection.vendor} 数据库：只能备份和恢复 SQLite 与 PostgreSQL。"
        )
    return connection.vendor


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations the backup's database has applied that this code does not have."""
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [
        f"{app_label}.{name}"
        for app_label, names in sorted(applied.items())
        for name in names
        if (app_label, name) not in on_disk
    ]


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    try:
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            # The copy takes the live database's WAL mode; a backup is one file on its own.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise CommandError(f"SQLite 备份失败：{error}") from error


def _sqlite_restore(source: Path) -> None:
    """Copy the backup over the database, page by page, in one step (SQLite's backup API
    takes the write lock for it); the backup file is opened read-only."""
    connection.ensure_connection()
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup:
            backup.backup(connection.connection)
    except sqlite3.Error as error:
        raise CommandError(f"SQLite 恢复失败：{error}") from error


def _run_postgres_tool(program: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore against the default database, with Django's connection
    settings: host, port and user as arguments; password and TLS options in the
    environment, as Django's dbshell passes them."""
    executable = shutil.which(program)
    if executable is None:
        raise CommandError(
            f"找不到 {program}：请安装与数据库服务器主版本相同的 PostgreSQL 客户端"
            "（Debian 软件包 postgresql-client）。"
        )
    db = connection.settings_dict
    command = [executable]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command.append(f"{option}={db[key]}")
    command += [f"--dbname={db['NAME']}", *arguments]
    _args, env = connection.client.settings_to_cmd_args_env(db, [])
    result = subprocess.run(  # noqa: S603 - a list of arguments, no shell
        command, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(
            f"{program} 失败（退出状态 {result.returncode}）：{result.stderr.strip()}"
        )


def _archive_media(target: Path) -> Path:
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(root).as_posix())
    return target


def _check_media_archive(path: Path, media: Path) -> None:
    """Refuse, before anything is restored, an archive with an entry that would land
    outside the media folder or is not a plain file or folder."""
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            try:
                tarfile.data_filter(member, str(media))
            except tarfile.FilterError as error:
                raise CommandError(
                    f"{MEDIA_ARCHIVE} 中的 {member.name} 不安全（{error}）。未作任何更改。"
                ) from error
            if not (member.isfile() or member.isdir()):
                raise CommandError(
                    f"{MEDIA_ARCHIVE} 中的 {member.name} 不是普通文件或目录。未作任何更改。"
                )
