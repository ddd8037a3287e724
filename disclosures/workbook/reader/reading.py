"""One reading of a workbook: what every sheet's reader needs, and what they yield."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.models import (
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    Project,
    ProjectIndicator,
)
from disclosures.subjects import Catalogue

from ..cells import NotAnAmount, amount, normal
from ..grid import Grid, Line
from ..problems import Problems
from .text import without_prefix


@dataclass
class Content:
    """What a workbook holds: the rows of each table and the performance forms, unsaved."""

    rows: dict[str, list[Any]] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)
    department_form: DepartmentPerformanceForm | None = None
    department_indicators: list[DepartmentIndicator] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    project_indicators: dict[int, list[ProjectIndicator]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A statutory table's rows as read, unsaved, and the explanation printed under it."""

    rows: list[Any]
    explanation: str = ""


class Reading:
    """The disclosure a workbook is read into (its department, units and year's
    catalogues), and the problems and warnings found so far."""

    def __init__(self, disclosure: Disclosure):
        self.department = disclosure.department
        self.year = disclosure.fiscal_year
        self.problems = Problems()
        self.warnings: list[str] = []
        self.units = {normal(unit.name): unit for unit in self.department.units.all()}
        self._catalogues: dict[str, Catalogue] = {}

    def catalogue(self, kind: str) -> Catalogue:
        if kind not in self._catalogues:
            self._catalogues[kind] = Catalogue.of(kind, self.year)
        return self._catalogues[kind]

    def amount(self, grid: Grid, line: Line, index: int | None, *, yuan: bool) -> Decimal:
        """The amount in a cell, in 万元; a cell that holds none is a problem, read as zero."""
        if index is None:
            return money.ZERO
        try:
            return amount(line.values[index], yuan=yuan)
        except NotAnAmount as error:
            self.problems.add(str(error), grid.title, grid.where(line, index))
            return money.ZERO

    def check_caption(self, grid: Grid, caption: str, where: str) -> None:
        """A department named in a sheet must be the one imported into."""
        named = without_prefix(caption)
        if normal(named) and normal(named) != normal(self.department.name):
            self.problems.add(
                f"表中部门“{named}”与导入的部门“{self.department.name}”不一致。", grid.title, where
            )

    def check_department(self, grid: Grid, line: Line, index: int) -> None:
        self.check_caption(grid, line.text(index), grid.where(line, index))
