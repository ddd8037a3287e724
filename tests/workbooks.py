"""Helpers for the workbook tests: a disclosure's content in comparable form, and
workbooks written, edited and read with openpyxl."""

import io
from decimal import Decimal

import openpyxl

from disclosures.models import Disclosure, TableExplanation
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import performance_forms, statutory_tables
from disclosures.workbook import workbook_bytes

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
SKIP = {"id", "disclosure", "form", "project", "history"}


def _values(instance) -> dict:
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP:
            continue
        value = getattr(instance, field.attname)
        values[field.name] = value.normalize() if isinstance(value, Decimal) else value
    return values


def content_of(disclosure: Disclosure) -> dict:
    """Everything the workbook carries, field by field, and as the tables print it."""
    disclosure = Disclosure.objects.with_contents().get(pk=disclosure.pk)
    form = getattr(disclosure, "department_form", None)
    projects = sorted(disclosure.projects.all(), key=lambda p: p.position)
    forms = performance_forms(disclosure)
    return {
        "rows": {
            key: [_values(row) for row in model.objects.filter(disclosure=disclosure)]
            for key, model in TABLE_MODELS.items()
        },
        "explanations": dict(
            TableExplanation.objects.filter(disclosure=disclosure).values_list("table", "text")
        ),
        "department_form": form and {**_values(form), "goals": form.goal_lines},
        "department_indicators": [_values(i) for i in form.indicators.all()] if form else [],
        "projects": [_values(p) for p in projects],
        "project_indicators": [[_values(i) for i in p.indicators.all()] for p in projects],
        "printed": [t.as_dict() for t in statutory_tables(disclosure)],
        "forms": {
            "department_form": forms["department_form"] and forms["department_form"].as_dict(),
            "project_forms": [f.as_dict() for f in forms["project_forms"]],
            "project_list": forms["project_list"] and forms["project_list"].as_dict(),
        },
    }


def exported(disclosure: Disclosure) -> bytes:
    return workbook_bytes(Disclosure.objects.with_contents().get(pk=disclosure.pk))


def load(data: bytes, **options) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **options)


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def find(sheet, text: str):
    """The first cell whose value is the text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not in sheet {sheet.title}")
