import argparse
import statistics
import time

from django.core.management.base import BaseCommand

from disclosures.checks import Facts, run_checks
from disclosures.fixtures.generate import RandomSource, generated_facts
from disclosures.models import Disclosure


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("须为正整数")
    return number


class Command(BaseCommand):
    help = "性能基准：对一个部门预算公开运行全部检查的耗时，以及对 N 个随机生成的公开（默认 1000）的耗时。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", default="临夏市人民代表大会常务委员会办公室")
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--count", type=positive, default=1000, help="随机生成的公开个数")
        parser.add_argument("--repeat", type=positive, default=50, help="单个公开重复测量的次数")

    def handle(self, *args, department, year, count, repeat, **options) -> None:
        disclosure = Disclosure.objects.filter(
            department__name=department, fiscal_year=year
        ).first()
        if disclosure is not None:
            loads, checks = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                facts = Facts.of(Disclosure.objects.with_contents().get(pk=disclosure.pk))
                loaded = time.perf_counter()
                findings = run_checks(facts)
                checks.append(time.perf_counter() - loaded)
                loads.append(loaded - start)
            self.stdout.write(
                f"{disclosure}：{len(findings)} 项结果；读取 {statistics.median(loads) * 1000:.2f} ms，"
                f"检查 {statistics.median(checks) * 1000:.2f} ms（{repeat} 次的中位数）"
            )
        facts = []
        start = time.perf_counter()
        for seed in range(count):
            facts.append(generated_facts(RandomSource(seed)))
        generated = time.perf_counter()
        findings = sum(len(run_checks(f)) for f in facts)
        checked = time.perf_counter()
        rows = sum(len(rows) for f in facts for rows in f.rows.values())
        self.stdout.write(
            f"随机生成 {count} 个公开（共 {rows} 行）：生成 {generated - start:.2f} s，"
            f"全部检查 {checked - generated:.2f} s，平均每个 {(checked - generated) / count * 1000:.2f} ms，"
            f"结果 {findings} 项"
        )
