from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disclosures.fixtures.demo.loader import load_demo

NOT_PRODUCTION = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "载入演示数据：临夏市人大常委会办公室 2024 年部门预算公开（种子 004）与"
        "广州市增城区人大常委会办公室 2024 年项目支出绩效目标表（种子 000），均为已公开状态。"
        "重复运行不改变任何数据。演示账号（含超级用户 admin）的密码是公开的，"
        f"所以 DEBUG 关闭时拒绝运行，除非给出 {NOT_PRODUCTION}。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            NOT_PRODUCTION,
            action="store_true",
            dest="not_production",
            help="DEBUG 关闭时也载入（仅用于演示或测试环境，切勿用于生产环境）",
        )

    def handle(self, *args, not_production: bool, **options) -> None:
        # The demo accounts' password is in the README: on a production server they would
        # be open doors, a superuser among them.
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "DEBUG 已关闭，这可能是生产环境：演示数据会创建密码公开的演示账号（包括超级用户 admin），"
                f"因此未载入任何数据。确认不是生产环境时，请加上 {NOT_PRODUCTION} 再运行。"
            )
        for line in load_demo():
            self.stdout.write(line)
