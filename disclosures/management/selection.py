"""How the commands name a disclosure: department full name, year, kind, revision."""

from django.core.management.base import CommandError

from disclosures.models import Department, Disclosure


def add_department_arguments(parser, *, revision: bool = True) -> None:
    parser.add_argument("--department", required=True, help="部门名称（全称）")
    parser.add_argument("--year", required=True, type=int, help="年度，如 2024")
    if revision:
        parser.add_argument("--revision", type=int, help="版本号；默认最新的已公开版本")
    parser.add_argument(
        "--kind",
        default=Disclosure.Kind.BUDGET,
        choices=Disclosure.Kind.values,
        help="budget（部门预算，默认）或 final（部门决算）",
    )
    parser.add_argument("--region", help="行政区划代码；部门名称在多个地区重名时必填")


def find_department(name: str, region: str | None) -> Department:
    departments = Department.objects.filter(name=name).select_related("region")
    if region:
        departments = departments.filter(region__code=region)
    found = list(departments)
    if not found:
        raise CommandError(
            f"找不到部门“{name}”：请检查部门全称" + ("和行政区划代码。" if region else "。")
        )
    if len(found) > 1:
        codes = "、".join(d.region.code for d in found)
        raise CommandError(f"多个地区都有名为“{name}”的部门（{codes}）：请用 --region 指定。")
    return found[0]


def find_disclosure(department, year, revision, kind, region, stderr) -> Disclosure:
    """The newest published revision, or the one asked for; the newest of any status when
    none is published, with a note on stderr."""
    candidates = Disclosure.objects.filter(department__name=department, fiscal_year=year, kind=kind)
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
        stderr.write(
            f"注意：输出的是第 {disclosure.revision} 版，状态为“{disclosure.get_status_display()}”，尚未公开。"
        )
    return disclosure
