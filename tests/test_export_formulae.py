"""The flat export (django-import-export, the admin's 导出 buttons) never writes a live
formula: text that a spreadsheet would run (= + - @, tab, carriage return — OWASP's CSV
injection list) leaves with a leading apostrophe, in every column that carries text (names
of projects, units and departments included), and the import takes exactly that apostrophe
off again. The files are read as Excel would get them: the admin's real CSV and XLSX."""

import csv
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX

from disclosures.models import Department, Disclosure, Project, ProjectIndicator, Unit
from disclosures.rendering.exports import FORMULA_STARTS
from disclosures.staff.resources import RESOURCES

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
FORMATS = {"csv": ("0", CSV()), "xlsx": ("1", XLSX())}
NAMES = [
    "=1+1",
    "+86 电话",
    "-",
    "'=1+1",  # looks escaped already: must come back with its apostrophe
    "@SUM(A1:A2)",
    '=HYPERLINK("http://evil.example","点我")',
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "''+1",
]


def exported(client, model, file_format: str) -> list[list]:
    """The admin's export of every row of `model` the superuser sees, read back cell by
    cell as Excel would (XLSX cells keep their type: a formula would be data_type "f")."""
    choice, _ = FORMATS[file_format]
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse(f"admin:disclosures_{model._meta.model_name}_export")
    response = client.post(url, {"format": choice, "resource": "0"})
    assert response.status_code == 200
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def runnable(rows: list[list]) -> list:
    return [v for row in rows for v in row if isinstance(v, str) and v.startswith(FORMULA_STARTS)]


def give_formula_names(draft: Disclosure, names: list[str]) -> None:
    """Each text column of the draft's projects and indicators starts like a formula, and
    so do the names of the department and its units, which exports carry too."""
    projects = list(Project.objects.filter(disclosure=draft).order_by("position"))
    for project, name in zip(projects, names, strict=False):
        project.name = name
        project.goal = f"@{name}"
        project.save()
    indicators = ProjectIndicator.objects.filter(project__disclosure=draft)
    for indicator, name in zip(indicators, names * 10, strict=False):
        indicator.level3 = name
        indicator.annual_target = f"-{name}"
        indicator.save()
    Unit.objects.filter(department=draft.department).update(name="=单位")
    Department.objects.filter(pk=draft.department_id).update(name="=" + LINXIA)


@pytest.fixture
def draft_with_formula_names(linxia_draft):
    give_formula_names(linxia_draft, NAMES)
    return Disclosure.objects.get(pk=linxia_draft.pk)


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("model", [Project, ProjectIndicator])
def test_no_exported_cell_is_a_formula(client, draft_with_formula_names, model, file_format):
    rows = exported(client, model, file_format)
    assert runnable(rows) == []
    texts = {v for row in rows for v in row if isinstance(v, str)}
    assert "'=1+1" in texts and "'+86 电话" in texts and "'-" in texts
    assert "'=" + LINXIA in texts
    assert "''=1+1" in texts  # a text that only looked escaped gets its own apostrophe


def draft_rows_of(model, draft: Disclosure) -> list[tuple]:
    rows = model.objects.filter(**{model.disclosure_lookup: draft}).order_by("pk")
    return list(rows.values_list(*(f.attname for f in model._meta.concrete_fields)))


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("model", [Project, ProjectIndicator])
def test_export_then_import_gives_back_every_text_as_it_was(
    client, linxia_draft, model, file_format
):
    draft = linxia_draft
    # XML reads a carriage return as a line feed: an .xlsx file cannot carry one, formula
    # or not (the CSV round trip keeps it).
    give_formula_names(
        draft, [n.replace("\r", "\n") if file_format == "xlsx" else n for n in NAMES]
    )
    before = draft_rows_of(model, draft)
    choice, reader = FORMATS[file_format]
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse(f"admin:disclosures_{model._meta.model_name}_export")
    data = client.post(url, {"format": choice, "resource": "0"}).content
    everything = reader.create_dataset(data.decode("utf-8-sig") if file_format == "csv" else data)
    # The file holds every disclosure's rows; only the draft's can be imported.
    dataset = tablib.Dataset(headers=everything.headers)
    for row in everything:
        if row[1] == "'=" + LINXIA and str(row[4]) == str(draft.revision):
            dataset.append(row)
    assert dataset.height == len(before)
    result = RESOURCES[model]().import_data(dataset)
    errors = [str(e.error) for row in result.error_rows for e in row.errors]
    errors += [str(m) for row in result.invalid_rows for m in row.error_dict.values()]
    assert errors == []
    assert result.totals["skip"] == len(before)  # every row read back exactly as it is
    assert draft_rows_of(model, draft) == before
    if model is Project:
        names = set(Project.objects.filter(disclosure=draft).values_list("name", flat=True))
        assert set(NAMES[:5]) <= names
