"""The 2024 catalogues: complete where the seeds can tell, official names only."""

import re

import pytest
from seed_documents import linxia_tables, linxia_text, squash

from disclosures.models import EconomicSubject, FunctionSubject, GeneralBasicRow, GeneralExpenseRow

pytestmark = pytest.mark.django_db


def test_every_function_class_of_2024_as_table_one_lists_them():
    classes = FunctionSubject.objects.filter(year=2024, code__regex=r"^[0-9]{3}$").order_by("code")
    printed = re.findall(r"[一二三四五六七八九十]+、(\S+支出|预备费)", linxia_tables()[1])
    printed = [name for name in printed if not name.endswith("收入")]
    assert [c.name for c in classes] == printed
    assert len(printed) == 30


def test_every_subject_the_seed_uses_is_in_the_catalogue():
    function_codes = set(GeneralExpenseRow.objects.exclude(code="").values_list("code", flat=True))
    economic_codes = set(GeneralBasicRow.objects.exclude(code="").values_list("code", flat=True))
    assert function_codes <= set(
        FunctionSubject.objects.filter(year=2024).values_list("code", flat=True)
    )
    assert economic_codes <= set(
        EconomicSubject.objects.filter(year=2024).values_list("code", flat=True)
    )


def test_misprints_are_not_catalogue_entries():
    names = EconomicSubject.objects.names(2024)
    assert names["301"] == "工资福利支出"
    assert GeneralBasicRow.objects.get(code="301").name == "工作福利支出"
    assert FunctionSubject.objects.names(2024)["207"] == "文化旅游体育与传媒支出"


def items_listed(after: str) -> list[str]:
    """The list of economic items the explanatory text gives after `after`."""
    text = squash(linxia_text())
    start = text.index(after) + len(after)
    return text[start : text.index("等。", start)].split("、")


def test_personnel_items_are_the_catalogues_301_and_303_in_order():
    # Seed 004 lists what 人员经费 covers: every 款 of 301 and 303, in catalogue order.
    names = EconomicSubject.objects.filter(year=2024)
    expected = [s.name for s in names if s.code[:3] in ("301", "303") and len(s.code) == 5]
    assert items_listed("人员经费支出714.75万元，主要包括：") == expected


def test_running_items_are_the_catalogues_302_in_order():
    names = EconomicSubject.objects.filter(year=2024)
    expected = [s.name for s in names if s.code[:3] == "302" and len(s.code) == 5]
    listed = items_listed("公用经费支出106.32万元，主要包括：")
    # The text abbreviates 因公出国（境）费用 and adds two 310 items at the end.
    expected[expected.index("因公出国（境）费用")] = "因公出国（境）费"
    assert listed == [*expected, "办公设备购置", "专用设备购置"]
