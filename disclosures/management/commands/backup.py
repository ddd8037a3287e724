from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from disclosures.backup import MANIFEST, VENDOR_NAMES, create_backup, sha256_of


class Command(BaseCommand):
    help = (
        "把数据库和媒体文件（已生成的 PDF）备份到一个新目录：SQLite 用其在线备份接口，"
        "PostgreSQL 用 pg_dump（custom 格式）；媒体目录打包为 media.tar；"
        "manifest.json 记录时间、数据库类型、已应用的迁移和每个文件的 SHA-256。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="备份目录，须是新目录或空目录")

    def handle(self, *args, folder: Path, **options) -> None:
        manifest = create_backup(folder)
        self.stdout.write(f"已备份 {VENDOR_NAMES[manifest.vendor]} 数据库到 {folder}：")
        for name, digest in manifest.files.items():
            size = (folder / name).stat().st_size
            self.stdout.write(f"  {name}  {size:,} 字节  SHA-256 {digest}")
        # Kept somewhere else, this shows whether a manifest was rewritten to match
        # altered files, which its own SHA-256s cannot.
        self.stdout.write(f"  {MANIFEST}  SHA-256 {sha256_of(folder / MANIFEST)}")
        if manifest.has_media:
            self.stdout.write(f"media.tar 是媒体目录 {settings.MEDIA_ROOT} 的归档。")
        else:
            self.stderr.write(
                "注意：PDF 保存在对象存储中，不在本备份内；请用对象存储自身的版本管理或备份。"
            )
