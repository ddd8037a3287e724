"""Catalogues as data: import_catalogue, export_catalogue and copy_catalogue, on real files
(CSV bytes in three encodings, openpyxl workbooks) against the real database."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from disclosures import catalogue_io
from disclosures.models import CatalogueYear, EconomicSubject, FunctionSubject

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室 2024年部门预算（第1版）"


def state(year: int) -> tuple:
    """Everything an import may change for a year: both kinds' entries and catalogue rows."""
    return (
        sorted(
            FunctionSubject.objects.filter(year=year).values_list("code", "name", "budget", "basic")
        ),
        sorted(EconomicSubject.objects.filter(year=year).values_list("code", "name")),
        sorted(CatalogueYear.objects.filter(year=year).values_list("kind", "complete", "source")),
    )


def csv_file(tmp_path, text: str, encoding: str = "utf-8", name: str = "catalogue.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path, rows: list[list], name: str = "catalogue.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_catalogue", *map(str, args), stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


EDUCATION = "科目编码,科目名称\n205,教育支出\n20501,教育管理事务\n2050101,行政运行\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_any_of_the_three_encodings_creates_a_new_years_catalogue(tmp_path, encoding):
    path = csv_file(tmp_path, EDUCATION, encoding)
    output = run(path, "--year", 2030, "--kind", "function")
    assert "2030 年支出功能分类科目：新增 3 条" in output
    assert "  新增 2050101 行政运行" in output
    assert state(2030)[0] == [
        ("205", "教育支出", "general", False),
        ("20501", "教育管理事务", "general", False),
        ("2050101", "行政运行", "general", False),
    ]
    year = CatalogueYear.objects.get(kind="function", year=2030)
    assert not year.complete
    assert "catalogue.csv" in year.source


def test_complete_is_set_only_when_asked_and_kept_otherwise(tmp_path):
    path = csv_file(tmp_path, EDUCATION)
    run(path, "--year", 2030, "--kind", "function", "--complete")
    assert CatalogueYear.objects.get(kind="function", year=2030).complete
    run(path, "--year", 2030, "--kind", "function")
    assert CatalogueYear.objects.get(kind="function", year=2030).complete


def test_level_columns_with_suffixes_spaces_and_excel_numbers(tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            ["2030年政府收支分类科目"],
            ["类", "款", "项", "科目名称", "所属预算", "基本支出"],
            [205.0, None, None, "教育支出", "一般公共预算", None],
            [None, "01", None, "教育管理事务", None, None],
            [None, None, 1, "行政运行", "general", "是"],
            [None, None, "02", "一般行政管理事务", None, 0],
            [None, "205 02", None, "普通教育", None, None],
            [None, None, "205 02 01", "学前教育", None, None],
            ["212", "08", None, "国有土地使用权出让收入安排的支出", "政府性基金预算", None],
            ["212", "08", "01", "征地和拆迁补偿支出", "fund", "1"],
            [212, None, None, "城乡社区支出", None, None],
        ],
    )
    run(path, "--year", 2030, "--kind", "function")
    assert state(2030)[0] == [
        ("205", "教育支出", "general", False),
        ("20501", "教育管理事务", "general", False),
        ("2050101", "行政运行", "general", True),
        ("2050102", "一般行政管理事务", "general", False),
        ("20502", "普通教育", "general", False),
        ("2050201", "学前教育", "general", False),
        ("212", "城乡社区支出", "general", False),
        ("21208", "国有土地使用权出让收入安排的支出", "fund", False),
        ("2120801", "征地和拆迁补偿支出", "fund", True),
    ]


def test_full_codes_in_level_columns_and_english_headings(tmp_path):
    run(
        csv_file(tmp_path, "类,款,科目名称\n301,,工资福利支出\n,30101,基本工资\n"),
        "--year",
        2030,
        "--kind",
        "economic",
    )
    run(
        csv_file(tmp_path, "code,name\n302,商品和服务支出\n", name="e.csv"),
        "--year",
        2031,
        "--kind",
        "economic",
    )
    assert state(2030)[1] == [("301", "工资福利支出"), ("30101", "基本工资")]
    assert state(2031)[1] == [("302", "商品和服务支出")]


BAD_FILES = {
    "a code of the wrong length": (
        "科目编码,科目名称\n205,教育支出\n2050,教育管理事务\n",
        ["第 3 行“科目编码”列：2050 不是科目编码（类 3 位、款 5 位、项 7 位）"],
    ),
    "a parent missing": (
        "科目编码,科目名称\n205,教育支出\n2050101,行政运行\n",
        ["第 3 行“科目编码”列：2050101 的上级科目 20501 不在文件中"],
    ),
    "a duplicate": (
        "科目编码,科目名称\n205,教育支出\n205,教育\n",
        ["第 3 行“科目编码”列：205 重复（另见第 2 行）"],
    ),
    "an empty name": (
        "科目编码,科目名称\n205,\n",
        ["第 2 行“科目名称”列：科目名称为空"],
    ),
    "an unknown budget word": (
        "科目编码,科目名称,所属预算\n205,教育支出,社保基金\n",
        [
            "第 2 行“所属预算”列：“社保基金”不是所属预算（应为一般公共预算、政府性基金预算或国有资本经营预算）"
        ],
    ),
    "a bad basic flag": (
        "科目编码,科目名称,基本支出\n205,教育支出,也许\n",
        ["第 2 行“基本支出”列：“也许”应为“是”或留空"],
    ),
    "no code column": (
        "编号,科目名称\n205,教育支出\n",
        ["找不到“科目编码”列（或“类、款、项”列）：表头应写“科目编码”或“code”。"],
    ),
    "no name column": (
        "科目编码,说明\n205,教育支出\n",
        ["找不到“科目名称”列：表头应写“科目名称”或“name”。"],
    ),
    "an empty file": ("", ["文件是空的：没有表头，也没有任何科目。"]),
    "a header only": ("科目编码,科目名称\n", ["文件中没有任何科目：表头下面是空的。"]),
    "every problem at once": (
        "科目编码,科目名称\n20,教育支出\n205,\n2050101,行政运行\n",
        [
            "第 2 行“科目编码”列：20 不是科目编码（类 3 位、款 5 位、项 7 位）",
            "第 3 行“科目名称”列：科目名称为空",
            "第 4 行“科目编码”列：2050101 的上级科目 20501 不在文件中",
        ],
    ),
}


@pytest.mark.parametrize(("text", "messages"), BAD_FILES.values(), ids=BAD_FILES)
def test_a_bad_file_is_refused_with_every_message_and_nothing_changes(tmp_path, text, messages):
    # A new year's catalogue: every parent must be in the file (none is kept).
    before = state(2031)
    message = refused(csv_file(tmp_path, text), "--year", 2031, "--kind", "function")
    assert message.splitlines() == ["导入失败，科目目录未改变：", *messages]
    assert state(2031) == before


def test_economic_codes_have_no_third_level(tmp_path):
    message = refused(
        csv_file(tmp_path, "科目编码,科目名称\n301,工资福利支出\n30101,基本工资\n3010101,x\n"),
        "--year", 2030, "--kind", "economic",
    )  # fmt: skip
    assert "第 4 行“科目编码”列：3010101 不是科目编码（类 3 位、款 5 位）" in message
    assert state(2030) == ([], [], [])


def test_an_undecodable_file_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\xff")
    assert "它不是 UTF-8 或 GBK 编码的 CSV 文本文件" in refused(
        path, "--year", 2030, "--kind", "function"
    )


def test_a_workbook_gets_the_workbook_imports_checks(tmp_path):
    """The same door as the statutory workbook's: old .xls, macros and damaged files are
    refused before openpyxl reads anything."""
    old = tmp_path / "2025功能分类.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert "这是旧版 Excel 文件（.xls）" in refused(old, "--year", 2030, "--kind", "function")
    damaged = tmp_path / "2025功能分类.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "可能已损坏" in refused(damaged, "--year", 2030, "--kind", "function")
    assert not FunctionSubject.objects.filter(year=2030).exists()


def test_the_preview_lists_additions_renames_flag_changes_and_removals(tmp_path):
    run(csv_file(tmp_path, EDUCATION), "--year", 2030, "--kind", "function")
    before = state(2030)
    changed = (
        "科目编码,科目名称,所属预算,基本支出\n"
        "205,教育支出,,\n20501,教育管理事务（新）,,\n2050101,行政运行,,是\n"
        "20502,普通教育,,\n"
    )
    output = run(
        csv_file(tmp_path, changed, name="b.csv"), "--year", 2030, "--kind", "function", "--dry-run"
    )
    assert "新增 1 条，改名 1 条，标记变化 1 条，删除 0 条" in output
    assert "  新增 20502 普通教育" in output
    assert "  改名 20501 教育管理事务 → 教育管理事务（新）" in output
    assert "  标记 2050101 行政运行：一般公共预算 → 一般公共预算，基本支出" in output
    assert "预览完毕，未保存（--dry-run）。" in output
    assert state(2030) == before
    removal = "科目编码,科目名称\n205,教育支出\n"
    output = run(
        csv_file(tmp_path, removal, name="c.csv"), "--year", 2030, "--kind", "function", "--remove"
    )
    assert "  删除 20501 教育管理事务" in output
    assert "  删除 2050101 行政运行" in output
    assert "保留不变" not in output
    assert state(2030)[0] == [("205", "教育支出", "general", False)]


def test_removing_a_code_a_disclosure_uses_is_refused_naming_both(tmp_path):
    path = tmp_path / "function.csv"
    call_command("export_catalogue", "--year", "2024", "--kind", "function", "-o", str(path))
    text = path.read_bytes().decode("utf-8-sig")
    without = "".join(line for line in text.splitlines(True) if not line.startswith("2010101,"))
    before = state(2024)
    message = refused(
        csv_file(tmp_path, without, name="without.csv"),
        *("--year", 2024, "--kind", "function", "--remove"),
    )
    assert f"不能删除科目 2010101：2024 年“{LINXIA}”的部门支出总体情况表使用了它。" in message
    assert state(2024) == before
    # Without --remove the code the file lacks is kept: nothing to refuse, nothing changes.
    output = run(tmp_path / "without.csv", "--year", 2024, "--kind", "function")
    assert "删除 0 条" in output
    assert "文件中没有的 1 条科目保留不变；如需删除，请加 --remove。" in output
    assert state(2024) == before


def test_a_file_of_a_few_codes_adds_and_keeps_the_rest(tmp_path):
    """A bureau imported five 205 rows into 2024 and was shown 删除 226 条: by default the
    codes the file lacks stay."""
    before = state(2024)
    held = len(before[0])
    fives = [e for e in catalogue_io.current("function", 2024).values() if e.code[:3] == "205"]
    rows = "".join(f"{e.code},{e.name}\n" for e in sorted(fives, key=lambda e: e.code)[:5])
    path = csv_file(tmp_path, "科目编码,科目名称\n" + rows + "20598,教育新款\n")
    kept = held - len(fives[:5])
    output = run(path, "--year", 2024, "--kind", "function", "--dry-run")
    assert "新增 1 条，改名 0 条，标记变化 0 条，删除 0 条" in output
    assert f"文件中没有的 {kept} 条科目保留不变；如需删除，请加 --remove。" in output
    assert "  删除" not in output
    run(path, "--year", 2024, "--kind", "function")
    after = state(2024)
    assert set(before[0]) < set(after[0]) and len(after[0]) == held + 1
    assert after[1:] == before[1:]


def test_a_new_item_may_sit_under_a_kuan_the_year_keeps(tmp_path):
    """Adding one 项 needs no 类 and 款 rows when the catalogue has them and keeps them."""
    path = csv_file(tmp_path, "科目编码,科目名称\n2050198,教育新项\n")
    before = state(2024)
    message = refused(path, "--year", 2024, "--kind", "function", "--remove")
    assert "2050198 的上级科目 20501 不在文件中" in message
    assert state(2024) == before
    assert "新增 1 条" in run(path, "--year", 2024, "--kind", "function")
    assert "2050198" in catalogue_io.current("function", 2024)
    orphan = csv_file(tmp_path, "科目编码,科目名称\n2059898,无上级\n", name="orphan.csv")
    message = refused(orphan, "--year", 2024, "--kind", "function")
    assert "2059898 的上级科目 20598 不在文件中，也不在该年目录中" in message


def test_a_file_headed_bian_ma_ming_cheng_does_not_wipe_a_catalogue(tmp_path):
    before = state(2024)
    path = csv_file(tmp_path, "编码,名称\n301,工资福利支出\n398,新类\n")
    output = run(path, "--year", 2024, "--kind", "economic")
    assert "新增 1 条，改名 0 条，标记变化 0 条，删除 0 条" in output
    assert f"文件中没有的 {len(before[1]) - 1} 条科目保留不变" in output
    after = state(2024)
    assert set(before[1]) < set(after[1]) and ("398", "新类") in after[1]
    assert after[0] == before[0]


@pytest.mark.parametrize("kind", ["function", "economic"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_exporting_and_importing_again_changes_nothing(tmp_path, kind, suffix):
    FunctionSubject.objects.filter(year=2024, code="2010101").update(basic=True)
    FunctionSubject.objects.filter(year=2024, code="212").update(budget="fund")
    path = tmp_path / f"out{suffix}"
    call_command("export_catalogue", "--year", "2024", "--kind", kind, "-o", str(path))
    before = state(2024)
    output = run(path, "--year", 2024, "--kind", kind)
    assert "新增 0 条，改名 0 条，标记变化 0 条，删除 0 条" in output
    assert state(2024) == before


def test_the_export_is_what_excel_reads(tmp_path):
    csv_path, xlsx_path = tmp_path / "f.csv", tmp_path / "f.xlsx"
    call_command("export_catalogue", "--year", "2024", "--kind", "function", "-o", str(csv_path))
    call_command("export_catalogue", "--year", "2024", "--kind", "function", "-o", str(xlsx_path))
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "科目编码,科目名称,所属预算,基本支出"
    assert "2010101,行政运行,一般公共预算,是" in lines
    assert "2010102,一般行政管理事务,一般公共预算," in lines
    sheet = load_workbook(xlsx_path).active
    assert [c.value for c in sheet[1]] == ["科目编码", "科目名称", "所属预算", "基本支出"]
    assert sheet["A2"].value == "201"  # text, so that no code loses a digit


def test_export_refuses_a_year_without_a_catalogue_or_an_unknown_format(tmp_path):
    with pytest.raises(CommandError, match="2030 年没有支出功能分类科目目录，未导出。"):
        call_command(
            "export_catalogue",
            "--year",
            "2030",
            "--kind",
            "function",
            "-o",
            str(tmp_path / "a.csv"),
        )
    with pytest.raises(CommandError, match=r"扩展名应为 \.csv 或 \.xlsx"):
        call_command(
            "export_catalogue",
            "--year",
            "2024",
            "--kind",
            "function",
            "-o",
            str(tmp_path / "a.txt"),
        )
    assert not list(tmp_path.iterdir())


def test_copy_carries_entries_flags_and_completeness(tmp_path):
    FunctionSubject.objects.filter(year=2024, code="2010101").update(basic=True)
    CatalogueYear.objects.filter(year=2024, kind="economic").update(complete=True)
    out = io.StringIO()
    call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2025", stdout=out)
    assert "已把 2024 年支出功能分类科目" in out.getvalue()
    functions, economics, years = state(2025)
    old_functions, old_economics, _ = state(2024)
    assert functions == old_functions and economics == old_economics
    assert ("2010101", "行政运行", "general", True) in functions
    assert years == [
        ("economic", True, "自 2024 年复制。"),
        ("function", False, "自 2024 年复制。"),
    ]


def test_copy_refuses_a_year_that_has_entries_and_changes_nothing():
    call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2025", "--kind", "economic")
    before = state(2025)
    with pytest.raises(CommandError) as error:
        call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2025")
    assert "2025 年已有部门预算支出经济分类科目目录（" in str(error.value)
    assert "如需更新，请用导入（import_catalogue）。" in str(error.value)
    assert state(2025) == before  # the function catalogue was not copied either
    with pytest.raises(CommandError, match="2019 年没有支出功能分类科目目录，无法复制。"):
        call_command(
            "copy_catalogue", "--from-year", "2019", "--to-year", "2026", "--kind", "function"
        )
    assert state(2026) == ([], [], [])


def test_a_year_outside_the_range_is_refused(tmp_path):
    message = refused(csv_file(tmp_path, EDUCATION), "--year", 1999, "--kind", "function")
    assert "年度 1999 不在 2000—2100 之间。" in message


def test_read_file_names_the_printed_heading_of_a_level_column():
    data = "类,款,项,科目名称\n205,,,教育支出\n,01,,教育管理事务\n,,011,行政运行\n".encode()
    with pytest.raises(catalogue_io.CatalogueError) as error:
        catalogue_io.read_file(data, "x.csv", "function")
    assert error.value.messages == [
        "第 4 行“项”列：20501011 不是科目编码（类 3 位、款 5 位、项 7 位）"
    ]


def test_a_file_without_flag_columns_keeps_the_flags_the_bureau_set(tmp_path):
    run(csv_file(tmp_path, EDUCATION), "--year", 2030, "--kind", "function")
    FunctionSubject.objects.filter(year=2030, code="2050101").update(basic=True)
    FunctionSubject.objects.filter(year=2030, code="205").update(budget="fund")
    names_only = EDUCATION.replace("教育管理事务", "教育管理事务（新）") + "20502,普通教育\n"
    output = run(csv_file(tmp_path, names_only, name="b.csv"), "--year", 2030, "--kind", "function")
    assert "新增 1 条，改名 1 条，标记变化 0 条，删除 0 条" in output
    assert state(2030)[0] == [
        ("205", "教育支出", "fund", False),
        ("20501", "教育管理事务（新）", "general", False),
        ("2050101", "行政运行", "general", True),
        ("20502", "普通教育", "general", False),
    ]
