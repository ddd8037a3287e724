"""The layout is data: a second table set, numbered and titled only by its layout.

Some provinces print nine tables, in another order, without the 政府性基金 and 国有资本经营
tables. Such a layout is one entry of specs/layouts.py; the same disclosure then renders,
exports, imports and is checked with every number and title following it.
"""

import io
import re

import pytest
from pypdf import PdfReader
from workbooks import exported, load

from disclosures.checks import check_disclosure
from disclosures.models import Disclosure, TableKey
from disclosures.models.tables import TABLE_MODELS
from disclosures.numerals import chinese_number
from disclosures.rendering.pdf import render_pdf
from disclosures.specs import LAYOUTS, statutory_tables
from disclosures.workbook import apply_import, plan_import

pytestmark = pytest.mark.django_db

T = TableKey
NINE = "test-nine"
NINE_TABLES = (
    T.DEPARTMENT_SUMMARY,
    T.DEPARTMENT_INCOME,
    T.DEPARTMENT_EXPENSE,
    T.FISCAL_SUMMARY,
    T.GENERAL_EXPENSE,
    T.GENERAL_BASIC,  # 表七 in Gansu's layout, 表六 here
    T.FISCAL_BY_UNIT,
    T.OFFICE_RUNNING,
    T.THREE_PUBLIC,
)
OMITTED = (T.FUND_EXPENSE, T.CAPITAL_EXPENSE)


def heading(number: int, key: str) -> str:
    return f"表{chinese_number(number)}、{T(key).label}"


@pytest.fixture
def nine(linxia_draft, monkeypatch):
    """Linxia's correction draft, published under a nine-table layout (it has no rows for
    the tables that layout does not print)."""
    monkeypatch.setitem(LAYOUTS, NINE, NINE_TABLES)
    Disclosure.objects.filter(pk=linxia_draft.pk).update(layout=NINE)
    for key in OMITTED:
        TABLE_MODELS[key].objects.filter(disclosure=linxia_draft).delete()
    return Disclosure.objects.with_contents().get(pk=linxia_draft.pk)


def test_tables_render_numbered_and_titled_by_the_layout(nine):
    tables = statutory_tables(nine)
    assert [t.key for t in tables] == list(NINE_TABLES)
    assert [t.heading for t in tables] == [
        heading(n, key) for n, key in enumerate(NINE_TABLES, start=1)
    ]


def test_the_pdf_prints_the_layouts_numbers_and_titles(nine):
    pages = PdfReader(io.BytesIO(render_pdf(nine))).pages
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))
    for number, key in enumerate(NINE_TABLES, start=1):
        assert re.sub(r"\s+", "", heading(number, key)) in text
    assert "表十、" not in text and "表十一、" not in text
    for key in OMITTED:
        assert re.sub(r"\s+", "", str(T(key).label)) not in text


def test_the_workbook_has_the_layouts_sheets_and_imports_back_unchanged(nine):
    data = exported(nine)
    workbook = load(data)
    titles = [sheet.title for sheet in workbook.worksheets]
    assert titles[: len(NINE_TABLES)] == [f"表{chinese_number(n)}" for n in range(1, 10)]
    sheet_titles = [
        next(cell for cell in sheet.iter_rows(values_only=True) if any(cell))
        for sheet in workbook.worksheets[: len(NINE_TABLES)]
    ]
    for row, key in zip(sheet_titles, NINE_TABLES, strict=True):
        assert any(str(T(key).label) in str(value) for value in row if value), (row, key)
    plan = plan_import(data, department=nine.department, year=nine.fiscal_year)
    assert plan.target == nine
    assert [change.name for change in plan.changes if change.any] == []
    apply_import(plan)


def test_findings_name_tables_by_the_layouts_numbers_with_the_same_cell_keys(nine):
    findings = {(f.code, f.cell.table): f for f in check_disclosure(nine)}
    catalogue = findings[("CATALOGUE", T.GENERAL_BASIC)]
    assert catalogue.table == "表六（一般公共预算基本支出情况表）"
    assert catalogue.message.startswith("表六（一般公共预算基本支出情况表）“工作福利支出”（301）行")
    assert (catalogue.cell.row, catalogue.cell.column) == ("301", "name")
    fixed = findings[("FIXED_ITEMS", T.FISCAL_SUMMARY)]
    assert fixed.table == "表四（财政拨款收支总体情况表）"
    # Nothing is said of tables this layout does not publish.
    assert not [f for f in check_disclosure(nine) if f.cell.table in OMITTED]
