"""A budget season for one county, timed: the roster, the catalogue, the new year's drafts,
批复日期 in bulk and the public compliance page. Everything is rolled back at the end."""

import csv
import datetime
import io
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from disclosures import approvals
from disclosures.models import Department
from disclosures.roster import apply_roster, plan_roster

REGION, PARENT, YEAR = "622999", "622900", 2099


class RolledBack(Exception):
    pass


def roster_csv(departments: int, units: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["区划代码", "区划名称", "上级区划代码", "部门名称", "单位名称", "账号", "姓名", "邮箱", "角色"])  # fmt: skip
    for d in range(1, departments + 1):
        name = f"基准县第{d}局"
        for u in range(units):
            unit = name if u == 0 else f"{name}第{u}所"
            writer.writerow([REGION, "基准县", PARENT, name, unit, "", "", "", ""])
        writer.writerow(
            [REGION, "基准县", PARENT, name, "", f"bench{d}", f"财务{d}", "", "财务人员"]
        )
    return out.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = (
        "性能基准：一个县的预算季——导入花名册、复制科目目录、开始新年度（每个部门一份草稿）、"
        "批量登记批复日期、公开的按时公开情况页。结束时全部回滚，不留任何数据。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--departments", type=int, default=80)
        parser.add_argument("--units", type=int, default=3, help="每个部门的单位数")

    def handle(self, *args, departments: int, units: int, **options) -> None:
        self.timings: list[tuple[str, float, int]] = []
        try:
            with transaction.atomic():
                self.season(departments, units)
                raise RolledBack
        except RolledBack:
            pass
        for step, seconds, queries in self.timings:
            self.stdout.write(f"{step}: {seconds * 1000:,.0f} ms, {queries} 次查询")
        self.stdout.write("（已回滚，数据库未改变）")

    @contextmanager
    def timed(self, step: str):
        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            start = time.perf_counter()
            yield
            self.timings.append((step, time.perf_counter() - start, count[0]))

    def season(self, departments: int, units: int) -> None:
        quiet = io.StringIO()
        data = roster_csv(departments, units)
        with self.timed(
            f"导入花名册（{departments} 个部门 × {units} 个单位，{departments} 个账号）"
        ):
            apply_roster(plan_roster(data, "roster.csv"))
        with self.timed("复制科目目录（两种）"):
            call_command(
                "copy_catalogue", "--from-year", "2024", "--to-year", str(YEAR), stdout=quiet
            )
        with self.timed(f"开始新年度（{departments} 份草稿）"):
            call_command("start_year", "--region", REGION, "--year", str(YEAR), stdout=quiet)
        admin = get_user_model().objects.filter(is_superuser=True).first()
        county = Department.objects.filter(region__code=REGION)
        entries = approvals.entries_for(
            county, YEAR, timezone.localdate() - datetime.timedelta(days=30)
        )
        with self.timed(f"批量登记批复日期（{departments} 个部门）"):
            approvals.record(admin, entries)
        client = Client(HTTP_HOST="localhost")
        url = f"/regions/{REGION}/{YEAR}/compliance/"
        for label in ("按时公开情况页（首次，未缓存）", "按时公开情况页（缓存）"):
            with self.timed(label):
                response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url}：HTTP {response.status_code}")
        with self.timed("按时公开情况 CSV"):
            client.get(url, {"format": "csv"})
