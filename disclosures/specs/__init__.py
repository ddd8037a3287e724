"""Table specs: one declarative spec per statutory table, and the performance forms.

Every renderer (the staff preview, dump_disclosure's JSON, and later the public pages,
the PDF and the workbook) starts from `statutory_tables` and `performance_forms`.
"""

from typing import Any

from django.utils import translation

from .base import Cell, RenderedTable, Row, RowSum, Shape, TableSpec
from .forms import department_form, project_form, project_list
from .layouts import LAYOUTS
from .tables import SPECS

__all__ = [
    "LAYOUTS",
    "SPECS",
    "Cell",
    "RenderedTable",
    "Row",
    "RowSum",
    "Shape",
    "TableSpec",
    "performance_forms",
    "statutory_table",
    "statutory_tables",
]


# The statutory text is Chinese whatever the visitor's language: titles are lazy
# translations (TableKey), turned into text here.
@translation.override("zh-hans")
def statutory_tables(disclosure: Any) -> list[RenderedTable]:
    """The disclosure's statutory tables, numbered in the order of its layout."""
    explanations = {e.table: e.text for e in disclosure.table_explanations.all()}
    return [
        SPECS[key].render(disclosure, number=number, explanations=explanations)
        for number, key in enumerate(LAYOUTS[disclosure.layout], start=1)
    ]


@translation.override("zh-hans")
def statutory_table(disclosure: Any, key: str) -> RenderedTable | None:
    """One of them, numbered as in the layout; None when the layout does not publish it."""
    layout = LAYOUTS[disclosure.layout]
    if key not in layout:
        return None
    explanations = {e.table: e.text for e in disclosure.table_explanations.all()}
    return SPECS[key].render(disclosure, number=layout.index(key) + 1, explanations=explanations)


@translation.override("zh-hans")
def performance_forms(disclosure: Any) -> dict[str, Any]:
    """The department-wide form and one form per project (seed 004); the project list (seed 000)."""
    projects = sorted(disclosure.projects.all(), key=lambda p: p.position)
    return {
        "department_form": department_form(disclosure),
        "project_forms": [project_form(disclosure, project) for project in projects],
        "project_list": project_list(disclosure),
    }
