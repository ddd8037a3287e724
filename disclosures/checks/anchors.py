"""Where a finding points in the rendered disclosure: the id of its table or form."""

from disclosures.facts import Facts
from disclosures.models import TableKey

from .registry import Finding


def anchor(finding: Finding, facts: Facts) -> str:
    """The HTML id (as the table partial renders it) of the table or form a finding is in."""
    for key in TableKey:
        if f"（{key.label}）" in finding.table or finding.table == key.label:
            return key.value
    if finding.table == "部门整体支出绩效目标表":
        return "department_form"
    for project in facts.projects:
        if finding.table == f"项目支出绩效目标表（{project.name}）":
            return f"project_form_{project.position}"
    return ""
