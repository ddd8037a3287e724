"""Projects from their forms (seed 004) and from the project list (seed 000): the list
adds 财政专户拨款, indicator codes and 实施周期 targets; the forms add 上年结转 and 主管部门."""

from dataclasses import dataclass

from disclosures import money
from disclosures.models import Project, ProjectIndicator
from disclosures.specs.forms import PROJECT_FORM

from ..cells import normal
from .forms import ProjectForm, amount_at
from .project_list import ListedProject
from .reading import Reading


@dataclass(frozen=True)
class ReadProject:
    project: Project
    indicators: list[ProjectIndicator]


def merge_projects(
    reading: Reading, forms: list[ProjectForm], listed: list[ListedProject]
) -> list[ReadProject]:
    """The projects in the forms' order (the workbook's), or the list's when there are no
    forms; positions count every form, a refused one too."""
    by_name = {normal(entry.name): entry for entry in listed}
    if len(by_name) < len(listed):
        reading.problems.add("项目清单中有重名项目。")
    seen: set[str] = set()
    read = []
    for position, source in enumerate(forms or listed, start=1):
        form = source if isinstance(source, ProjectForm) else None
        sheet = form.grid.title if form else ""
        key = normal(source.name)
        if key in seen:
            reading.problems.add(f"项目“{source.name}”出现两次。", sheet)
            continue
        seen.add(key)
        row = by_name.get(key)
        if form and listed and row is None:
            reading.problems.add(f"项目“{source.name}”有绩效目标表，但不在项目清单中。", sheet)
            continue
        project = Project(position=position, name=source.name, goal=source.goal)
        indicators = source.indicators
        if row is not None:
            apply_listed(project, row)
            if form is None:
                indicators = row.indicators
            elif len(row.indicators) == len(indicators):
                for mine, theirs in zip(indicators, row.indicators, strict=True):
                    mine.level1_code, mine.level2_code = theirs.level1_code, theirs.level2_code
                    mine.period_target = theirs.period_target
        if form:
            apply_form(reading, project, form, row)
        read.append(ReadProject(project, indicators))
    for entry in listed:
        if forms and normal(entry.name) not in seen:
            reading.problems.add(
                f"项目“{entry.name}”在项目清单中，但没有它的绩效目标表。", cell=entry.where
            )
    return read


def apply_listed(project: Project, row: ListedProject) -> None:
    project.unit, project.category = row.unit, row.category
    project.total = row.amounts["total"]
    project.current_appropriation = row.amounts["current_appropriation"]
    project.special_account = row.amounts["special_account"]
    # The list's 其他资金 holds 上年结转 too, which only a form tells apart.
    project.other_funds = row.amounts["other_funds"]


def apply_form(
    reading: Reading, project: Project, form: ProjectForm, row: ListedProject | None
) -> None:
    project.supervisor = form.supervisor
    apply_form_figures(reading, project, form, row)
    implementer = normal(form.implementer)
    if implementer in reading.units:
        project.unit = reading.units[implementer]
    elif implementer and implementer != normal(reading.department.name):
        reading.problems.add(f"实施单位“{form.implementer}”不是本部门的预算单位。", form.grid.title)


def apply_form_figures(
    reading: Reading, project: Project, form: ProjectForm, row: ListedProject | None
) -> None:
    """A form's figures in 万元, or in 元 where they are the list's ×10000 (seed 004)."""
    grid = form.grid
    figures = {
        attr: amount_at(reading, grid, spot, yuan=False) for attr, spot in form.figures.items()
    }
    total = figures["total"]
    in_yuan = (
        row is not None
        and total != row.amounts["total"]
        and total == money.wan_to_yuan(row.amounts["total"])
    )
    if in_yuan:
        project.figures_unit = Project.FiguresUnit.YUAN
        figures = {attr: money.yuan_to_wan(value) for attr, value in figures.items()}
    project.carried_forward = figures["carried_forward"]
    if row is None:
        project.total = figures["total"]
        project.current_appropriation = figures["current_appropriation"]
        project.other_funds = figures["other_funds"]
        return
    # The list's 其他资金 is other + 上年结转; the form's is other + 财政专户.
    project.other_funds = row.amounts["other_funds"] - project.carried_forward
    for attr in ("total", "current_appropriation"):
        if figures[attr] != row.amounts[attr]:
            reading.problems.add(
                f"项目“{project.name}”的{PROJECT_FORM.field(attr).plain_name}"
                f"在绩效目标表中为 {money.format_plain(figures[attr])}，"
                f"在项目清单中为 {money.format_plain(row.amounts[attr])}，不一致。",
                grid.title,
            )
    if (
        project.other_funds < 0
        or figures["other_funds"] != project.other_funds + project.special_account
    ):
        reading.problems.add(f"项目“{project.name}”的其他资金与项目清单不一致。", grid.title)
        project.other_funds = max(project.other_funds, money.ZERO)
