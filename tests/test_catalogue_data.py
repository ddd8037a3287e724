"""The shipped 2024 catalogue files: well formed, whole trees, and what migrate loads."""

import csv
import re
from pathlib import Path

import pytest
from django.apps import apps

from disclosures.models import CatalogueYear, EconomicSubject, FunctionSubject
from disclosures.models.disclosure import ComparisonEntry
from disclosures.models.tables import EconomicSubjectRow, FunctionSubjectRow, SummaryRow
from disclosures.subjects import ECONOMIC_CODE_RE, FUNCTION_CODE_RE, parent_code

FOLDER = Path(__file__).resolve().parent.parent / "disclosures" / "catalogues" / "2024"
BUDGETS = {"general", "fund", "capital"}


def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(FOLDER / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


FUNCTION_HEADER, FUNCTION_ROWS = read("function.csv")
ECONOMIC_HEADER, ECONOMIC_ROWS = read("economic.csv")
FUNCTION = {row["code"]: row for row in FUNCTION_ROWS}
ECONOMIC = {row["code"]: row for row in ECONOMIC_ROWS}


def test_headers_are_exactly_what_the_migrations_read():
    assert FUNCTION_HEADER == ["code", "name", "budget", "basic"]
    assert ECONOMIC_HEADER == ["code", "name"]


@pytest.mark.parametrize(
    ("rows", "pattern"), [(FUNCTION_ROWS, FUNCTION_CODE_RE), (ECONOMIC_ROWS, ECONOMIC_CODE_RE)]
)
def test_every_code_has_its_level_format_and_appears_once(rows, pattern):
    codes = [row["code"] for row in rows]
    assert [c for c in codes if not re.fullmatch(pattern, c)] == []
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("rows", [FUNCTION_ROWS, ECONOMIC_ROWS])
def test_every_parent_is_present(rows):
    codes = {row["code"] for row in rows}
    orphans = [c for c in codes if parent_code(c) and parent_code(c) not in codes]
    assert orphans == []


@pytest.mark.parametrize("rows", [FUNCTION_ROWS, ECONOMIC_ROWS])
def test_names_are_present_and_stripped(rows):
    assert [r["code"] for r in rows if not r["name"] or r["name"] != r["name"].strip()] == []


def test_the_files_are_in_catalogue_order():
    # Parents before children, 99 (其他…) last: plain string order of the codes.
    for rows in (FUNCTION_ROWS, ECONOMIC_ROWS):
        codes = [row["code"] for row in rows]
        assert codes == sorted(codes)


def test_budget_is_one_of_the_three_and_basic_only_marks_items():
    assert {row["budget"] for row in FUNCTION_ROWS} <= BUDGETS
    assert {row["basic"] for row in FUNCTION_ROWS} <= {"", "1"}
    assert [r["code"] for r in FUNCTION_ROWS if r["basic"] and len(r["code"]) != 7] == []


def test_basic_marks_exactly_the_administrative_running_items():
    # 行政运行 only: published documents put 项目支出 on 事业运行 routinely (see the README).
    marked = {r["code"] for r in FUNCTION_ROWS if r["basic"] == "1"}
    running = {r["code"] for r in FUNCTION_ROWS if len(r["code"]) == 7 and r["name"] == "行政运行"}
    assert marked == running
    assert FUNCTION["2010150"]["basic"] == ""


def test_a_child_belongs_to_its_parents_budget_unless_the_parent_is_a_mixed_class():
    # 类 like 229 其他支出 or 212 城乡社区支出 hold 款 of several budgets; below the 款 the
    # budget never changes.
    for row in FUNCTION_ROWS:
        if len(row["code"]) == 7:
            assert row["budget"] == FUNCTION[row["code"][:5]]["budget"], row["code"]


def test_spot_checks():
    assert FUNCTION["2050101"] == {
        "code": "2050101",
        "name": "行政运行",
        "budget": "general",
        "basic": "1",
    }
    assert FUNCTION["2050201"]["name"] == "学前教育"
    assert FUNCTION["2050201"]["basic"] == ""
    assert FUNCTION["2080505"]["name"] == "机关事业单位基本养老保险缴费支出"
    assert FUNCTION["2101101"]["name"] == "行政单位医疗"
    assert FUNCTION["2210201"]["name"] == "住房公积金"
    assert FUNCTION["21208"] == {
        "code": "21208",
        "name": "国有土地使用权出让收入安排的支出",
        "budget": "fund",
        "basic": "",
    }
    assert FUNCTION["223"]["budget"] == "capital"
    assert FUNCTION["201"]["budget"] == "general"
    assert ECONOMIC["301"]["name"] == "工资福利支出"
    assert ECONOMIC["30113"]["name"] == "住房公积金"


def test_names_are_the_official_ones_not_the_misprints():
    assert ECONOMIC["301"]["name"] != "工作福利支出"
    assert FUNCTION["207"]["name"] == "文化旅游体育与传媒支出"


@pytest.mark.django_db
def test_migrate_loaded_exactly_the_files():
    loaded = {
        (s.code, s.name, s.budget, s.basic) for s in FunctionSubject.objects.filter(year=2024)
    }
    shipped = {(r["code"], r["name"], r["budget"], r["basic"] == "1") for r in FUNCTION_ROWS}
    assert loaded == shipped
    loaded = set(EconomicSubject.objects.filter(year=2024).values_list("code", "name"))
    assert loaded == {(r["code"], r["name"]) for r in ECONOMIC_ROWS}


@pytest.mark.django_db
def test_the_shipped_catalogue_is_loaded_as_not_complete():
    years = CatalogueYear.objects.filter(year=2024)
    assert sorted(years.values_list("kind", "complete")) == [
        ("economic", False),
        ("function", False),
    ]


def concrete(base):
    return [m for m in apps.get_app_config("disclosures").get_models() if issubclass(m, base)]


@pytest.mark.django_db
def test_every_code_the_demo_disclosures_use_is_in_the_files():
    function_used, economic_used = set(), set()
    for model in concrete(FunctionSubjectRow):
        function_used |= set(model.objects.exclude(code="").values_list("code", flat=True))
    for model in concrete(EconomicSubjectRow):
        economic_used |= set(model.objects.exclude(code="").values_list("code", flat=True))
    for model in concrete(SummaryRow) + concrete(ComparisonEntry):
        used = model.objects.exclude(subject_code="").values_list("subject_code", flat=True)
        function_used |= set(used)
    assert len(function_used) > 10 and len(economic_used) > 10  # the demo is loaded
    assert function_used - FUNCTION.keys() == set()
    assert economic_used - ECONOMIC.keys() == set()
