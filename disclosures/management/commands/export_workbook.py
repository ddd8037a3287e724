from pathlib import Path

from django.core.management.base import BaseCommand

from disclosures.management.selection import add_department_arguments, find_disclosure
from disclosures.workbook import workbook_of


class Command(BaseCommand):
    help = (
        "把一个部门某年度的预算公开导出为按公开表样式排版的 Excel 工作簿（.xlsx）："
        "每张公开表、每张绩效目标表各一个工作表，可直接打印。默认取最新的已公开版本。"
    )

    def add_arguments(self, parser) -> None:
        add_department_arguments(parser)
        parser.add_argument("-o", "--output", required=True, help="输出文件，如 临夏2024.xlsx")

    def handle(self, *args, department, year, revision, kind, region, output, **options) -> None:
        disclosure = find_disclosure(department, year, revision, kind, region, self.stderr)
        data = workbook_of(disclosure)
        Path(output).write_bytes(data)
        self.stdout.write(f"已导出：{output}（{len(data):,} 字节），{disclosure}")
