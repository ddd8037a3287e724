"""A new year is data: without its catalogue nothing is read (one message), with last
year's copied the same workbook gives the same tables, and a code the catalogue lacks is
a warning while the catalogue is incomplete and an error once it is complete."""

import io
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from workbooks import LINXIA, content_of, exported, load, save

from disclosures import drafts
from disclosures.checks import Facts, run_checks
from disclosures.models import (
    CatalogueYear,
    Department,
    Disclosure,
    FunctionSubject,
    GeneralExpenseRow,
)
from disclosures.subjects import Catalogue
from disclosures.workbook import WorkbookError, apply_import, plan_import

pytestmark = pytest.mark.django_db

SIX = "表六"  # A9 2010101, B9 行政运行


@pytest.fixture
def linxia():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


@pytest.fixture
def workbook(linxia) -> bytes:
    return exported(linxia)


def import_as(data: bytes, year: int) -> Disclosure:
    department = Department.objects.get(name=LINXIA)
    return apply_import(plan_import(data, department=department, year=year, filename="l.xlsx"))


def refusal(data: bytes, year: int) -> list[str]:
    department = Department.objects.get(name=LINXIA)
    with pytest.raises(WorkbookError) as error:
        plan_import(data, department=department, year=year, filename="l.xlsx")
    return [str(problem) for problem in error.value.problems]


def with_code(data: bytes, code: str, name: str) -> bytes:
    book = load(data)
    book[SIX]["A9"], book[SIX]["B9"] = code, name
    return save(book)


def test_the_catalogue_knows_whether_it_is_loaded_and_complete():
    assert Catalogue.of("function", 2024).loaded
    assert not Catalogue.of("function", 2024).complete
    missing = Catalogue.of("function", 2025)
    assert not missing.loaded and missing.earlier == 2024
    assert missing.problem("2010101") == "2025 年的科目目录尚未载入：请导入，或从 2024 年复制"
    assert Catalogue.of("economic", 2019).problem("301") == "2019 年的科目目录尚未载入：请导入"
    CatalogueYear.objects.filter(year=2024, kind="function").update(complete=True)
    assert Catalogue.of("function", 2024).complete


def test_in_an_incomplete_catalogue_a_well_formed_unknown_code_is_a_warning():
    catalogue = Catalogue.of("function", 2024)
    assert catalogue.problem("2019999") is None and catalogue.unknown("2019999")
    assert catalogue.problem("20199") is None
    assert catalogue.problem("2019") == "科目编码 2019 不在 2024 年支出功能分类科目中。"
    assert not catalogue.unknown("2010101")
    CatalogueYear.objects.filter(year=2024, kind="function").update(complete=True)
    complete = Catalogue.of("function", 2024)
    assert complete.problem("2019999") == "科目编码 2019999 不在 2024 年支出功能分类科目中。"
    assert not complete.unknown("2019999")


def test_a_workbook_for_a_year_without_a_catalogue_is_refused_with_one_message(workbook):
    before = Disclosure.objects.count()
    assert refusal(workbook, 2025) == ["2025 年的科目目录尚未载入：请导入，或从 2024 年复制"]
    with pytest.raises(CommandError) as error:
        import_command(workbook, 2025)
    assert str(error.value).splitlines()[1:] == [
        "2025 年的科目目录尚未载入：请导入，或从 2024 年复制"
    ]
    assert Disclosure.objects.count() == before


def import_command(data: bytes, year: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "linxia.xlsx"
        path.write_bytes(data)
        out = io.StringIO()
        call_command(
            "import_workbook", str(path), "--department", LINXIA, "--year", str(year), stdout=out
        )
        return out.getvalue()


def test_after_copying_2024_the_same_workbook_imported_as_2025_gives_identical_tables(
    linxia, workbook
):
    call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2025", stdout=io.StringIO())
    draft = import_as(workbook, 2025)
    assert draft.fiscal_year == 2025 and draft.status == Disclosure.Status.DRAFT
    old, new = content_of(linxia), content_of(draft)
    assert new["rows"] == old["rows"]
    assert all(new["rows"].values())  # every table has rows: the comparison compared something
    assert new["explanations"] == old["explanations"]
    # As printed, cell by cell (the titles name the year, so only the rows are compared).
    assert [t["rows"] for t in new["printed"]] == [t["rows"] for t in old["printed"]]


def test_a_code_added_by_import_catalogue_makes_a_workbook_using_it_importable(tmp_path, workbook):
    call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2030", stdout=io.StringIO())
    CatalogueYear.objects.filter(year=2030).update(complete=True)
    # The year's catalogue as a bureau would hold it before the Ministry's file: 205 教育支出
    # without its 款 and 项 (the shipped 2024 file has some of them).
    FunctionSubject.objects.filter(year=2030, code__startswith="205").exclude(code="205").delete()
    using = with_code(workbook, "2050101", "行政运行")
    assert refusal(using, 2030) == [
        "工作表“表六”，单元格 A9：科目编码 2050101 不在 2030 年支出功能分类科目中。"
    ]
    path = tmp_path / "function.csv"
    call_command("export_catalogue", "--year", "2030", "--kind", "function", "-o", str(path))
    text = path.read_bytes().decode("utf-8-sig")
    assert "\r\n205,教育支出," in text and "\r\n20501," not in text
    text += "20501,教育管理事务,一般公共预算,\r\n2050101,行政运行,一般公共预算,是\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    out = io.StringIO()
    call_command("import_catalogue", str(path), "--year", "2030", "--kind", "function", stdout=out)
    assert "新增 2 条，改名 0 条，标记变化 0 条，删除 0 条" in out.getvalue()
    draft = import_as(using, 2030)
    row = GeneralExpenseRow.objects.get(disclosure=draft, code="2050101")
    assert (row.code, row.name) == ("2050101", "行政运行")


def test_an_unknown_code_in_an_incomplete_catalogue_keeps_its_name_and_is_warned_of(
    linxia_draft, workbook
):
    using = with_code(workbook, "2019999", "某新设科目")
    draft = import_as(using, 2024)
    row = GeneralExpenseRow.objects.get(disclosure=draft, code="2019999")
    assert row.name == "某新设科目"
    findings = run_checks(Facts.of(Disclosure.objects.with_contents().get(pk=draft.pk)))
    warned = [f for f in findings if f.code == "CATALOGUE_INCOMPLETE"]
    assert [(f.severity, f.cell.row, f.cell.column) for f in warned] == [
        ("warning", "2019999", "code")
    ]
    assert warned[0].message == (
        "表六（一般公共预算支出情况表）“某新设科目”（2019999）行：科目编码 2019999 不在 2024 年"
        "支出功能分类科目目录中（目录尚未完整）：请财政局管理员将其补入 2024 年科目目录；"
        "在此之前按所填名称保存。"
    )
    assert not [f for f in findings if f.code == "CATALOGUE" and f.found == "2019999"]


def test_drafts_refuse_a_year_without_a_catalogue_once(linxia):
    draft = Disclosure.objects.create(department=linxia.department, fiscal_year=2025)
    rows = [
        GeneralExpenseRow(disclosure=draft, position=position, code=code, name="x")
        for position, code in ((2, "201"), (3, "20101"), (4, "2010101"))
    ]
    with pytest.raises(ValidationError) as error:
        drafts.check_codes(2025, rows)
    assert error.value.messages == ["2025 年的科目目录尚未载入：请导入，或从 2024 年复制"]
    call_command("copy_catalogue", "--from-year", "2024", "--to-year", "2025", stdout=io.StringIO())
    drafts.check_codes(2025, rows)  # now they pass
    assert (
        FunctionSubject.objects.filter(year=2025).count()
        == FunctionSubject.objects.filter(year=2024).count()
    )


# What the catalogue's flags make checkable --------------------------------------------


def findings_of(disclosure: Disclosure, code: str) -> list:
    facts = Facts.of(Disclosure.objects.with_contents().get(pk=disclosure.pk))
    return [f for f in run_checks(facts) if f.code == code]


def test_the_demo_raises_neither_flag_check_with_its_subjects_flagged(linxia):
    # 行政运行 and the pension and medical subjects carry basic spending only; all of
    # Linxia's subjects are of the 一般公共预算. Its 项目支出 sits on 人大会议, 代表工作 …
    FunctionSubject.objects.filter(
        year=2024, code__in=["2010101", "2080505", "2101101", "2101103"]
    ).update(basic=True)
    assert findings_of(linxia, "PROJECT_ON_BASIC") == []
    assert findings_of(linxia, "BUDGET_OF_SUBJECT") == []


def test_project_spending_on_a_basic_subject_is_warned_in_each_table(linxia_draft):
    FunctionSubject.objects.filter(year=2024, code="2010101").update(basic=True)
    assert findings_of(linxia_draft, "PROJECT_ON_BASIC") == []
    GeneralExpenseRow.objects.filter(disclosure=linxia_draft, code="2010101").update(project=12)
    found = findings_of(linxia_draft, "PROJECT_ON_BASIC")
    assert [(f.severity, f.cell.table, f.cell.row, f.cell.column) for f in found] == [
        ("warning", "general_expense", "2010101", "project")
    ]
    assert found[0].message == (
        "表六（一般公共预算支出情况表）“行政运行”（2010101）行“项目支出”列：“行政运行”（2010101）"
        "只列基本支出，却列了项目支出 12.00 万元。"
    )


def test_a_fund_subject_in_the_general_budget_table_is_warned(linxia_draft):
    FunctionSubject.objects.filter(year=2024, code="2010104").update(budget="fund")
    found = findings_of(linxia_draft, "BUDGET_OF_SUBJECT")
    assert [(f.severity, f.cell.table, f.cell.row, f.cell.column) for f in found] == [
        ("warning", "general_expense", "2010104", "code")
    ]
    assert found[0].message == (
        "表六（一般公共预算支出情况表）“人大会议”（2010104）行：科目 2010104 属于政府性基金预算"
        "（2024 年科目目录），不应列入一般公共预算表。"
    )
    FunctionSubject.objects.filter(year=2024, code="2010104").update(budget="capital")
    assert "属于国有资本经营预算" in findings_of(linxia_draft, "BUDGET_OF_SUBJECT")[0].message
