import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.models import Disclosure
from disclosures.rendering.pdf import render_pdf, store_pdf


class Command(BaseCommand):
    help = "输出部门预算公开的 PDF：默认最新的已公开版本（使用已保存的文件），或 --revision 指定的版本。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True, help="部门名称（全称）")
        parser.add_argument("--year", required=True, type=int, help="年度")
        parser.add_argument("--revision", type=int, help="版本号；默认最新的已公开版本")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径")
        parser.add_argument(
            "--project-list",
            action="store_true",
            help="另附项目支出绩效目标表（含转移支付项目）清单样式（种子 000 样式）；按需生成，不使用已保存的文件",
        )

    def handle(self, *args, department, year, revision, output, project_list, **options) -> None:
        candidates = Disclosure.objects.filter(department__name=department, fiscal_year=year)
        if revision is None:
            candidates = candidates.published()
        else:
            candidates = candidates.filter(revision=revision)
        disclosure = candidates.order_by("-revision").first()
        if disclosure is None:
            what = f"第 {revision} 版" if revision else "已公开版本"
            raise CommandError(f"找不到“{department}”{year} 年的{what}。")
        if disclosure.status == Disclosure.Status.PUBLISHED and not project_list:
            stored = store_pdf(disclosure.pk)
            content = stored.file.open("rb").read()
            digest = stored.sha256
        else:
            content = render_pdf(
                Disclosure.objects.with_contents().get(pk=disclosure.pk),
                project_list=project_list or None,
            )
            digest = hashlib.sha256(content).hexdigest()
        Path(output).write_bytes(content)
        self.stdout.write(f"{output}：{disclosure}，{len(content)} 字节，SHA-256 {digest}")
