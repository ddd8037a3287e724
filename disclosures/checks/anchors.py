"""Where a finding points on a page: a lookup from its Cell keys, never a text search.

The statutory table partial gives each row the id `row_id(table key, row key)`
(specs/base.py); forms and the explanatory text are anchored by their section.
"""

from disclosures.facts import Facts
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs.base import row_id

from .registry import Cell


def page_anchor(cell: Cell, present: set[str]) -> str:
    """The id on a rendered disclosure (public page, staff preview) of the row a finding
    is about, else of its table or form, among the ids the page has (`present`); ""
    when the page shows nothing of it."""
    candidates = []
    if cell.table in TABLE_MODELS:
        candidates = [row_id(cell.table, cell.row), cell.table]
    elif cell.table == "project_form":
        if cell.row.startswith("project:"):
            candidates.append(f"project_form_{cell.row.split(':')[1]}")
        candidates.append("project_list")  # seed 000's layout prints one list of all projects
    elif cell.table in ("department_form", "narrative"):
        candidates = [cell.table]
    return next((anchor for anchor in candidates if anchor in present), "")


def admin_anchor(cell: Cell, facts: Facts) -> str:
    """The id on the disclosure's admin change page of the inline row holding the cell
    (Django names them <formset prefix>-<index>), else of its inline group."""
    if cell.table in TABLE_MODELS:
        prefix = TABLE_MODELS[cell.table]._meta.get_field("disclosure").remote_field
        prefix = prefix.get_accessor_name()
        keys = [row.key for row in facts.table(cell.table)]
        return f"{prefix}-{keys.index(cell.row)}" if cell.row in keys else f"{prefix}-group"
    if cell.table == "department_form":
        return "department_form-group"
    if cell.table == "project_form":
        positions = [f"project:{project.position}" for project in facts.projects]
        project = ":".join(cell.row.split(":")[:2])
        return f"projects-{positions.index(project)}" if project in positions else "projects-group"
    return "content-main"
