from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures import catalogue_io
from disclosures.models import CatalogueKind


class Command(BaseCommand):
    help = (
        "把某年度的科目目录导出为 CSV（UTF-8 带 BOM，Excel 可直接打开）或 XLSX（按文件扩展名），"
        "列与导入时相同：科目编码、科目名称，支出功能分类另有所属预算、基本支出。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2024")
        parser.add_argument("--kind", required=True, choices=CatalogueKind.values)
        parser.add_argument("-o", "--output", required=True, help="输出文件（.csv 或 .xlsx）")

    def handle(self, *args, year, kind, output, **options) -> None:
        path = Path(output)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(f"输出文件“{output}”的扩展名应为 .csv 或 .xlsx。")
        if not catalogue_io.current(kind, year):
            raise CommandError(f"{year} 年没有{catalogue_io.kind_label(kind)}目录，未导出。")
        path.write_bytes(catalogue_io.export(kind, year, path.name))
        self.stdout.write(self.style.SUCCESS(f"已导出到 {output}。"))
