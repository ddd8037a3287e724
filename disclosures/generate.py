"""Random, internally consistent disclosures, for property tests and benchmarks.

One set of random facts — spending per unit and function subject, its economic split,
三公 and meetings, office running costs, projects — and every statutory table, the
department-wide form and the projects derived from those same facts, the way a finance
system would. Whatever the draw, every check passes on the result; change any single
amount and some check must fail.

The rows are unsaved model instances gathered in a Facts, so thousands can be checked
without a database. Randomness comes from a Source: Python's `random` for benchmarks,
hypothesis's `data.draw` in tests (so failures shrink to small examples).
"""

import csv
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Protocol

from disclosures import subjects
from disclosures.checks.facts import ZERO, Facts
from disclosures.checks.rules import MONEY, REQUIRED_PASSAGES, THREE_PUBLIC_SUBJECTS, is_empty
from disclosures.models import (
    AssetHoldings,
    CapitalExpenseRow,
    DepartmentExpenseRow,
    DepartmentIncomeRow,
    DepartmentIndicator,
    DepartmentPerformanceForm,
    DepartmentSummaryRow,
    Disclosure,
    FiscalByUnitRow,
    FiscalSummaryRow,
    FundExpenseRow,
    GeneralBasicRow,
    GeneralExpenseRow,
    Layout,
    OfficeRunningRow,
    ProcurementBudget,
    Project,
    ProjectIndicator,
    SummaryItem,
    TableKey,
    ThreePublicRow,
    Unit,
)
from disclosures.models.tables import INCOME_ITEMS, TABLE_MODELS

CATALOGUES = Path(__file__).resolve().parent / "catalogues"
YEAR = 2024
OFFICE_RUNNING_CODES = (
    "30201", "30202", "30205", "30206", "30207", "30208", "30209", "30211",
    "30213", "30215", "30218", "30229", "30231", "30299", "31002",
)  # fmt: skip
I = SummaryItem  # noqa: E741


class Source(Protocol):
    def integer(self, low: int, high: int) -> int: ...
    def sample(self, population: Sequence[Any], low: int, high: int) -> list[Any]: ...


class RandomSource:
    def __init__(self, seed: int):
        self.random = Random(seed)  # noqa: S311 — test data, not secrets

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def sample(self, population: Sequence[Any], low: int, high: int) -> list[Any]:
        return self.random.sample(list(population), self.integer(low, min(high, len(population))))


@cache
def catalogue(kind: str) -> dict[str, str]:
    with open(CATALOGUES / str(YEAR) / f"{kind}.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def cents(source: Source, high: int) -> Decimal:
    """An amount in 万元 with two decimals, up to `high` 万元."""
    return Decimal(source.integer(0, high * 100)) / 100


def split(source: Source, amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` cut into `parts` non-negative amounts of whole cents that add up exactly."""
    total = int(amount * 100)
    cuts = sorted(source.integer(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [Decimal(bounds[i + 1] - bounds[i]) / 100 for i in range(parts)]


class Builder:
    """Draws the facts, then derives every table from them."""

    def __init__(self, source: Source, *, units: int | None = None, projects: int | None = None):
        self.source = source
        self.n_units = units or source.integer(1, 3)
        self.n_projects = projects
        self.functions = catalogue("function")
        self.economic = catalogue("economic")
        self.department = "随机生成部门"
        self.disclosure = Disclosure(fiscal_year=YEAR, layout=Layout.GANSU, amounts_rounded=False)
        self.units = [
            Unit(
                id=n,
                name=self.department if n == 1 else f"{self.department}所属单位{n}",
                is_headquarters=n == 1,
            )
            for n in range(1, self.n_units + 1)
        ]
        self.rows: dict[str, list[Any]] = {}

    # The facts ------------------------------------------------------------------------

    def draw_spending(self) -> None:
        """Per unit and function 项: general basic and project, fund and capital project."""
        leaves = [code for code in self.functions if len(code) == 7]
        self.leaves = sorted(self.source.sample(leaves, 1, 6))
        self.spending: dict[str, dict[str, Decimal]] = {}
        self.by_unit: dict[int, dict[str, Decimal]] = {}
        for unit in self.units:
            totals = defaultdict(lambda: ZERO)
            for code in self.leaves:
                leaf = self.spending.setdefault(code, defaultdict(lambda: ZERO))
                for kind, high in (("basic", 500), ("project", 300), ("fund", 50), ("capital", 20)):
                    amount = cents(self.source, high) if self.source.integer(0, 3) else ZERO
                    leaf[kind] += amount
                    totals[kind] += amount
            self.by_unit[unit.id] = totals

    def sum_of(self, kind: str, codes=None) -> Decimal:
        return sum((self.spending[c][kind] for c in codes or self.leaves), ZERO)

    # Function tables --------------------------------------------------------------------

    def function_rows(self, model, amounts: dict[str, dict[str, Decimal]], fields: tuple[str, ...]):
        """Rows for every subject with money, its 类 and 款 above it, and 总计 first."""
        per_code: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for code, values in amounts.items():
            if not any(values.values()):
                continue
            for level_code in (*subjects.ancestors(code), code):
                for field in fields:
                    per_code[level_code][field] += values[field]
        rows = [model(position=1, code="", name="总计")]
        for field in fields:
            setattr(
                rows[0], field, sum((v[field] for c, v in per_code.items() if len(c) == 3), ZERO)
            )
        for position, code in enumerate(sorted(per_code), start=2):
            row = model(position=position, code=code, name=self.functions[code])
            for field in fields:
                setattr(row, field, per_code[code][field])
            rows.append(row)
        return rows

    def build_function_tables(self) -> None:
        general = {
            c: {"total": v["basic"] + v["project"], "basic": v["basic"], "project": v["project"]}
            for c, v in self.spending.items()
        }
        department = {
            c: {
                "total": v["basic"] + v["project"] + v["fund"] + v["capital"],
                "basic": v["basic"],
                "project": v["project"] + v["fund"] + v["capital"],
                "carried_forward": ZERO,
            }
            for c, v in self.spending.items()
        }
        self.rows[TableKey.GENERAL_EXPENSE] = self.function_rows(
            GeneralExpenseRow, general, ("total", "basic", "project")
        )
        self.rows[TableKey.DEPARTMENT_EXPENSE] = self.function_rows(
            DepartmentExpenseRow, department, ("total", "basic", "project", "carried_forward")
        )
        self.rows[TableKey.FUND_EXPENSE] = self.function_rows(
            FundExpenseRow,
            {c: {"amount": v["fund"]} for c, v in self.spending.items()},
            ("amount",),
        )
        self.rows[TableKey.CAPITAL_EXPENSE] = self.function_rows(
            CapitalExpenseRow,
            {c: {"amount": v["capital"]} for c, v in self.spending.items()},
            ("amount",),
        )

    def class_totals(self, key: str, field: str) -> dict[str, Decimal]:
        return {r.code: getattr(r, field) for r in self.rows[key] if len(r.code) == 3}

    # Summary tables ---------------------------------------------------------------------

    def build_summary_tables(self) -> None:
        general = self.sum_of("basic") + self.sum_of("project")
        fund, capital = self.sum_of("fund"), self.sum_of("capital")
        income = {I.GENERAL_BUDGET: general, I.GOVERNMENT_FUND: fund, I.STATE_CAPITAL: capital}
        current = general + fund + capital
        classes = sorted(code for code in self.functions if len(code) == 3)
        t3 = self.class_totals(TableKey.DEPARTMENT_EXPENSE, "total")
        t4 = defaultdict(lambda: ZERO)
        for key, field in (
            (TableKey.GENERAL_EXPENSE, "total"),
            (TableKey.FUND_EXPENSE, "amount"),
            (TableKey.CAPITAL_EXPENSE, "amount"),
        ):
            for code, amount in self.class_totals(key, field).items():
                t4[code] += amount

        def lines(model, income_lines, expense_lines, two_sided=True):
            rows = []
            for side, lines_of_side in (("income", income_lines), ("expense", expense_lines)):
                for item, code, amount in lines_of_side:
                    label = self.functions[code] if code else str(SummaryItem(item).label)
                    row = model(
                        position=len(rows) + 1,
                        item=item,
                        subject_code=code,
                        label=label,
                        amount=amount,
                    )
                    if two_sided:
                        row.side = side
                    rows.append(row)
            return rows

        income_lines = [
            *((item, "", income.get(item, ZERO)) for item in INCOME_ITEMS),
            (I.CURRENT_TOTAL, "", current),
            (I.CARRIED_FORWARD, "", ZERO),
            (I.PRIOR_SURPLUS, "", ZERO),
            (I.GRAND_TOTAL, "", current),
        ]
        self.rows[TableKey.DEPARTMENT_SUMMARY] = lines(
            DepartmentSummaryRow,
            income_lines,
            [
                *((I.FUNCTION_CLASS, code, t3.get(code, ZERO)) for code in classes),
                (I.CURRENT_TOTAL, "", current),
                (I.CARRY_TO_NEXT, "", ZERO),
                (I.GRAND_TOTAL, "", current),
            ],
        )
        self.rows[TableKey.DEPARTMENT_INCOME] = lines(
            DepartmentIncomeRow, income_lines, [], two_sided=False
        )
        self.rows[TableKey.FISCAL_SUMMARY] = lines(
            FiscalSummaryRow,
            [
                (I.CURRENT_TOTAL, "", current),
                *(
                    (item, "", income[item])
                    for item in (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL)
                ),
                (I.GRAND_TOTAL, "", current),
            ],
            [
                (I.CURRENT_TOTAL, "", current),
                *((I.FUNCTION_CLASS, code, t4.get(code, ZERO)) for code in classes),
                (I.GRAND_TOTAL, "", current),
            ],
        )

    # Unit tables ----------------------------------------------------------------------

    def unit_rows(self, model, per_unit: dict[int, dict[str, Decimal]], fields: tuple[str, ...]):
        def summed(field):
            return sum((per_unit[u.id][field] for u in self.units), ZERO)

        rows = [
            model(position=1, kind="total", label="总计", **{f: summed(f) for f in fields}),
            model(
                position=2,
                kind="department",
                label=self.department,
                **{f: summed(f) for f in fields},
            ),
        ]
        for position, unit in enumerate(self.units, start=3):
            rows.append(
                model(
                    position=position, kind="unit", unit=unit, label=unit.name, **per_unit[unit.id]
                )
            )
        return rows

    def build_fiscal_by_unit(self) -> None:
        per_unit = {}
        for unit_id, t in self.by_unit.items():
            per_unit[unit_id] = {
                "general_basic": t["basic"],
                "general_project": t["project"],
                "general_total": t["basic"] + t["project"],
                "fund_basic": ZERO,
                "fund_project": t["fund"],
                "fund_total": t["fund"],
                "capital_basic": ZERO,
                "capital_project": t["capital"],
                "capital_total": t["capital"],
                "total": t["basic"] + t["project"] + t["fund"] + t["capital"],
            }
        fields = tuple(next(iter(per_unit.values())))
        self.rows[TableKey.FISCAL_BY_UNIT] = self.unit_rows(FiscalByUnitRow, per_unit, fields)

    # Economic tables ----------------------------------------------------------------------

    def build_basic_by_economic_subject(self) -> None:
        basic = self.sum_of("basic")
        kuan = [c for c in self.economic if len(c) == 5 and c[:3] in ("301", "302", "303")]
        chosen = sorted(self.source.sample(kuan, 1, 8))
        self.basic_by_code = dict(zip(chosen, split(self.source, basic, len(chosen)), strict=True))
        per_code: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for code, amount in self.basic_by_code.items():
            column = "running" if code.startswith("302") else "personnel"
            for level_code in (code[:3], code):
                per_code[level_code][column] += amount
                per_code[level_code]["total"] += amount
        total = GeneralBasicRow(position=1, code="", name="总计", total=basic)
        total.personnel = sum((v["personnel"] for c, v in per_code.items() if len(c) == 3), ZERO)
        total.running = sum((v["running"] for c, v in per_code.items() if len(c) == 3), ZERO)
        rows = [total]
        for position, code in enumerate(sorted(per_code), start=2):
            v = per_code[code]
            rows.append(
                GeneralBasicRow(
                    position=position,
                    code=code,
                    name=self.economic[code],
                    total=v["total"],
                    personnel=v["personnel"],
                    running=v["running"],
                )
            )
        self.rows[TableKey.GENERAL_BASIC] = rows

    def build_three_public(self) -> None:
        floors = dict.fromkeys(
            ("abroad", "reception", "vehicle_purchase", "vehicle_operation", "meeting", "training"),
            ZERO,
        )
        for field, code in THREE_PUBLIC_SUBJECTS:
            floors[field] = self.basic_by_code.get(code, ZERO)
        per_unit = {unit.id: {} for unit in self.units}
        for field, floor in floors.items():
            amount = floor + cents(self.source, 20)
            for unit, share in zip(
                self.units, split(self.source, amount, len(self.units)), strict=True
            ):
                per_unit[unit.id][field] = share
        for values in per_unit.values():
            values["three_public_total"] = (
                values["abroad"]
                + values["reception"]
                + values["vehicle_purchase"]
                + values["vehicle_operation"]
            )
        fields = MONEY[TableKey.THREE_PUBLIC]
        self.rows[TableKey.THREE_PUBLIC] = self.unit_rows(ThreePublicRow, per_unit, fields)

    def build_office_running(self) -> None:
        chosen = sorted(self.source.sample(OFFICE_RUNNING_CODES, 1, 8))
        rows = []
        for position, code in enumerate(chosen, start=2):
            limit = self.basic_by_code.get(code, ZERO)
            basic = Decimal(self.source.integer(0, int(limit * 100))) / 100
            project = cents(self.source, 30)
            rows.append(
                OfficeRunningRow(
                    position=position,
                    code=code,
                    name=self.economic[code],
                    total=basic + project,
                    basic=basic,
                    project=project,
                )
            )
        total = OfficeRunningRow(position=1, code="", name="总计")
        total.basic = sum((r.basic for r in rows), ZERO)
        total.project = sum((r.project for r in rows), ZERO)
        total.total = total.basic + total.project
        self.rows[TableKey.OFFICE_RUNNING] = [total, *rows]

    # Projects and the department form -------------------------------------------------

    def build_projects(self) -> None:
        project_total = self.sum_of("project") + self.sum_of("fund") + self.sum_of("capital")
        count = self.n_projects or self.source.integer(1, 4)
        if project_total == ZERO:
            count = 0
        self.projects, self.project_indicators = [], {}
        for position, amount in enumerate(
            split(self.source, project_total, count) if count else [], start=1
        ):
            project = Project(
                position=position,
                unit=self.units[(position - 1) % len(self.units)],
                name=f"随机项目{position}",
                supervisor=f"{self.department} 001",
                category=Project.Category.OTHER,
                total=amount,
                current_appropriation=amount,
                goal=f"完成随机项目{position}的年度任务。",
            )
            self.projects.append(project)
            self.project_indicators[position] = [
                ProjectIndicator(
                    position=n, level1=l1, level2=l2, level3=f"{l2}三级", annual_target="≥90%"
                )
                for n, (l1, l2) in enumerate(
                    (
                        ("产出指标", "数量指标"),
                        ("效益指标", "社会效益指标"),
                        ("满意度指标", "服务对象满意度指标"),
                    ),
                    start=1,
                )
            ]

    def department_form(self) -> DepartmentPerformanceForm:
        basic_total = self.rows[TableKey.GENERAL_BASIC][0]
        project = self.rows[TableKey.DEPARTMENT_EXPENSE][0].project
        current = self.rows[TableKey.FISCAL_SUMMARY][0].amount
        return DepartmentPerformanceForm(
            goals="目标1：保障机构正常运转。",
            personnel=basic_total.personnel,
            running=basic_total.running,
            basic_total=basic_total.total,
            project=project,
            current_appropriation=current,
            income_total=current,
            expense_total=basic_total.total + project,
        )

    def build(self) -> Facts:
        self.draw_spending()
        self.build_function_tables()
        self.build_summary_tables()
        self.build_fiscal_by_unit()
        self.build_basic_by_economic_subject()
        self.build_three_public()
        self.build_office_running()
        self.build_projects()
        facts = Facts(
            disclosure=self.disclosure,
            department_name=self.department,
            units=self.units,
            rows=self.rows,
            department_form=self.department_form(),
            department_indicators=[
                DepartmentIndicator(
                    position=1,
                    level1="履职效果",
                    level2="部门工作任务",
                    level3="按时完成年度任务",
                    target="100%",
                )
            ],
            projects=self.projects,
            project_indicators=self.project_indicators,
            key_projects={},
            passages={section: f"{section.label}的说明。" for section in REQUIRED_PASSAGES},
            explanations={},
            prior_year={},
            reasons={},
            procurement=self.procurement(),
            assets=AssetHoldings(
                fixed_assets=cents(self.source, 500), vehicle_count=self.source.integer(0, 5)
            ),
            function_names=self.functions,
            economic_names=self.economic,
        )
        facts.explanations = {
            key: "未安排预算，本表为空表。" for key in MONEY if is_empty(facts, key)
        }
        for item, code in facts.compared_items():
            facts.prior_year[(item, code)] = cents(self.source, 1000)
            facts.reasons[(item, code)] = "业务量调整"
        return facts

    def procurement(self) -> ProcurementBudget:
        goods, works, services = (cents(self.source, 50) for _ in range(3))
        total = goods + works + services
        sme = Decimal(self.source.integer(0, int(total * 100))) / 100
        micro = Decimal(self.source.integer(0, int(sme * 100))) / 100
        return ProcurementBudget(
            total=total,
            goods=goods,
            works=works,
            services=services,
            sme_reserved=sme,
            micro_reserved=micro,
        )


def generated_facts(source: Source, **sizes: int) -> Facts:
    """A random, internally consistent disclosure as Facts (see the module docstring)."""
    return Builder(source, **sizes).build()


def amount_cells(facts: Facts) -> list[tuple[Any, str]]:
    """Every amount a statutory table, the department form or a project prints: (object, field)."""
    cells = []
    for key, rows in facts.rows.items():
        fields = MONEY.get(key, ("amount",))
        cells += [(row, field) for row in rows for field in fields]
    if facts.department_form is not None:
        cells += [
            (facts.department_form, field)
            for field in (
                "personnel", "running", "basic_total", "project", "current_appropriation",
                "carried_forward", "other_funds", "income_total", "expense_total",
            )
        ]  # fmt: skip
    for project in facts.projects:
        cells += [
            (project, field)
            for field in (
                "total",
                "current_appropriation",
                "special_account",
                "carried_forward",
                "other_funds",
            )
        ]
    return cells


def save_generated(facts: Facts) -> Disclosure:
    """Save a generated disclosure (and a department and region for it) to the database,
    e.g. to render it; callers normally do this inside a transaction they roll back."""
    from disclosures.models import (
        ChangeReason,
        Department,
        Passage,
        PriorYearFigure,
        Region,
        TableExplanation,
    )

    region, _ = Region.objects.get_or_create(code="000000", defaults={"name": "生成数据"})
    department = Department.objects.create(
        region=region, name=f"{facts.department_name}{Disclosure.objects.count() + 1}"
    )
    units = {}
    for unit in facts.units:
        units[unit.pk] = Unit.objects.create(
            department=department,
            name=unit.name,
            is_headquarters=unit.is_headquarters,
            position=unit.pk,
        )
    disclosure = facts.disclosure
    disclosure.pk = None
    disclosure.department = department
    disclosure.save()
    for key, rows in facts.rows.items():
        for row in rows:
            row.disclosure = disclosure
            if getattr(row, "unit_id", None):
                row.unit = units[row.unit_id]
        TABLE_MODELS[key].objects.bulk_create(rows)
    form = facts.department_form
    form.disclosure = disclosure
    form.save()
    for indicator in facts.department_indicators:
        indicator.form = form
    DepartmentIndicator.objects.bulk_create(facts.department_indicators)
    for project in facts.projects:
        indicators = facts.project_indicators.get(project.position, [])
        project.disclosure = disclosure
        project.unit = units[project.unit_id]
        project.save()
        for indicator in indicators:
            indicator.project = project
        ProjectIndicator.objects.bulk_create(indicators)
    Passage.objects.bulk_create(
        Passage(disclosure=disclosure, section=s, text=t) for s, t in facts.passages.items()
    )
    TableExplanation.objects.bulk_create(
        TableExplanation(disclosure=disclosure, table=k, text=t)
        for k, t in facts.explanations.items()
    )
    PriorYearFigure.objects.bulk_create(
        PriorYearFigure(disclosure=disclosure, item=i, subject_code=c, amount=a)
        for (i, c), a in facts.prior_year.items()
    )
    ChangeReason.objects.bulk_create(
        ChangeReason(disclosure=disclosure, item=i, subject_code=c, text=t)
        for (i, c), t in facts.reasons.items()
    )
    for one in (facts.procurement, facts.assets):
        one.disclosure = disclosure
        one.save()
    return disclosure
