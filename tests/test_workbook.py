"""The statutory workbook: its layout, round trips, and imports of what clerks really have."""

import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbooks import LINXIA, ZENGCHENG, content_of, exported, find, load, save

from disclosures.fixtures.generate import RandomSource, generated_facts, save_generated
from disclosures.models import Department, Disclosure, GeneralExpenseRow
from disclosures.workbook import WorkbookError, apply_import, plan_import, workbook_bytes

pytestmark = pytest.mark.django_db


def published(name: str) -> Disclosure:
    return Disclosure.objects.get(department__name=name, kind="budget", revision=1)


def import_as_final(data: bytes, disclosure: Disclosure, **options) -> Disclosure:
    """Import into a new draft (the same department's 决算, which nothing else uses)."""
    plan = plan_import(
        data, department=disclosure.department, year=disclosure.fiscal_year, kind="final", **options
    )
    return apply_import(plan)


def same_content(a: Disclosure, b: Disclosure) -> None:
    left, right = content_of(a), content_of(b)
    for part in left:
        assert left[part] == right[part], part


# The layout ---------------------------------------------------------------------------------


def test_export_has_a_sheet_per_table_and_form_laid_out_for_print():
    book = load(exported(published(LINXIA)))
    assert book.sheetnames == [
        *(f"表{n}" for n in "一二三四五六七八九十"),
        "表十一",
        "部门整体支出绩效目标表",
        *(f"项目{n}" for n in range(1, 6)),
        "项目支出绩效目标表（汇总）",
    ]
    six = book["表六"]
    assert six["A1"].value == "表六、一般公共预算支出情况表"
    assert six["A2"].value == LINXIA
    assert six["E2"].value == "单位：万元"
    assert "A3:B3" in {str(r) for r in six.merged_cells.ranges}  # 功能分类科目 over two columns
    code = find(six, "2010101")
    assert six.cell(code.row, 2).value == "行政运行"
    amount = six.cell(code.row, 3)
    assert amount.value == pytest.approx(697.07) and amount.number_format == "0.00"
    assert six.cell(code.row, 5).value is None  # blank, as printed, not 0.00
    assert six.freeze_panes == "A6"
    assert six.print_title_rows == "$3:$5"
    assert six.print_area == "'表六'!$A$1:$E$22"
    assert six.page_setup.orientation == "portrait"
    assert book["表五"].page_setup.orientation == "landscape"
    assert find(six, "备注：无内容应公开空表并说明情况。")
    # 表三 prints names only; its codes travel in a hidden column beyond the print area.
    three = book["表三"]
    assert three["F4"].value == "科目编码" and three.column_dimensions["F"].hidden
    assert three.cell(find(three, "行政运行").row, 6).value == "2010101"
    ten = book["表十"]
    assert find(ten, "空表说明：未安排预算，政府性基金预算支出情况表为空表。")
    form = book["部门整体支出绩效目标表"]
    assert find(form, "（2024年度）") and find(form, "部门（单位）名称")


def test_export_neutralises_formula_injection(linxia_draft):
    project = linxia_draft.projects.first()
    project.name = '=HYPERLINK("http://evil.example","点我")'
    project.goal = "@SUM(1+1)*cmd|' /C calc'!A0"
    project.save()
    data = exported(linxia_draft)
    book = load(data)
    cell = find(book["项目1"], project.name)
    assert cell.data_type == "s" and cell.quotePrefix
    assert find(book["项目1"], project.goal).data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)


def test_a_revisions_workbook_is_the_same_bytes_every_time():
    disclosure = Disclosure.objects.with_contents().get(pk=published(LINXIA).pk)
    disclosure.published_at = datetime(2024, 2, 1, 2, 30, 15, tzinfo=UTC)  # not saved
    data = workbook_bytes(disclosure)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # dated by the publication (Beijing time), not by the clock
        assert {member.date_time for member in archive.infolist()} == {(2024, 2, 1, 10, 30, 14)}
    properties = load(data).properties
    stamp = disclosure.published_at.replace(tzinfo=None)  # the file format's naive UTC
    assert properties.created == properties.modified == stamp
    assert workbook_bytes(disclosure) == data


# Round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LINXIA, ZENGCHENG])
def test_export_then_import_gives_back_the_same_disclosure(name):
    original = published(name)
    copy = import_as_final(exported(original), original)
    assert copy.status == Disclosure.Status.DRAFT and copy.revision == 1
    same_content(original, copy)


def test_importing_the_export_into_its_correction_draft_changes_nothing(linxia_draft):
    plan = plan_import(exported(linxia_draft), department=linxia_draft.department, year=2024)
    assert plan.target == linxia_draft
    assert [c.name for c in plan.changes if c.any] == []
    assert plan.summary() == "新增 0 行，修改 0 行，删除 0 行"


def test_preview_lists_the_changed_row_and_the_findings_then_apply_saves_it(linxia_draft):
    book = load(exported(linxia_draft))
    six = book["表六"]
    six.cell(find(six, "2010101").row, 3).value = 700
    plan = plan_import(save(book), department=linxia_draft.department, year=2024)
    changed = [line for c in plan.changes for line in c.changed]
    assert changed == ["2010101 行政运行：合计 697.07 → 700"]
    assert any("700.00" in f.message and f.severity == "error" for f in plan.findings)
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == Decimal(
        "697.07"
    )  # a plan saves nothing
    apply_import(plan)
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == 700


PROPERTY = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(seed=st.integers(0, 10**6), units=st.integers(1, 4), projects=st.integers(0, 4))
def test_round_trip_of_generated_disclosures(seed, units, projects):
    original = save_generated(
        generated_facts(RandomSource(seed), units=units, projects=projects or None)
    )
    copy = import_as_final(exported(original), original)
    same_content(original, copy)
    assert plan_import(
        exported(copy), department=copy.department, year=2024, kind="final"
    ).summary() == ("新增 0 行，修改 0 行，删除 0 行")


# What real workbooks contain -------------------------------------------------------------------


def messy(data: bytes) -> bytes:
    """The Linxia export as a budget system or a clerk's hands leave it."""
    book = load(data)
    for sheet in book.worksheets:
        # a blank row under the title, a blank column on the left (moving merges as Excel does)
        merged = list(sheet.merged_cells.ranges)
        for cells in merged:
            sheet.unmerge_cells(str(cells))
        hidden = [k for k, d in sheet.column_dimensions.items() if d.hidden]
        sheet.insert_rows(3)
        sheet.insert_cols(1)
        for letter in hidden:
            sheet.column_dimensions[letter].hidden = False
            sheet.column_dimensions[chr(ord(letter) + 1)].hidden = True
        for cells in merged:
            cells.shift(col_shift=1, row_shift=1 if cells.min_row >= 3 else 0)
            sheet.merge_cells(str(cells))
    six = book["表六"]
    # code and name in one cell; the code column gone
    for row in six.iter_rows(min_row=7):
        code, name = row[1].value, row[2].value
        if code and name:
            row[2].value = f"{code} {name}"
        row[1].value = None
    for row in six.iter_rows():
        for cell in row:
            if cell.value == "科目编码":
                cell.value = None
            if cell.value == "总计":
                cell.value = "总　计"  # an ideographic space
    # numbers stored as text, with separators and full-width digits
    for row in six.iter_rows(min_row=7):
        for cell in row[3:6]:
            if isinstance(cell.value, float | int):
                cell.value = f"{cell.value:,.2f}".translate(
                    str.maketrans("0123456789.", "０１２３４５６７８９．")
                )
    # 表三 without its hidden code column: names are found in the catalogue
    three = book["表三"]
    three.delete_cols(7)
    # 表七 in 元
    seven = book["表七"]
    for row in seven.iter_rows():
        for cell in row:
            if cell.value == "单位：万元":
                cell.value = "单位：元"
            elif isinstance(cell.value, float | int) and cell.column > 3:
                cell.value = round(Decimal(str(cell.value)) * 10000)
    # merged cells in the body (the first two rows of 表九's 序号 column)
    book["表九"].merge_cells("B7:B8")
    return save(book)


def test_import_forgives_layout_noise_and_reads_numbers_strictly():
    original = published(LINXIA)
    copy = import_as_final(messy(exported(original)), original)
    same_content(original, copy)


def in_yuan(sheet) -> None:
    for row in sheet.iter_rows(min_row=6):
        for cell in row[2:]:
            if isinstance(cell.value, int | float):
                cell.value = round(Decimal(str(cell.value)) * 10000)


def unit_in_department_cell(book) -> None:
    """部门名称 and 单位 in one cell, the amounts in 元: 10,000 times wrong if missed."""
    seven = book["表七"]
    seven["A2"], seven["E2"] = f"部门名称：{LINXIA}　　　金额单位：元", None
    in_yuan(seven)


def unit_on_the_title_line(book) -> None:
    six = book["表六"]
    six.unmerge_cells("A1:E1")
    six.unmerge_cells("A2:D2")
    six["A1"], six["E1"] = "2024年一般公共预算支出情况表", "（单位：元）"
    six["A2"], six["E2"] = f"编制单位：{LINXIA}", None
    in_yuan(six)


def headers_as_other_templates_word_them(book) -> None:
    """科目代码, 小计 and a 栏次 label, on 表七, whose 301 name is not the catalogue's:
    its code must be read from the code column."""
    seven = book["表七"]
    seven["A4"], seven["C4"], seven["B5"] = "科目代码", "小计", "栏次"


def codes_as_typed(book) -> None:
    seven = book["表七"]
    seven["A7"], seven["A8"], seven["A9"] = "[301]", "301 01", 30102  # a number, not text


def signatures_under_the_table(book) -> None:
    seven = book["表七"]
    seven.unmerge_cells("A29:E29")
    seven["A29"], seven["C29"] = "单位负责人：", "制表人："
    seven["A30"] = "联系电话："


@pytest.mark.parametrize(
    "edit",
    [
        unit_in_department_cell,
        unit_on_the_title_line,
        headers_as_other_templates_word_them,
        codes_as_typed,
        signatures_under_the_table,
    ],
)
def test_captions_headers_and_codes_as_other_templates_print_them(edit):
    original = published(LINXIA)
    book = load(exported(original))
    edit(book)
    plan = plan_import(save(book), department=original.department, year=2024, kind="final")
    assert not any("单位" in warning for warning in plan.warnings)
    same_content(original, apply_import(plan))


LIST = "项目支出绩效目标表（汇总）"  # A4 合计, A5 the department, A6:A10 the projects
FORM = "部门整体支出绩效目标表"


def times_ten_thousand(sheet, cells: str) -> None:
    for row in sheet[cells]:
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.value = round(Decimal(str(cell.value)) * 10000)


def list_in_yuan_said_on_the_title_line(book) -> None:
    listed = book[LIST]
    listed["A1"] = f"{listed['A1'].value}（金额单位：人民币元）"
    listed["G2"] = None
    times_ten_thousand(listed, "B4:E10")


def list_numbered_with_its_totals_and_notes(book) -> None:
    listed = book[LIST]
    listed["A4"] = "合计："
    listed["A5"] = f"一、{LINXIA}（本级）"
    for number, row in enumerate(range(6, 11), 1):
        listed[f"A{row}"] = f"{number}、{listed[f'A{row}'].value}"
    listed["A11"] = "备注：项目按资金使用单位汇总。"


def sentences_wrapped_by_hand(book) -> None:
    """Zengcheng's list: its indicators' codes and 实施周期 targets are only there."""
    for (cell,) in book[LIST]["G6:G17"]:
        cell.value = cell.value.replace("年度指标值", "年\n度指标值").replace("；", ";", 2)


def department_form_in_yuan(book) -> None:
    form = book[FORM]
    form["A5"] = "预算情况（元）"
    times_ten_thousand(form, "D6:D10")
    times_ten_thousand(form, "F6:F9")


def goals_in_several_cells(book) -> None:
    form = book[FORM]
    form.unmerge_cells("B4:F4")
    for column, goal in zip("BCD", form["B4"].value.split("\n"), strict=True):
        form[f"{column}4"] = goal


def indicator_levels_written_once_and_signed(book) -> None:
    form = book[FORM]
    form.unmerge_cells("B12:B13")  # 部门管理 over two rows, now in the first only
    form["A18"], form["D18"] = "审核人：李四", "填报日期：2024年1月"


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        (LINXIA, list_in_yuan_said_on_the_title_line),
        (LINXIA, list_numbered_with_its_totals_and_notes),
        (ZENGCHENG, sentences_wrapped_by_hand),
        (LINXIA, department_form_in_yuan),
        (LINXIA, goals_in_several_cells),
        (LINXIA, indicator_levels_written_once_and_signed),
    ],
)
def test_performance_forms_as_other_templates_print_them(name, edit):
    original = published(name)
    book = load(exported(original))
    edit(book)
    copy = import_as_final(save(book), original)
    same_content(original, copy)


def as_a_budget_system_names_them(data: bytes) -> bytes:
    """Sheets called Sheet1… in another order, titles led by the year and the department
    instead of 表一、, and the department line as 编制单位：…  The project forms keep their
    order: it is the projects' order (the list groups them by unit)."""
    book = load(data)
    tables, forms = book._sheets[:11], book._sheets[11:]
    book._sheets = [forms[-1], *reversed(tables), *forms[:-1]]
    for number, sheet in enumerate(book.worksheets, 1):
        sheet.title = f"Sheet{number}"
        title = sheet["A1"].value
        if title.startswith("表") and "、" in title:
            sheet["A1"].value = f"2024年{LINXIA}{title.split('、', 1)[1]}"
        if sheet["A2"].value == LINXIA:
            sheet["A2"].value = f"编制单位：{LINXIA}"
    return save(book)


def test_sheets_are_found_by_their_titles_whatever_their_names_and_order():
    original = published(LINXIA)
    data = as_a_budget_system_names_them(exported(original))
    assert load(data)["Sheet1"]["A1"].value.endswith("项目支出绩效目标表（含转移支付项目）")
    assert load(data)["Sheet12"]["A1"].value == f"2024年{LINXIA}部门收支总体情况表"
    copy = import_as_final(data, original)
    same_content(original, copy)


# Commands -----------------------------------------------------------------------------------


def test_export_and_import_commands(tmp_path, capsys):
    path = tmp_path / "linxia.xlsx"
    call_command("export_workbook", "--department", LINXIA, "--year", "2024", "-o", str(path))
    assert path.read_bytes().startswith(b"PK")
    call_command(
        "import_workbook", str(path), "--department", LINXIA, "--year", "2024", "--kind", "final"
    )
    out = capsys.readouterr().out
    assert "已新建草稿" in out and "新增 180 行" in out
    copy = Disclosure.objects.get(department__name=LINXIA, kind="final")
    same_content(published(LINXIA), copy)


def test_the_benchmark_prints_its_figures_and_leaves_nothing_behind(capsys):
    before = Disclosure.objects.count(), Department.objects.count()
    call_command("benchmark_workbook", "--repeat", "1", "--units", "2", "--projects", "3")
    out = capsys.readouterr().out
    assert f"{LINXIA} 2024年部门预算（第1版）" in out and "新增 180 行" in out
    assert "随机生成部门（2 个单位，3 个项目）" in out
    assert out.count("导出 ") == 2 and "进程常驻内存峰值" in out
    assert (Disclosure.objects.count(), Department.objects.count()) == before


def test_import_command_refuses_a_published_revision_and_an_unknown_department(tmp_path):
    path = tmp_path / "linxia.xlsx"
    path.write_bytes(exported(published(LINXIA)))
    with pytest.raises(CommandError, match="第 1 版已公开，不能导入"):
        call_command("import_workbook", str(path), "--department", LINXIA, "--year", "2024")
    with pytest.raises(CommandError, match="找不到部门“不存在的部门”"):
        call_command("import_workbook", str(path), "--department", "不存在的部门", "--year", "2024")


def test_a_workbook_of_another_department_is_refused():
    other = Department.objects.get(name=ZENGCHENG)
    with pytest.raises(WorkbookError) as error:
        plan_import(exported(published(LINXIA)), department=other, year=2024, kind="final")
    assert f"表中部门“{LINXIA}”与导入的部门“{ZENGCHENG}”不一致" in str(error.value)
    assert "工作表“表一”，单元格 A2" in str(error.value)
