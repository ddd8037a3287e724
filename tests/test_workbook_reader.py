"""The workbook reader's pieces: the words clerks type, the summary items a table's spec
allows and the synonyms that name them, and the form labels the reader shares with the
renderers."""

import pytest

from disclosures.models import (
    DepartmentPerformanceForm,
    Disclosure,
    Project,
    SummaryItem,
    TableKey,
)
from disclosures.specs import SPECS, performance_forms
from disclosures.specs.forms import DEPARTMENT_FORM, FORMS, PROJECT_FORM, PROJECT_LIST
from disclosures.workbook.reader.reading import Reading
from disclosures.workbook.reader.summaries import summary_item
from disclosures.workbook.reader.text import split_code, strip_numbering, subject_code

I = SummaryItem  # noqa: E741


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2010101 行政运行", ("2010101", "行政运行")),
        ("[30201]办公费", ("30201", "办公费")),
        ("【201】一般公共服务支出", ("201", "一般公共服务支出")),
        ("行政运行", ("", "行政运行")),
        ("2010101", ("", "2010101")),  # a code alone is no name
    ],
)
def test_a_code_written_with_its_name_is_split_off(typed, expected):
    assert split_code(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("一、一般公共预算财政拨款收入", "一般公共预算财政拨款收入"),
        ("（二）政府性基金预算财政拨款收入", "政府性基金预算财政拨款收入"),
        ("1、某某项目", "某某项目"),
        ("1.5万元补助", "1.5万元补助"),  # a decimal is no numbering
    ],
)
def test_numbering_before_a_name_is_stripped(typed, expected):
    assert strip_numbering(typed) == expected


def test_a_code_typed_with_spaces_brackets_or_full_width_digits_is_read():
    assert subject_code("201 01 01") == subject_code("[2010101]") == "2010101"
    assert subject_code("２０１") == "201"


@pytest.fixture
def reading(linxia_draft: Disclosure) -> Reading:
    return Reading(linxia_draft)


@pytest.mark.parametrize(
    ("table", "side", "label", "expected"),
    [
        (TableKey.DEPARTMENT_SUMMARY, "income", "事业收入", (I.BUSINESS, "")),
        (TableKey.DEPARTMENT_SUMMARY, "income", "本年收入合计", (I.CURRENT_TOTAL, "")),
        (TableKey.DEPARTMENT_SUMMARY, "income", "收入总计", (I.GRAND_TOTAL, "")),
        (TableKey.DEPARTMENT_SUMMARY, "income", "财政专户管理资金", (I.EDUCATION_ACCOUNT, "")),
        (TableKey.DEPARTMENT_SUMMARY, "expense", "结转下年", (I.CARRY_TO_NEXT, "")),
        (TableKey.DEPARTMENT_SUMMARY, "expense", "支出合计", (I.GRAND_TOTAL, "")),
        (TableKey.DEPARTMENT_SUMMARY, "expense", "201 一般公共服务支出", (I.FUNCTION_CLASS, "201")),
        (TableKey.DEPARTMENT_SUMMARY, "expense", "文化体育与传媒支出", (I.FUNCTION_CLASS, "207")),
        (TableKey.DEPARTMENT_INCOME, None, "上年结余", (I.PRIOR_SURPLUS, "")),
        (TableKey.FISCAL_SUMMARY, "income", "一般公共预算拨款", (I.GENERAL_BUDGET, "")),
    ],
)
def test_a_summary_label_names_the_item_its_synonyms_give(reading, table, side, label, expected):
    assert summary_item(reading, SPECS[table], side, label, "") == expected


@pytest.mark.parametrize(
    ("table", "side", "label"),
    [
        # Table 4 prints fiscal money only: 事业收入 is no item of it.
        (TableKey.FISCAL_SUMMARY, "income", "事业收入"),
        # Carried money comes in on the income side and goes out on the expense side.
        (TableKey.DEPARTMENT_SUMMARY, "expense", "上年结转"),
        (TableKey.DEPARTMENT_SUMMARY, "income", "结转下年"),
        # Table 2 has no expense side, so no function 类.
        (TableKey.DEPARTMENT_INCOME, None, "一般公共服务支出"),
        (TableKey.DEPARTMENT_SUMMARY, "expense", "不存在的支出"),
    ],
)
def test_a_label_the_spec_does_not_put_on_that_side_is_not_recognised(reading, table, side, label):
    assert summary_item(reading, SPECS[table], side, label, "") is None


@pytest.mark.parametrize(
    ("spec", "model"),
    [
        (DEPARTMENT_FORM, DepartmentPerformanceForm),
        (PROJECT_FORM, Project),
        (PROJECT_LIST, Project),
    ],
)
def test_every_money_field_of_a_form_is_a_field_of_its_model(spec, model):
    names = {field.name for field in model._meta.concrete_fields}
    assert {field.attr for field in spec.money_fields} <= names


def test_the_renderers_print_the_labels_the_reader_looks_for(linxia_draft):
    disclosure = Disclosure.objects.with_contents().get(pk=linxia_draft.pk)
    forms = performance_forms(disclosure)
    rendered = {
        DEPARTMENT_FORM.key: forms["department_form"],
        PROJECT_FORM.key: forms["project_forms"][0],
        PROJECT_LIST.key: forms["project_list"],
    }
    for key, spec in FORMS.items():
        table = rendered[key]
        assert table is not None, key
        printed = {
            cell.text for row in (*table.header, *(r.cells for r in table.rows)) for cell in row
        }
        assert {field.label for field in spec.fields} <= printed, key
        assert spec.title in table.title
        if spec.indicators:
            assert {spec.indicators.label, *spec.indicators.headers} <= printed
        if spec.money_heading:
            assert spec.money_heading in printed
