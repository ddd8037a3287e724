from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.management.selection import find_department
from disclosures.newyear import YearRefused, template_workbook


class Command(BaseCommand):
    help = (
        "导出一个部门某年度待填写的公开表工作簿（.xlsx）：已有该年度草稿时导出草稿；没有时按上年"
        "的科目编码和本部门的预算单位生成空白模板，科目名称取该年度目录，金额留空。填好后可用 "
        "import_workbook 导入。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True, help="部门名称（全称）")
        parser.add_argument("--region", help="行政区划代码；部门名称在多个地区重名时必填")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2025")
        parser.add_argument("-o", "--output", required=True, help="输出文件，如 模板2025.xlsx")

    def handle(self, *args, department, region, year, output, **options) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError("年度须在 2000 至 2100 之间。")
        target = find_department(department, region)
        try:
            data = template_workbook(target, year)
        except YearRefused as refused:
            raise CommandError(str(refused)) from refused
        Path(output).write_bytes(data)
        self.stdout.write(f"已导出：{output}（{len(data):,} 字节），{target.name} {year} 年")
