"""Saving a draft (disclosures/drafts.py): who may, what is refused, what a save computes,
and the three doors that write a draft (the admin, the workbook import, the flat import)
each going through it."""

import csv
import io
from decimal import Decimal

import pytest
from admin_forms import admin_form_data
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from import_export.formats.base_formats import CSV
from workbooks import exported, find, load, save

from disclosures import drafts
from disclosures.models import (
    DepartmentSummaryRow,
    Disclosure,
    GeneralBasicRow,
    GeneralExpenseRow,
    Project,
)
from disclosures.staff.resources import RESOURCES
from disclosures.subjects import Catalogue
from disclosures.workbook import WorkbookError, apply_import, plan_import

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


def user(name: str):
    return get_user_model().objects.get(username=name)


def version(disclosure: Disclosure) -> int:
    return Disclosure.objects.get(pk=disclosure.pk).version


def basic_row(disclosure: Disclosure, code: str) -> GeneralBasicRow:
    return GeneralBasicRow.objects.get(disclosure=disclosure, code=code)


# Who may write ------------------------------------------------------------------------------


def test_a_clerk_of_another_department_is_refused_and_nothing_changes(linxia_draft):
    before = (version(linxia_draft), basic_row(linxia_draft, "30101").personnel)
    refused = pytest.raises(drafts.DraftRefused, match=f"您无权修改“{linxia_draft}”。")
    with refused, drafts.editing(linxia_draft, user("zengcheng_clerk")):
        GeneralBasicRow.objects.filter(disclosure=linxia_draft, code="30101").update(
            personnel=Decimal("1.00")
        )
    assert (version(linxia_draft), basic_row(linxia_draft, "30101").personnel) == before


@pytest.mark.parametrize("name", ["reviewer", "publisher"])
def test_roles_that_only_read_or_publish_are_refused(linxia_draft, name):
    with pytest.raises(drafts.DraftRefused):
        drafts.open_draft(linxia_draft, user(name))


def test_a_published_disclosure_is_refused_whoever_asks():
    published = Disclosure.objects.get(department__name=LINXIA, revision=1)
    refusal = f"“{published}”已公开，不能修改；如需更正，请先发起更正，再导入到更正稿。"
    for who in (user("linxia_clerk"), user("admin"), None):
        with pytest.raises(drafts.DraftRefused) as refused:
            drafts.open_draft(published, who)
        assert str(refused.value) == refusal


def test_a_submitted_draft_is_refused_even_to_a_command(linxia_draft):
    Disclosure.objects.filter(pk=linxia_draft.pk).update(status=Disclosure.Status.SUBMITTED)
    assert drafts.refusal(Disclosure.objects.get(pk=linxia_draft.pk), None) == (
        f"“{linxia_draft}”已提交，只有草稿可以修改。"
    )


def test_the_departments_clerk_and_a_command_may_write(linxia_draft):
    assert drafts.refusal(linxia_draft, user("linxia_clerk")) is None
    assert drafts.refusal(linxia_draft, None) is None


# Subject codes ------------------------------------------------------------------------------


def write_code(disclosure: Disclosure, model, old: str, new: str, field: str = "code") -> None:
    """Change a row's subject code through `editing`, in a transaction of its own."""
    with transaction.atomic(), drafts.editing(disclosure, user("linxia_clerk")) as draft:
        row = model.objects.get(disclosure=disclosure, **{field: old})
        setattr(row, field, new)
        row.save()
        draft.wrote([row])


@pytest.mark.usefixtures("complete_catalogues")
def test_an_unknown_function_code_is_refused_naming_the_table_row_and_column(linxia_draft):
    row = GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010199")
    before = version(linxia_draft)
    with pytest.raises(ValidationError) as refused:
        write_code(linxia_draft, GeneralExpenseRow, "2010199", "2010198")
    table = GeneralExpenseRow._meta.verbose_name_plural
    assert refused.value.messages == [
        f"{table}第 {row.position} 行，科目编码：科目编码 2010198 不在 2024 年支出功能分类科目中。"
    ]
    assert GeneralExpenseRow.objects.filter(pk=row.pk, code="2010199").exists()
    assert version(linxia_draft) == before


@pytest.mark.usefixtures("complete_catalogues")
def test_an_unknown_economic_code_is_refused_in_the_economic_catalogues_words(linxia_draft):
    with pytest.raises(ValidationError, match="科目编码 30198 不在 2024 年经济分类科目中。"):
        write_code(linxia_draft, GeneralBasicRow, "30101", "30198")


@pytest.mark.usefixtures("complete_catalogues")
def test_a_summary_tables_class_code_is_judged_by_the_function_catalogue(linxia_draft):
    row = DepartmentSummaryRow.objects.filter(disclosure=linxia_draft).exclude(subject_code="")[0]
    with pytest.raises(ValidationError, match="科目编码 299 不在 2024 年支出功能分类科目中。"):
        write_code(linxia_draft, DepartmentSummaryRow, row.subject_code, "299", "subject_code")


def test_a_code_of_the_catalogue_is_saved(linxia_draft):
    used = set(GeneralExpenseRow.objects.filter(disclosure=linxia_draft).values_list("code"))
    free = next(code for code in Catalogue.of("function", 2024).names if (code,) not in used)
    write_code(linxia_draft, GeneralExpenseRow, "2010199", free)
    assert GeneralExpenseRow.objects.filter(disclosure=linxia_draft, code=free).exists()


# What a save computes -----------------------------------------------------------------------


def test_a_save_recomputes_the_derived_cells_and_bumps_the_version(linxia_draft):
    before = version(linxia_draft)
    with drafts.editing(linxia_draft, user("linxia_clerk")) as draft:
        row = basic_row(linxia_draft, "30101")
        row.personnel = Decimal("271.37")  # was 261.37
        row.save()
        draft.wrote([row])
    assert (
        basic_row(linxia_draft, "30101").total,
        basic_row(linxia_draft, "301").personnel,
        basic_row(linxia_draft, "").personnel,
    ) == (Decimal("271.37"), Decimal("721.79"), Decimal("724.75"))
    assert version(linxia_draft) == before + 1
    assert linxia_draft.version == before + 1  # the caller's copy too


def test_a_save_from_a_file_keeps_the_figures_as_written(linxia_draft):
    with drafts.editing(linxia_draft, None, recompute=False):
        GeneralBasicRow.objects.filter(disclosure=linxia_draft, code="").update(
            personnel=Decimal("1.00")
        )
    assert basic_row(linxia_draft, "").personnel == Decimal("1.00")


def test_nothing_is_computed_or_bumped_when_the_block_fails(linxia_draft):
    before = version(linxia_draft)
    clerk = user("linxia_clerk")
    with pytest.raises(RuntimeError), transaction.atomic(), drafts.editing(linxia_draft, clerk):
        raise RuntimeError
    assert version(linxia_draft) == before


# The three doors ------------------------------------------------------------------------------


def change_url(disclosure: Disclosure) -> str:
    return reverse("admin:disclosures_disclosure_change", args=[disclosure.pk])


def test_the_admins_disclosure_page_saves_through_it(client, linxia_draft):
    client.force_login(user("linxia_clerk"))
    data = admin_form_data(client.get(change_url(linxia_draft)).content.decode())
    prefix = next(
        name.removesuffix("-code")
        for name, value in data.items()
        if name.startswith("generalbasicrow_set-") and name.endswith("-code") and value == "30101"
    )
    data[f"{prefix}-personnel"] = "271.37"
    before = version(linxia_draft)
    assert client.post(change_url(linxia_draft), {**data, "_save": "保存"}).status_code == 302
    assert version(linxia_draft) == before + 1  # once: the page no longer bumps it itself
    assert basic_row(linxia_draft, "301").personnel == Decimal("721.79")


def test_the_admins_project_page_saves_through_it(client, linxia_draft):
    project = Project.objects.filter(disclosure=linxia_draft).order_by("position")[0]
    url = reverse("admin:disclosures_project_change", args=[project.pk])
    client.force_login(user("linxia_clerk"))
    data = admin_form_data(client.get(url).content.decode(), "project_form")
    data["current_appropriation"] = str(project.current_appropriation + 10)
    before = version(linxia_draft)
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.total == (
        project.current_appropriation
        + project.special_account
        + project.carried_forward
        + project.other_funds
    )
    assert version(linxia_draft) == before + 1


def workbook_with(disclosure: Disclosure, total: int) -> bytes:
    book = load(exported(disclosure))
    six = book["表六"]
    six.cell(find(six, "2010101").row, 3).value = total
    return save(book)


def test_the_workbook_import_saves_through_it(linxia_draft):
    plan = plan_import(
        workbook_with(linxia_draft, 700), department=linxia_draft.department, year=2024
    )
    before = version(linxia_draft)
    with pytest.raises(WorkbookError, match=f"您无权修改“{linxia_draft}”。"):
        apply_import(plan, user("zengcheng_clerk"))
    assert version(linxia_draft) == before
    saved = apply_import(plan, user("linxia_clerk"))
    assert saved.version == version(linxia_draft) == before + 1
    # The workbook's figures as printed: the checks, not the save, judge its totals.
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == 700


def flat_file(disclosure: Disclosure, total: str) -> str:
    resource = RESOURCES[GeneralExpenseRow]()
    data = CSV().export_data(
        resource.export(queryset=GeneralExpenseRow.objects.filter(disclosure=disclosure))
    )
    rows = list(csv.DictReader(io.StringIO(data)))
    next(row for row in rows if row["科目编码"] == "2010101")["合计"] = total
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def flat_import(data: str, who) -> list[str]:
    """Import the file as `who`; its messages, none when it was saved."""
    result = RESOURCES[GeneralExpenseRow]().import_data(CSV().create_dataset(data), user=who)
    found = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        found += [message for errors in row.error_dict.values() for message in errors]
    return found


def test_the_flat_import_saves_through_it(linxia_draft):
    data = flat_file(linxia_draft, "700.00")
    before = version(linxia_draft)
    # The refusal is drafts.refusal's, asked row by row so that it names the line.
    refused = flat_import(data, user("reviewer"))
    assert refused[0] == f"文件第 2 行，部门名称：{drafts.refusal(linxia_draft, user('reviewer'))}"
    assert version(linxia_draft) == before
    assert flat_import(data, user("linxia_clerk")) == []
    assert version(linxia_draft) == before + 1
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == Decimal(
        "700.00"
    )
