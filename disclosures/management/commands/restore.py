from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from disclosures.backup import restore_backup


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的目录恢复数据库和媒体文件。先核对每个文件的 SHA-256；"
        "目标数据库或媒体目录中已有数据时拒绝恢复（不作任何更改），除非加 --force。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="备份目录（含 manifest.json）")
        parser.add_argument(
            "--force", action="store_true", help="目标中已有数据时也恢复，覆盖备份中有的表和文件"
        )

    def handle(self, *args, folder: Path, force: bool, **options) -> None:
        restored = restore_backup(folder, force=force)
        self.stdout.write(
            f"已从 {folder} 恢复数据库，以及 {restored.media_files} 个媒体文件"
            f"（到 {settings.MEDIA_ROOT}）。"
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"备份早于本版程序：还有 {len(restored.pending_migrations)} 个迁移未应用，"
                "请运行 python manage.py migrate。"
            )
