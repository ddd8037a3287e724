import json

from django.core.management.base import BaseCommand

from disclosures.checks import Severity, check_disclosure
from disclosures.models import Disclosure


def latest_revisions(disclosures):
    """The newest revision of each department's disclosure for a year: a corrected
    revision is superseded by its correction and is not checked again."""
    latest = {}
    for disclosure in disclosures:
        key = (disclosure.department_id, disclosure.fiscal_year, disclosure.kind)
        if key not in latest or disclosure.revision > latest[key].revision:
            latest[key] = disclosure
    return sorted(latest.values(), key=lambda d: (d.department.name, d.fiscal_year, d.kind))


class Command(BaseCommand):
    help = (
        "对所选部门预算公开（每个部门每年取最新版本）运行全部勾稽与完整性检查。默认输出可读报告；--json 输出检查结果列表。"
        "发现错误时退出状态为 1，否则为 0。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", help="部门名称（全称）；默认全部部门")
        parser.add_argument("--year", type=int, help="年度；默认全部年度")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, department, year, json: bool, **options) -> None:
        disclosures = Disclosure.objects.with_contents().order_by(
            "department__name", "fiscal_year", "revision"
        )
        if department:
            disclosures = disclosures.filter(department__name=department)
        if year:
            disclosures = disclosures.filter(fiscal_year=year)
        results = [(d, check_disclosure(d)) for d in latest_revisions(disclosures)]
        if json:
            self._write_json(results)
        else:
            self._write_report(results, department, year)
        if any(f.severity == Severity.ERROR for _d, findings in results for f in findings):
            raise SystemExit(1)

    def _write_json(self, results) -> None:
        rows = [
            {"disclosure": str(d), **finding.as_dict()}
            for d, findings in results
            for finding in findings
        ]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def _write_report(self, results, department, year) -> None:
        if not results:
            what = "、".join(filter(None, [department, f"{year} 年" if year else ""])) or "任何部门"
            self.stdout.write(f"没有找到{what}的部门预算公开。")
            return
        for disclosure, findings in results:
            errors = sum(f.severity == Severity.ERROR for f in findings)
            warnings = len(findings) - errors
            self.stdout.write(f"\n{disclosure}：错误 {errors} 项，警告 {warnings} 项")
            for number, finding in enumerate(findings, start=1):
                label = Severity(finding.severity).label
                self.stdout.write(f"  {number}. [{label} {finding.code}] {finding.message}")
                if finding.acknowledged:
                    self.stdout.write(f"     已确认：{finding.acknowledged}")
