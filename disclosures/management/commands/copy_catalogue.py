from django.core.management.base import BaseCommand, CommandError

from disclosures import catalogue_io
from disclosures.models import CatalogueKind


class Command(BaseCommand):
    help = (
        "把一个年度的科目目录（科目、所属预算与基本支出标记、是否完整）复制为新年度的目录，"
        "默认两种目录都复制。目标年度已有该种目录时拒绝，什么也不改变。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from-year", type=int, required=True, help="源年度，如 2024")
        parser.add_argument("--to-year", type=int, required=True, help="目标年度，如 2025")
        parser.add_argument("--kind", choices=CatalogueKind.values, help="只复制一种目录")

    def handle(self, *args, from_year, to_year, kind, **options) -> None:
        try:
            copied = catalogue_io.copy(from_year, to_year, [kind] if kind else None)
        except catalogue_io.CatalogueError as error:
            raise CommandError(f"复制失败，科目目录未改变：\n{error}") from error
        for copied_kind, count in copied.items():
            label = catalogue_io.kind_label(copied_kind)
            self.stdout.write(
                self.style.SUCCESS(f"已把 {from_year} 年{label}（{count} 条）复制为 {to_year} 年。")
            )
