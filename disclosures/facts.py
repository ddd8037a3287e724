"""Everything the checks and the narrative read about one disclosure, gathered once.

Checks are pure functions of a Facts: no queries, so the property tests can build Facts
from unsaved rows and check thousands of them quickly.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from disclosures.derive import sums
from disclosures.models import ComparisonItem, Disclosure, TableKey
from disclosures.numerals import chinese_number
from disclosures.specs import LAYOUTS, SPECS
from disclosures.specs.layouts import WITH_NARRATIVE
from disclosures.subjects import Catalogue

ZERO = Decimal("0")


@dataclass
class Facts:
    disclosure: Disclosure
    department_name: str
    units: list[Any]
    rows: dict[str, list[Any]]
    department_form: Any | None
    department_indicators: list[Any]
    projects: list[Any]
    project_indicators: dict[int, list[Any]]  # by the project's position
    key_projects: dict[int, Any]  # by the project's position
    passages: dict[str, str]
    explanations: dict[str, str]
    prior_year: dict[tuple[str, str], Decimal]
    reasons: dict[tuple[str, str], str]
    procurement: Any | None
    assets: Any | None
    function_names: dict[str, str]
    economic_names: dict[str, str]
    # The year's catalogues by kind, with their completeness and flags (subjects.Catalogue);
    # empty when the caller passed names only.
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    # Reasons for acknowledged warnings, by (check code, table key, row key, column key).
    acknowledgements: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    _sums: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        disclosure: Disclosure,
        *,
        with_prior: bool = True,
        catalogue: tuple[dict[str, str], dict[str, str]] | None = None,
    ) -> "Facts":
        """From a disclosure fetched with Disclosure.objects.with_contents().

        Last year's figures come from last year's published disclosure when the portal has
        one; figures the clerk entered (PriorYearFigure) take precedence. `catalogue` (the
        function and economic names) spares its two queries to callers that read only
        figures, such as the comparison pages.
        """
        catalogues = {}
        if catalogue is None:
            catalogues = {
                kind: Catalogue.of(kind, disclosure.fiscal_year)
                for kind in ("function", "economic")
            }
            catalogue = (catalogues["function"].names, catalogues["economic"].names)
        projects = sorted(disclosure.projects.all(), key=lambda p: p.position)
        form = getattr(disclosure, "department_form", None)
        year = disclosure.fiscal_year
        facts = cls(
            disclosure=disclosure,
            department_name=disclosure.department.name,
            units=list(disclosure.department.units.all()),
            rows={
                key: sorted(
                    getattr(disclosure, spec.source.accessor).all(), key=lambda r: r.position
                )
                for key, spec in SPECS.items()
            },
            department_form=form,
            department_indicators=sorted(form.indicators.all(), key=lambda i: i.position)
            if form
            else [],
            projects=projects,
            project_indicators={
                p.position: sorted(p.indicators.all(), key=lambda i: i.position) for p in projects
            },
            key_projects={
                p.position: p.key_description
                for p in projects
                if getattr(p, "key_description", None) is not None
            },
            passages={p.section: p.text for p in disclosure.passages.all()},
            explanations={e.table: e.text for e in disclosure.table_explanations.all()},
            prior_year={
                (f.item, f.subject_code): f.amount for f in disclosure.prior_year_figures.all()
            },
            reasons={(r.item, r.subject_code): r.text for r in disclosure.change_reasons.all()},
            procurement=getattr(disclosure, "procurement", None),
            assets=getattr(disclosure, "assets", None),
            function_names=catalogue[0],
            economic_names=catalogue[1],
            catalogues=catalogues,
            acknowledgements={a.key: a.reason for a in disclosure.acknowledgements.all()},
        )
        if with_prior:
            previous = (
                Disclosure.objects.with_contents()
                .published()
                .filter(
                    department=disclosure.department_id, fiscal_year=year - 1, kind=disclosure.kind
                )
                .order_by("-revision")
                .first()
            )
            if previous is not None:
                last_year = cls.of(previous, with_prior=False)
                items = {*facts.compared_items(), *last_year.compared_items()}
                from_tables = {key: last_year.current(*key) for key in items}
                facts.prior_year = {**from_tables, **facts.prior_year}
        return facts

    # What the layout publishes ---------------------------------------------------------

    @property
    def layout(self) -> tuple[str, ...]:
        return LAYOUTS[self.disclosure.layout]

    @property
    def has_narrative(self) -> bool:
        return self.disclosure.layout in WITH_NARRATIVE

    def publishes(self, key: str) -> bool:
        return key in self.layout

    def layout_of_shape(self, shape: str) -> list[str]:
        """The published tables whose rows are of one shape (Shape.UNITS …), in order."""
        return [key for key in self.layout if SPECS[key].shape == shape]

    def table_number(self, key: str) -> str:
        """表三, as the layout numbers it; the title of a table it does not publish."""
        if key in self.layout:
            return f"表{chinese_number(self.layout.index(key) + 1)}"
        return str(TableKey(key).label)

    def table_name(self, key: str) -> str:
        """表三（部门支出总体情况表）, numbered as the layout numbers it."""
        title = TableKey(key).label
        if key in self.layout:
            return f"{self.table_number(key)}（{title}）"
        return str(title)

    def sums(self, key: str) -> list[Any]:
        """The sum rules of one table (disclosures/derive.py), built once per Facts."""
        if key not in self._sums:
            self._sums[key] = sums(SPECS[key], self.table(key))
        return self._sums[key]

    # Rows -------------------------------------------------------------------------------

    def table(self, key: str) -> list[Any]:
        return self.rows.get(key, [])

    def total_row(self, key: str) -> Any | None:
        return next((row for row in self.table(key) if row.is_total), None)

    def total(self, key: str, column: str) -> Decimal:
        row = self.total_row(key)
        return getattr(row, column) if row is not None else ZERO

    def subjects(self, key: str) -> list[Any]:
        return [row for row in self.table(key) if not row.is_total]

    def by_code(self, key: str) -> dict[str, Any]:
        return {row.code: row for row in self.subjects(key)}

    def summary(self, key: str, side: str | None, item: str) -> list[Any]:
        return [
            row
            for row in self.table(key)
            if row.item == item and (side is None or row.side == side)
        ]

    def summary_amount(self, key: str, side: str | None, item: str) -> Decimal:
        return sum((row.amount for row in self.summary(key, side, item)), ZERO)

    # Year-on-year -------------------------------------------------------------------------

    def current(self, item: str, code: str = "") -> Decimal:
        """This year's figure for a comparison item, from the tables."""
        three_public = self.total_row(TableKey.THREE_PUBLIC)

        def t8(column: str) -> Decimal:
            return getattr(three_public, column) if three_public is not None else ZERO

        match item:
            case ComparisonItem.TOTAL:
                return self.total(TableKey.DEPARTMENT_EXPENSE, "total")
            case ComparisonItem.BASIC:
                return self.total(TableKey.GENERAL_EXPENSE, "basic")
            case ComparisonItem.PROJECT:
                return self.total(TableKey.GENERAL_EXPENSE, "project")
            case ComparisonItem.FUNCTION_CLASS:
                row = self.by_code(TableKey.GENERAL_EXPENSE).get(code)
                return row.total if row is not None else ZERO
            case ComparisonItem.THREE_PUBLIC:
                return t8("three_public_total")
            case ComparisonItem.ABROAD:
                return t8("abroad")
            case ComparisonItem.RECEPTION:
                return t8("reception")
            case ComparisonItem.VEHICLES:
                return t8("vehicle_purchase") + t8("vehicle_operation")
            case ComparisonItem.VEHICLE_PURCHASE:
                return t8("vehicle_purchase")
            case ComparisonItem.VEHICLE_OPERATION:
                return t8("vehicle_operation")
            case ComparisonItem.TRAINING:
                return t8("training")
            case ComparisonItem.MEETING:
                return t8("meeting")
            case ComparisonItem.OFFICE_RUNNING:
                return self.total(TableKey.OFFICE_RUNNING, "total")
        raise ValueError(f"unknown comparison item {item!r}")

    def prior(self, item: str, code: str = "") -> Decimal | None:
        return self.prior_year.get((item, code))

    def compared_items(self) -> Iterable[tuple[str, str]]:
        """What the explanatory text compares with last year, in its order."""
        yield ComparisonItem.BASIC, ""
        yield ComparisonItem.PROJECT, ""
        yield from ((ComparisonItem.FUNCTION_CLASS, code) for code in self.compared_classes())
        for item in (
            ComparisonItem.THREE_PUBLIC,
            ComparisonItem.ABROAD,
            ComparisonItem.RECEPTION,
            ComparisonItem.VEHICLES,
            ComparisonItem.TRAINING,
            ComparisonItem.MEETING,
            ComparisonItem.OFFICE_RUNNING,
        ):
            yield item, ""

    def compared_classes(self) -> list[str]:
        """Function 类 with general-budget money this year or last year."""
        this_year = {
            row.code for row in self.subjects(TableKey.GENERAL_EXPENSE) if len(row.code) == 3
        }
        last_year = {
            code for item, code in self.prior_year if item == ComparisonItem.FUNCTION_CLASS
        }
        return sorted(this_year | last_year)
