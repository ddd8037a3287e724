import json

from django.core.management.base import BaseCommand, CommandError

from disclosures.dump import disclosure_document
from disclosures.models import Disclosure


class Command(BaseCommand):
    help = (
        "以 JSON 输出一个部门某年度的预算公开：元数据、各张公开表（单元格与印刷一致）和绩效目标表。"
        "默认取最新的已公开版本；没有已公开版本时取最新版本，并在标准错误中说明。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True, help="部门名称（全称）")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2024")
        parser.add_argument("--revision", type=int, help="版本号；默认最新的已公开版本")
        parser.add_argument(
            "--kind",
            default=Disclosure.Kind.BUDGET,
            choices=Disclosure.Kind.values,
            help="budget（部门预算，默认）或 final（部门决算）",
        )
        parser.add_argument("--region", help="行政区划代码；部门名称在多个地区重名时必填")

    def handle(self, *args, department, year, revision, kind, region, **options) -> None:
        candidates = Disclosure.objects.filter(
            department__name=department, fiscal_year=year, kind=kind
        )
        if region:
            candidates = candidates.filter(department__region__code=region)
        regions = sorted(set(candidates.values_list("department__region__code", flat=True)))
        if len(regions) > 1:
            raise CommandError(
                f"多个地区都有名为“{department}”的部门（{'、'.join(regions)}）：请用 --region 指定。"
            )
        if revision is not None:
            candidates = candidates.filter(revision=revision)
        elif candidates.published().exists():
            candidates = candidates.published()
        disclosure = candidates.with_contents().order_by("-revision").first()
        if disclosure is None:
            what = f"第 {revision} 版" if revision else "任何版本"
            raise CommandError(f"找不到“{department}”{year} 年的{what}：请检查部门全称和年度。")
        if disclosure.status != Disclosure.Status.PUBLISHED:
            self.stderr.write(
                f"注意：输出的是第 {disclosure.revision} 版，状态为“{disclosure.get_status_display()}”，尚未公开。"
            )
        self.stdout.write(json.dumps(disclosure_document(disclosure), ensure_ascii=False, indent=2))
