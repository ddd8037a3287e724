from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.models import Region
from disclosures.roster import roster_file, roster_rows


class Command(BaseCommand):
    help = (
        "导出一个区划及其下级区划的花名册（与 import_roster 的格式相同），或空白模板。"
        "文件名以 .xlsx 结尾时为 Excel 工作簿（含“填写说明”工作表），否则为 CSV（UTF-8，带 BOM）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", help="区划代码，如 622901；不填则导出空白模板")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.csv 或 .xlsx）")
        parser.add_argument("--template", action="store_true", help="只导出表头（空白模板）")

    def handle(self, *args, region, output, template, **options) -> None:
        if template or not region:
            rows = []
        else:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"找不到区划：{region}")
            rows = roster_rows(found)
        path = Path(output)
        path.write_bytes(roster_file(rows, path.name))
        what = (
            "空白模板"
            if not rows
            else f"{found.name}（{found.code}）及其下级区划的花名册，{len(rows)} 行"
        )
        self.stdout.write(self.style.SUCCESS(f"已导出{what}：{path}"))
