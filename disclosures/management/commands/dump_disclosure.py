import json

from django.core.management.base import BaseCommand

from disclosures.management.selection import add_department_arguments, find_disclosure
from disclosures.rendering.dump import disclosure_document


class Command(BaseCommand):
    help = (
        "以 JSON 输出一个部门某年度的预算公开：元数据、各张公开表（单元格与印刷一致）和绩效目标表。"
        "默认取最新的已公开版本；没有已公开版本时取最新版本，并在标准错误中说明。"
    )

    def add_arguments(self, parser) -> None:
        add_department_arguments(parser)

    def handle(self, *args, department, year, revision, kind, region, **options) -> None:
        disclosure = find_disclosure(department, year, revision, kind, region, self.stderr)
        self.stdout.write(json.dumps(disclosure_document(disclosure), ensure_ascii=False, indent=2))
