from django.core.management.base import BaseCommand
from django.db import transaction

from disclosures.fixtures.generate import RandomSource, generated_facts, save_generated
from disclosures.management.benchmarking import (
    median_seconds,
    peak_mib,
    peak_rss_mib,
    published_linxia,
)
from disclosures.models import Disclosure
from disclosures.workbook import apply_import, plan_import, workbook_bytes


class Command(BaseCommand):
    help = (
        "性能基准：Excel 工作簿的导出、导入预览（读取、比较、检查）和导入保存的耗时与内存峰值——"
        "临夏 2024，以及随机生成的 30 个单位、200 个项目的部门。导入在回滚的事务中进行，不留数据。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--units", type=int, default=30)
        parser.add_argument("--projects", type=int, default=200)

    def measure(self, label: str, pk: int, repeat: int) -> None:
        def export() -> bytes:
            return workbook_bytes(Disclosure.objects.with_contents().get(pk=pk))

        data = export()
        original = Disclosure.objects.select_related("department").get(pk=pk)

        def plan():
            return plan_import(
                data, department=original.department, year=original.fiscal_year, kind="final"
            )

        def save() -> None:
            with transaction.atomic():
                apply_import(plan())
                transaction.set_rollback(True)

        rows = plan().summary()
        export_s, plan_s, save_s = (median_seconds(step, repeat) for step in (export, plan, save))
        self.stdout.write(
            f"{label}：{len(data) / 1024:.0f} KiB，{rows}\n"
            f"  导出 {export_s:.2f} s（内存峰值 {peak_mib(export):.1f} MiB）；"
            f"导入预览 {plan_s:.2f} s（内存峰值 {peak_mib(plan):.1f} MiB）；"
            f"预览并保存 {save_s:.2f} s"
        )

    def handle(self, *args, repeat: int, units: int, projects: int, **options) -> None:
        linxia = published_linxia()
        if linxia is not None:
            self.measure(str(linxia), linxia.pk, repeat)
        with transaction.atomic():
            generated = save_generated(
                generated_facts(RandomSource(2024), units=units, projects=projects)
            )
            self.measure(f"随机生成部门（{units} 个单位，{projects} 个项目）", generated.pk, repeat)
            transaction.set_rollback(True)
        self.stdout.write(f"进程常驻内存峰值：{peak_rss_mib():.0f} MiB（中位数取 {repeat} 次）")
