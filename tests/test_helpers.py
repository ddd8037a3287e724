"""Pure helpers and the specs' own consistency, without a database."""

from decimal import Decimal

import pytest

from disclosures import money, subjects
from disclosures.models import Layout, TableKey
from disclosures.numerals import chinese_number, ordinal
from disclosures.specs import LAYOUTS, SPECS
from disclosures.specs.base import leaf_count


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (29, "二十九"), (31, "三十一")],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_ordinals():
    assert ordinal(3, "chinese") == "三、"
    assert ordinal(12, "paren") == "（十二）"
    with pytest.raises(ValueError):
        chinese_number(0)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("990.07"), "990.07"),
        (Decimal("169"), "169.00"),
        (Decimal("0.005"), "0.01"),  # half up, as published tables round
        (Decimal("0.004999"), "0.00"),
        (Decimal("1234567.891"), "1234567.89"),
    ],
)
def test_format_amount(amount, text):
    assert money.format_amount(amount) == text


def test_blank_zero_and_plain_figures():
    assert money.format_amount(Decimal("0"), blank_zero=True) == ""
    assert money.format_amount(Decimal("0")) == "0.00"
    assert money.format_plain(Decimal("169.000000")) == "169"
    assert money.format_plain(Decimal("714.750000")) == "714.75"
    assert money.format_plain(money.wan_to_yuan(Decimal("75"))) == "750000"
    assert money.yuan_to_wan(Decimal("750000")) == Decimal("75")


def test_totals_are_summed_before_rounding():
    thirds = [Decimal("0.003333")] * 3
    assert money.format_amount(money.total(thirds)) == "0.01"
    assert "".join(money.format_amount(t) for t in thirds) == "0.000.000.00"
    assert money.total([None, Decimal("1")]) == Decimal("1")


def test_subject_code_hierarchy():
    assert subjects.level("201") == 1
    assert subjects.level("20101") == 2
    assert subjects.level("2010101") == 3
    assert subjects.parent_code("2010101") == "20101"
    assert subjects.parent_code("201") is None
    assert subjects.ancestors("2010101") == ["201", "20101"]
    assert subjects.is_function_code("2010101") and not subjects.is_function_code("2010")
    assert subjects.is_economic_code("30201") and not subjects.is_economic_code("3020101")
    with pytest.raises(ValueError):
        subjects.level("20A")


@pytest.mark.parametrize("key", list(SPECS))
def test_header_covers_every_column(key):
    spec = SPECS[key]
    assert leaf_count(spec.header) == spec.source.width


def test_every_table_has_a_spec_and_layouts_name_only_specs():
    assert set(SPECS) == set(TableKey.values)
    assert set(LAYOUTS) == set(Layout.values)
    for keys in LAYOUTS.values():
        assert set(keys) <= set(SPECS)
    assert len(LAYOUTS[Layout.GANSU]) == 11
