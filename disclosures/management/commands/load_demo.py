from django.core.management.base import BaseCommand

from disclosures.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "载入演示数据：临夏市人大常委会办公室 2024 年部门预算公开（种子 004）与"
        "广州市增城区人大常委会办公室 2024 年项目支出绩效目标表（种子 000），均为已公开状态。"
        "重复运行不改变任何数据。"
    )

    def handle(self, *args, **options) -> None:
        for line in load_demo():
            self.stdout.write(line)
