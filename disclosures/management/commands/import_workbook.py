from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.management.selection import add_department_arguments, find_department
from disclosures.workbook import WorkbookError, apply_import, plan_import


class Command(BaseCommand):
    help = (
        "从按公开表样式排版的 Excel 工作簿（.xlsx）导入一个部门某年度的预算公开：没有草稿时新建"
        "第 1 版草稿，已有草稿时替换其中的公开表和绩效目标表。全部成功才保存；有任何问题则逐条说明"
        "（工作表与单元格），什么也不保存，退出状态非零。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="工作簿文件（.xlsx）")
        add_department_arguments(parser, revision=False)
        parser.add_argument("--dry-run", action="store_true", help="只预览将要发生的变化，不保存")

    def handle(self, *args, file, department, year, kind, region, dry_run, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        target = find_department(department, region)
        try:
            plan = plan_import(
                path.read_bytes(), department=target, year=year, kind=kind, filename=path.name
            )
            for warning in plan.warnings:
                self.stderr.write(f"提示：{warning}")
            self.report(plan)
            if dry_run:
                self.stdout.write("预览完毕，未保存（--dry-run）。")
                return
            disclosure = apply_import(plan)
        except WorkbookError as error:
            raise CommandError(f"导入失败，未保存任何内容：\n{error}") from error
        action = "已替换草稿" if plan.target else "已新建草稿"
        self.stdout.write(self.style.SUCCESS(f"{action}：{disclosure}。{plan.summary()}。"))

    def report(self, plan) -> None:
        self.stdout.write(f"{plan.department.name} {plan.fiscal_year} 年：{plan.summary()}")
        for change in plan.changes:
            if change.any:
                self.stdout.write(
                    f"  {change.name}：新增 {len(change.added)}，修改 {len(change.changed)}，"
                    f"删除 {len(change.removed)}"
                )
                for line in change.changed[:20]:
                    self.stdout.write(f"    修改 {line}")
                for line in change.removed[:20]:
                    self.stdout.write(f"    删除 {line}")
        errors = len(plan.errors)
        self.stdout.write(
            f"检查结果：{len(plan.findings)} 项，其中错误 {errors} 项"
            + ("（导入后仍是草稿，须改正才能提交）" if errors else "")
        )
        for finding in plan.findings[:30]:
            self.stdout.write(
                f"  [{finding.severity}] {finding.table} {finding.location}：{finding.message}"
            )
