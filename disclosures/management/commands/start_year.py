from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from disclosures.models import Region
from disclosures.newyear import Catalogues, YearRefused, start_year


class Command(BaseCommand):
    help = (
        "开始新年度预算编制：为一个行政区划及其下级区划中尚无该年度部门预算的每个部门新建第 1 版"
        "草稿，沿用上年的科目编码、预算单位和情况说明（标为【待更新】），列出公开表的固定项目，"
        "金额留空待填。每个部门全部成功才保存；再次运行只会跳过已建的部门。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", required=True, help="行政区划代码，如 620000")
        parser.add_argument("--year", required=True, type=int, help="新年度，如 2025")
        parser.add_argument("--from-year", type=int, help="沿用哪一年的结构；默认为上一年")
        parser.add_argument(
            "--user", help="以此账号的权限执行（须为超级用户或该区划的财政局管理员）"
        )

    def handle(self, *args, **options) -> None:
        # The report names tables and layouts by their labels: in the portal's language,
        # whatever language an earlier request left active in this thread.
        with translation.override(settings.LANGUAGE_CODE):
            self.start(**options)

    def start(self, *, region, year, from_year, user, **options) -> None:
        if not 2000 <= year <= 2100 or (from_year is not None and not 2000 <= from_year <= 2100):
            raise CommandError("年度须在 2000 至 2100 之间。")
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"找不到行政区划代码 {region}。")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"找不到账号“{user}”。")
        try:
            results = start_year([found], year, from_year=from_year, user=account)
        except YearRefused as refused:
            raise CommandError(str(refused)) from refused
        created = [r for r in results if r.disclosure is not None]
        for result in results:
            line = result.describe()
            self.stdout.write(self.style.SUCCESS(line) if result.disclosure else line)
        missing = Catalogues.of(year).missing()
        if missing and not created:
            raise CommandError(f"{missing}。未建任何草稿。")
        self.stdout.write(
            f"{found.name} {year} 年：新建草稿 {len(created)} 份，跳过 {len(results) - len(created)} 个部门。"
        )
