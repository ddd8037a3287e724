"""A workbook import leaves the same history as any other edit: a record for every row it
adds, changes or removes, by the importing clerk, and none for a row it leaves as it was."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from workbooks import exported, find, load, save

from disclosures.models import (
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    GeneralExpenseRow,
    KeyProject,
    Project,
    ProjectIndicator,
    TableExplanation,
)
from disclosures.models.tables import TABLE_MODELS
from disclosures.staff.history import changes
from disclosures.workbook import apply_import, plan_import

pytestmark = pytest.mark.django_db

ROW_MODELS = (
    *TABLE_MODELS.values(),
    TableExplanation,
    DepartmentPerformanceForm,
    DepartmentIndicator,
    Project,
    ProjectIndicator,
    KeyProject,
)


def row_ids(disclosure: Disclosure) -> dict[type, set[int]]:
    return {
        model: set(
            model.objects.filter(**{model.disclosure_lookup: disclosure}).values_list(
                "pk", flat=True
            )
        )
        for model in ROW_MODELS
    }


def last_history_ids() -> dict[type, int]:
    return {
        model: model.history.order_by("-history_id").values_list("history_id", flat=True).first()
        or 0
        for model in ROW_MODELS
    }


def records_since(before: dict[type, int]) -> dict[type, list]:
    return {model: list(model.history.filter(history_id__gt=before[model])) for model in ROW_MODELS}


def assert_history_agrees_with_the_rows(before: dict[type, set[int]], disclosure: Disclosure):
    """Each row's newest record is the row as it is now; each removed row's says removed."""
    after = row_ids(disclosure)
    for model in ROW_MODELS:
        fields = [field.attname for field in model.history.model.tracked_fields]
        newest = {}
        for record in model.history.filter(id__in=before[model] | after[model]).order_by(
            "history_date", "history_id"
        ):
            newest[record.id] = record
        for row in model.objects.filter(pk__in=after[model]):
            record = newest.get(row.pk)
            assert record is not None, f"{model.__name__} {row.pk} has no history"
            assert record.history_type in "+~"
            assert {f: getattr(record, f) for f in fields} == {f: getattr(row, f) for f in fields}
        for pk in before[model] - after[model]:
            assert newest[pk].history_type == "-", f"{model.__name__} {pk} removed silently"


def upload_and_confirm(client, data: bytes, disclosure: Disclosure) -> None:
    url = reverse("disclosures:workbook-import")
    preview = client.post(
        url,
        {
            "department": disclosure.department_id,
            "year": disclosure.fiscal_year,
            "kind": disclosure.kind,
            "file": SimpleUploadedFile("linxia.xlsx", data),
        },
    )
    assert client.post(url, {"token": preview.context["token"]}).status_code == 302


def test_an_import_records_each_row_it_changes_or_removes_under_the_clerk(client, linxia_draft):
    clerk = get_user_model().objects.get(username="linxia_clerk")
    book = load(exported(linxia_draft))
    six = book["表六"]
    six.cell(find(six, "2010101").row, 3).value = 700
    data = save(book)
    # A project the workbook does not have: the import removes it.
    extra = Project.objects.create(
        disclosure=linxia_draft, position=99, name="工作簿里没有的项目", goal="—"
    )
    ids, history = row_ids(linxia_draft), last_history_ids()

    client.force_login(clerk)
    upload_and_confirm(client, data, linxia_draft)

    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == 700
    assert_history_agrees_with_the_rows(ids, linxia_draft)
    new = records_since(history)
    changed = new[GeneralExpenseRow]
    assert [(r.code, r.history_type, r.total) for r in changed] == [
        ("2010101", "~", Decimal("700.00"))
    ]
    assert [(r.id, r.history_type) for r in new[Project]] == [(extra.pk, "-")]
    assert {r.history_user for records in new.values() for r in records} == {clerk}
    # The admin's 变更历史 shows who changed what.
    shown = [
        c for c in changes(linxia_draft) if c.what == str(GeneralExpenseRow._meta.verbose_name)
    ]
    assert shown[0].kind == "修改" and shown[0].user == "linxia_clerk"
    assert ("合计", "697.07", "700.00") in shown[0].fields


def test_a_draft_made_by_an_import_has_a_record_for_every_row(linxia_draft):
    plan = plan_import(
        exported(linxia_draft), department=linxia_draft.department, year=2024, kind="final"
    )
    history = last_history_ids()
    draft = apply_import(plan)
    assert_history_agrees_with_the_rows({model: set() for model in ROW_MODELS}, draft)
    new = records_since(history)
    for model, ids in row_ids(draft).items():
        assert sorted(r.id for r in new[model]) == sorted(ids), model.__name__
        assert {r.history_type for r in new[model]} <= {"+"}


def test_an_import_that_changes_nothing_records_nothing(linxia_draft):
    history = last_history_ids()
    plan = plan_import(exported(linxia_draft), department=linxia_draft.department, year=2024)
    apply_import(plan)
    assert {model: records for model, records in records_since(history).items() if records} == {}


def test_projects_that_swap_places_keep_their_rows_and_history(linxia_draft):
    projects = dict(Project.objects.filter(disclosure=linxia_draft).values_list("position", "pk"))
    described = set(
        KeyProject.objects.filter(project__disclosure=linxia_draft).values_list("pk", flat=True)
    )
    book = load(exported(linxia_draft))
    book.move_sheet("项目2", offset=-1)  # the forms' order is the projects' order
    ids, history = row_ids(linxia_draft), last_history_ids()
    apply_import(plan_import(save(book), department=linxia_draft.department, year=2024))
    now = dict(Project.objects.filter(disclosure=linxia_draft).values_list("position", "pk"))
    assert now == {**projects, 1: projects[2], 2: projects[1]}
    assert row_ids(linxia_draft) == ids
    assert (
        set(
            KeyProject.objects.filter(project__disclosure=linxia_draft).values_list("pk", flat=True)
        )
        == described
    )
    assert_history_agrees_with_the_rows(ids, linxia_draft)
    moved = records_since(history)[Project]
    assert sorted((r.id, r.position, r.history_type) for r in moved) == sorted(
        [(projects[1], 2, "~"), (projects[2], 1, "~")]
    )
