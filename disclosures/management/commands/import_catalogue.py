from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures import catalogue_io
from disclosures.models import CatalogueKind


class Command(BaseCommand):
    help = (
        "从财政部发布的科目文件（CSV 或 XLSX；列为“科目编码、科目名称”，或“类、款、项、科目名称”，"
        "支出功能分类可另有“所属预算、基本支出”列）导入某年度的科目目录：先列出新增、改名和"
        "标记变化的科目，再在一个事务中导入。文件中没有的科目默认保留不变；加 --remove 时删除"
        "它们（先逐条列出；有公开表使用的科目拒绝删除），使该年目录与文件完全一致。有任何问题"
        "则逐条说明（行与列），什么也不改变，退出状态非零。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="科目文件（.csv 或 .xlsx）")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2025")
        parser.add_argument("--kind", required=True, choices=CatalogueKind.values)
        parser.add_argument("--dry-run", action="store_true", help="只预览，不保存")
        parser.add_argument(
            "--remove",
            action="store_true",
            help="删除文件中没有的科目，使该年目录与文件完全一致（默认保留它们）",
        )
        parser.add_argument(
            "--complete", action="store_true", help="导入后标记目录完整（未给出时保持原状）"
        )

    def handle(self, *args, file, year, kind, dry_run, remove, complete, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            known = catalogue_io.kept_codes(kind, year, remove)
            entries = catalogue_io.read_file(path.read_bytes(), path.name, kind, known)
            change = catalogue_io.preview(kind, year, entries, remove=remove)
            self.stdout.write("\n".join(change.lines()))
            if change.kept:
                self.stdout.write(f"{change.kept_note()}；如需删除，请加 --remove。")
            if change.errors:
                raise catalogue_io.CatalogueError(change.errors)
            if dry_run:
                self.stdout.write("预览完毕，未保存（--dry-run）。")
                return
            catalogue_io.apply(
                kind,
                year,
                entries,
                complete=complete,
                source=f"自文件“{path.name}”导入。",
                remove=remove,
            )
        except catalogue_io.CatalogueError as error:
            raise CommandError(f"导入失败，科目目录未改变：\n{error}") from error
        self.stdout.write(self.style.SUCCESS(f"已导入：{change.summary()}。"))
