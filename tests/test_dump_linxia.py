"""dump_disclosure on 临夏市人大常委会办公室 2024, held against seed 004 itself.

Every table is compared twice with the seed text: as a whole (title, unit line, note,
header, every cell, with white space removed) and row by row (each printed row, its
cells joined by spaces, is a line of the seed, in order). Where the seed text cannot
show which column a lone figure sits in, the arithmetic of the document can, and the
column is pinned below with the reason.
"""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from seed_documents import lines, linxia_forms, linxia_tables, linxia_text, squash

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


@pytest.fixture
def dump(capsys):
    call_command("dump_disclosure", "--department", LINXIA, "--year", "2024")
    return json.loads(capsys.readouterr().out)


def table(dump, number):
    return dump["tables"][number - 1]


def rendered_text(t: dict) -> str:
    """A table as the seed prints it: heading, unit line, note, header, rows."""
    parts = [t["heading"], "单位：万元"]
    note_on_top = number_has_note_on_top(t["number"])
    if note_on_top:
        parts.append(t["note"])
    parts += [cell["text"] for header_row in t["header"] for cell in header_row]
    parts += [cell for row in t["rows"] for cell in row]
    if not note_on_top:
        parts.append(t["note"])
    return "".join(parts)


def number_has_note_on_top(number: int) -> bool:
    # Seed 004 prints 表一's 备注 line above the table, every other table's below it.
    return number == 1


def test_metadata(dump):
    assert dump["department"] == LINXIA
    assert dump["region"] == "甘肃省临夏回族自治州临夏市"
    assert (dump["fiscal_year"], dump["kind"], dump["revision"]) == (2024, "budget", 1)
    assert dump["status"] == "published"
    assert dump["signed_on"] == "2024-02-26"
    assert [t["number"] for t in dump["tables"]] == list(range(1, 12))


def test_table_titles_are_the_seeds(dump):
    seed = linxia_tables()
    for t in dump["tables"]:
        assert lines(seed[t["number"]])[0] == t["heading"]
        assert lines(seed[t["number"]])[1] == "单位：万元" == t["captions"][1]
        assert t["captions"][0] == LINXIA
        assert t["note"] == "备注：无内容应公开空表并说明情况。"


@pytest.mark.parametrize("number", range(1, 12))
def test_table_matches_seed_cell_for_cell(dump, number):
    t = table(dump, number)
    assert squash(rendered_text(t)) == squash(linxia_tables()[number])


@pytest.mark.parametrize("number", range(1, 12))
def test_each_row_is_a_printed_line_in_order(dump, number):
    seed_lines = lines(linxia_tables()[number])
    position = 0
    for row in table(dump, number)["rows"]:
        printed = " ".join(cell for cell in row if cell)
        assert printed in seed_lines[position:], (
            f"表{number}: {printed!r} not printed after line {position}"
        )
        position = seed_lines.index(printed, position) + 1


def amounts(row: list[str], columns: range) -> list[Decimal]:
    return [Decimal(row[c] or "0") for c in columns]


# Where each table's money columns are, which of them add up to the first (合计), and
# which rows are leaves (the subjects nothing else in the table sums up).
ARITHMETIC = {
    # number: (code column or None, money columns, parts of the first money column)
    3: (None, range(1, 5), range(2, 5)),
    6: (0, range(2, 5), range(3, 5)),
    7: (0, range(2, 5), range(3, 5)),
    9: (None, range(2, 5), range(3, 5)),
}


@pytest.mark.parametrize("number", sorted(ARITHMETIC))
def test_every_figure_sits_in_the_column_the_seeds_arithmetic_needs(dump, number):
    """An oracle for column placement that the seed text alone cannot give: these tables
    add up in the published document, so every row's 合计 is the sum of its parts and every
    column's 总计 the sum of its leaf rows. A figure in a neighbouring column breaks one."""
    code_column, money, parts = ARITHMETIC[number]
    t = table(dump, number)
    total_row, *rows = t["rows"]
    for row in t["rows"]:
        assert sum(amounts(row, parts)) == amounts(row, range(money.start, money.start + 1))[0]
    if number == 3:  # names only: leaves are the rows 表六 prints with 7-digit codes
        codes = [r[0] for r in table(dump, 6)["rows"][1:]]
    elif number == 9:
        codes = ["leaf"] * len(rows)
    else:
        codes = [r[code_column] for r in rows]
    leaves = [
        row
        for row, code in zip(rows, codes, strict=True)
        if code == "leaf" or not any(other != code and other.startswith(code) for other in codes)
    ]
    column_sums = [sum(column) for column in zip(*(amounts(r, money) for r in leaves), strict=True)]
    assert column_sums == amounts(total_row, money)


def test_three_public_row_arithmetic(dump):
    for row in table(dump, 8)["rows"]:
        three_public, *parts = amounts(row, range(1, 6))
        assert three_public == sum(parts)


def row_starting(t: dict, *first_cells: str) -> list[str]:
    return next(row for row in t["rows"] if row[: len(first_cells)] == list(first_cells))


def test_columns_of_lone_figures(dump):
    # 表三: 行政运行 is basic money only (697.07 is 基本支出's 总计 less 208 and 210),
    # 人大会议 project money only (the five projects sum to 项目支出 169.00).
    t3 = table(dump, 3)
    assert row_starting(t3, "行政运行") == ["行政运行", "697.07", "697.07", "", ""]
    assert row_starting(t3, "人大会议") == ["人大会议", "30.00", "", "30.00", ""]
    assert t3["rows"][0] == ["总计", "990.07", "821.07", "169.00", ""]
    # 表六 has the codes.
    t6 = table(dump, 6)
    assert row_starting(t6, "2010199") == ["2010199", "其他人大事务支出", "14.00", "", "14.00"]
    assert t6["rows"][0] == ["", "总计", "990.07", "821.07", "169.00"]
    # 表七: 302 is 公用经费 (人员经费 714.75 = 301 711.79 + 303 2.96).
    t7 = table(dump, 7)
    assert row_starting(t7, "302") == ["302", "商品和服务支出", "106.32", "", "106.32"]
    assert row_starting(t7, "301") == ["301", "工作福利支出", "711.79", "711.79", ""]
    # 表五: only 一般公共预算 money; the department row above its 本级 unit.
    t5 = table(dump, 5)
    assert t5["rows"] == [
        [name, "990.07", "990.07", "821.07", "169.00", "", "", "", "", "", ""]
        for name in ("总计", LINXIA, LINXIA)
    ]
    # 表八: 三公 8.00 = 公务接待 5.00 + 公务用车运行 3.00 (the text says so too).
    assert table(dump, 8)["rows"][0] == ["总计", "8.00", "", "5.00", "", "3.00", "30.00", "36.00"]
    # 表九: 基本支出 46.54 and 项目支出 66.00 add up only with 会议费 in the project column.
    t9 = table(dump, 9)
    assert row_starting(t9, "10") == ["10", "[30215]会议费", "30.00", "", "30.00"]
    assert row_starting(t9, "3") == ["3", "[30205]水费", "", "", ""]
    assert t9["rows"][0] == ["", "总计", "112.54", "46.54", "66.00"]


def test_headers_and_merges(dump):
    t8 = table(dump, 8)
    assert t8["header"][0] == [
        {"text": "单位名称", "colspan": 1, "rowspan": 3},
        {"text": "“三公”经费", "colspan": 5, "rowspan": 1},
        {"text": "会议费", "colspan": 1, "rowspan": 3},
        {"text": "培训费", "colspan": 1, "rowspan": 3},
    ]
    assert [c["text"] for c in t8["header"][-1]] == ["", "1", "2", "3", "4", "5", "6", "7"]
    t6 = table(dump, 6)
    assert [(c["text"], c["colspan"]) for c in t6["header"][0]] == [
        ("功能分类科目", 2),
        ("一般公共预算支出", 3),
    ]


def test_fixed_item_tables_print_every_item(dump):
    # 表一 lists all thirty function 类 and every income item, blank or not.
    t1 = table(dump, 1)
    assert len(t1["rows"]) == 30 + 4
    assert t1["rows"][29][2] == "三十、抗疫特别国债还本支出"
    assert t1["rows"][31] == ["十、上年结转", "", "三十一、结转下年", ""]
    # 表四 prints the old name of 207 and no 转移性支出, exactly as published.
    t4 = table(dump, 4)
    assert t4["rows"][7][2] == "（七）文化体育与传媒支出"
    assert t4["rows"][-2][2] == "（二十九）抗疫特别国债还本支出"


def test_empty_tables_carry_their_explanation(dump):
    assert table(dump, 10)["rows"] == [["总计", ""]]
    assert table(dump, 10)["explanation"] == "未安排预算，政府性基金预算支出情况表为空表。"
    assert table(dump, 11)["explanation"] == "未安排预算，国有资本经营预算支出情况表为空表。"
    assert table(dump, 3)["explanation"] == ""


def form_text(form: dict) -> str:
    return form["title"] + form["subtitle"] + "".join(cell for row in form["rows"] for cell in row)


def test_department_form_matches_seed(dump):
    form = dump["performance"]["department_form"]
    assert squash(form_text(form)) == squash(linxia_forms()[0])
    # Merged cells keep their spans in "cells": 部门管理 covers its two indicators.
    spans = {c["text"]: (c["rowspan"], c["colspan"]) for row in form["cells"] for c in row}
    assert spans["部门管理"] == (2, 1)
    assert spans["基本支出"] == (3, 1)
    assert spans["绩效指标"] == (7, 1)
    # Printed so: 合计 721.07 although 714.75 + 106.32 = 821.07 (the checks flag it).
    assert ["合计", "721.07", "其他资金", ""] in form["rows"]


def test_project_forms_match_seed(dump):
    forms = dump["performance"]["project_forms"]
    seed_forms = linxia_forms()[1:]
    assert len(forms) == len(seed_forms) == 5
    for form, seed in zip(forms, seed_forms, strict=True):
        assert squash(form_text(form)) == squash(seed)


def test_project_forms_print_yuan_but_amounts_are_wan(dump):
    # The forms print 750000 under a 万元 header; the amount itself is 75 万元.
    form = dump["performance"]["project_forms"][0]
    assert ["项目资金（万元）", "年度资金总额：", "750000"] in form["rows"]
    assert ["其中：当年财政拨款", "750000"] in form["rows"]
    listed = dump["performance"]["project_list"]["rows"]
    assert listed[0][:2] == ["合计", "169.00"]
    assert listed[2][:2] == ["2024 年度人大代表履职补助", "75.00"]


def test_key_project(dump):
    (key,) = dump["performance"]["key_projects"]
    assert key["name"] == "2024 年度人大会议经费"
    assert (key["start_date"], key["end_date"]) == ("2024-01-01", "2024-12-31")
    assert key["annual_budget"] == "30.00"
    for field in ("overview", "basis", "plan", "expected_goal"):
        assert squash(key[field]) in squash(linxia_text())


def test_every_passage_is_in_the_seed(dump):
    sections = [p["section"] for p in dump["passages"]]
    assert sections == [
        "preface",
        "duties",
        "internal_bodies",
        "civil_service_units",
        "affiliated_units",
        "non_tax_income",
        "performance_review",
        "performance_targets",
        "glossary",
    ]
    seed = squash(linxia_text())
    for passage in dump["passages"]:
        assert squash(passage["text"]) in seed, passage["section"]


def test_prior_year_figures_are_what_the_text_states(dump):
    figures = {
        (f["item"], f["subject_code"]): Decimal(f["amount"]) for f in dump["prior_year_figures"]
    }
    # Each is this year's figure less the change the text states.
    assert figures[("basic", "")] == Decimal("821.07") + Decimal("198.6")
    assert figures[("project", "")] == Decimal("169") + Decimal("32")
    assert figures[("function_class", "201")] == Decimal("866.07") + Decimal("172.73")
    assert figures[("function_class", "208")] == Decimal("81.36") + Decimal("38.26")
    assert figures[("function_class", "210")] == Decimal("42.64") + Decimal("19.61")
    assert figures[("training", "")] == Decimal("36") + Decimal("8")
    assert figures[("office_running", "")] == Decimal("112.54") - Decimal("34.01")
    assert figures[("three_public", "")] == Decimal("8")
    reasons = {(r["item"], r["subject_code"]): r["text"] for r in dump["change_reasons"]}
    seed = squash(linxia_text())
    assert all(squash(text) in seed for text in reasons.values())
    assert "培训费用减少" in reasons[("training", "")]


def test_procurement_and_assets(dump):
    assert dump["procurement"] == {
        "total": "24.70",
        "goods": "17.80",
        "works": "0.00",
        "services": "6.90",
        "sme_reserved": "24.70",
        "micro_reserved": "24.70",
    }
    assert dump["assets"]["fixed_assets"] == "145.70"
    assert dump["assets"]["vehicle_count"] == 2
    assert dump["assets"]["vehicle_value"] == "36.04"
