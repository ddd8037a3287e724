from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from disclosures.roster import (
    RosterError,
    apply_roster,
    link_days,
    password_links,
    plan_roster,
)

# settings.SITE_URL when the environment sets none: right only on the operator's own machine.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "导入财政部门的花名册（CSV 或 .xlsx）：区划、部门、所属单位、账号及其角色。只新增和修改，"
        "不删除任何内容；全部无误才保存，有任何问题则逐条说明（第几行、哪一列），什么也不改，"
        "退出状态非零。新账号没有密码：设置密码的一次性链接发到其邮箱，并在此列出。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="花名册文件（.csv 或 .xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只预览将要发生的变化，不保存")
        parser.add_argument(
            "--user",
            help="以此账号的身份导入：只能维护其负责的区划（财政局管理员）；不填则不受限制",
        )
        parser.add_argument(
            "--site-url",
            help=f"链接中的网站地址（默认 SITE_URL：{settings.SITE_URL}）",
        )

    def handle(self, *args, file, dry_run, user, site_url, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if not site_url and settings.SITE_URL == DEFAULT_SITE_URL:
            self.stdout.write(
                self.style.WARNING(
                    f"链接以 SITE_URL={DEFAULT_SITE_URL} 生成；"
                    "正式部署请设置 SITE_URL，或用 --site-url 指定。"
                )
            )
        site_url = site_url or settings.SITE_URL
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"找不到账号：{user}")
        try:
            with transaction.atomic():
                plan = plan_roster(path.read_bytes(), path.name, importer)
                self.stdout.write(f"{path.name}：{plan.rows} 行，{plan.summary()}。")
                for line in plan.lines():
                    self.stdout.write(f"  {line}")
                if dry_run:
                    for username in plan.without_password:
                        self.stdout.write(f"  账号 {username} 尚未设置密码，导入时将重发链接")
                    self.stdout.write("预览完毕，未保存（--dry-run）。")
                    return
                accounts = apply_roster(plan)
        except RosterError as error:
            raise CommandError(f"花名册有错误，未导入任何内容：\n{error}") from error
        self.stdout.write(self.style.SUCCESS(f"已导入：{plan.summary()}。"))
        if accounts:
            self.stdout.write(
                f"设置密码的链接（{link_days()} 天内有效，只能使用一次；请只交给本人）："
            )
            for link in password_links(accounts, site_url):
                self.stdout.write(f"  {link}")
