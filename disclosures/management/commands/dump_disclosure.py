import json

from django.core.management.base import BaseCommand, CommandError

from disclosures.dump import disclosure_document
from disclosures.models import Disclosure


class Command(BaseCommand):
    help = (
        "以 JSON 输出一个部门某年度的预算公开：元数据、各张公开表（单元格与印刷一致）和绩效目标表。"
        "默认取最新的已公开版本；没有已公开版本时取最新版本。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True, help="部门名称（全称）")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2024")
        parser.add_argument("--revision", type=int, help="版本号；默认最新的已公开版本")
        parser.add_argument(
            "--kind",
            default=Disclosure.Kind.BUDGET,
            choices=Disclosure.Kind.values,
            help="budget 或 final",
        )

    def handle(self, *args, department: str, year: int, revision: int | None, kind: str, **options):
        candidates = Disclosure.objects.with_contents().filter(
            department__name=department, fiscal_year=year, kind=kind
        )
        if revision is not None:
            candidates = candidates.filter(revision=revision)
        else:
            published = candidates.published()
            candidates = published if published.exists() else candidates
        disclosure = candidates.order_by("-revision").first()
        if disclosure is None:
            what = f"第 {revision} 版" if revision else "任何版本"
            raise CommandError(f"找不到“{department}”{year} 年的{what}：请检查部门全称和年度。")
        document = disclosure_document(disclosure)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
