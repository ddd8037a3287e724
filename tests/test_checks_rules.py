"""Each registered check, on its own: a consistent generated disclosure with one thing
broken that this check, and not only some other, is there to catch.

A new check without a scenario here fails test_every_check_has_a_scenario.
"""

from decimal import Decimal

import pytest

from disclosures.checks import REGISTRY, run_checks
from disclosures.facts import Facts
from disclosures.fixtures.generate import RandomSource, generated_facts
from disclosures.models import TableKey
from disclosures.subjects import Catalogue

T = TableKey
ONE = Decimal("1")


def facts_where(predicate, **sizes) -> Facts:
    """The first generated disclosure (by seed) that the scenario can work on."""
    for seed in range(500):
        facts = generated_facts(RandomSource(seed), **sizes)
        if predicate(facts):
            return facts
    raise AssertionError("no generated disclosure fits the scenario")


def leaf(facts: Facts, key: str):
    return next(r for r in facts.subjects(key) if len(r.code) == 7)


def row_sum(facts):
    facts.subjects(T.GENERAL_EXPENSE)[0].total += ONE


def column_sum(facts):
    row = leaf(facts, T.GENERAL_EXPENSE)
    row.total += ONE
    row.basic += ONE  # the row still adds up; its 款 and 类 no longer do


def summary_totals(facts):
    next(r for r in facts.table(T.DEPARTMENT_SUMMARY) if r.item == "business").amount += ONE


def cross_table(facts):
    # 表二 moved as a whole: it adds up, but no longer agrees with 表一.
    for row in facts.table(T.DEPARTMENT_INCOME):
        if row.item in ("general_budget", "current_total", "grand_total"):
            row.amount += ONE


def unit_hierarchy(facts):
    total, department, *units = facts.table(T.FISCAL_BY_UNIT)
    facts.rows[T.FISCAL_BY_UNIT] = [total, *units, department]


def basic_coverage(facts):
    t7 = facts.by_code(T.GENERAL_BASIC)
    row = facts.subjects(T.OFFICE_RUNNING)[0]
    limit = t7[row.code].total if row.code in t7 else Decimal("0")
    raise_by = limit - row.basic + ONE
    for target in (row, facts.total_row(T.OFFICE_RUNNING)):
        target.basic += raise_by
        target.total += raise_by


def department_form(facts):
    facts.department_form.basic_total += ONE


def project_amounts(facts):
    project = facts.projects[0]
    project.total += ONE
    project.current_appropriation += ONE


def project_forms(facts):
    facts.projects.clear()


def money_unit(facts):
    facts.projects[0].figures_unit = "yuan"


def form_fields(facts):
    facts.projects[0].supervisor = ""


def indicators(facts):
    facts.project_indicators[1] = facts.project_indicators[1][:1]


def indicator_blank(facts):
    facts.project_indicators[1][0].annual_target = " "


def catalogue(facts):
    facts.subjects(T.GENERAL_EXPENSE)[0].name = "印错的科目名称"


def fixed_items(facts):
    rows = facts.table(T.DEPARTMENT_SUMMARY)
    zero_class = next(r for r in rows if r.item == "function_class" and not r.amount)
    rows.remove(zero_class)


def placeholder(facts):
    facts.projects[0].goal = "待补充"


def empty_table(facts):
    facts.explanations.popitem()


def passages(facts):
    facts.passages.pop("duties")


def change_reason(facts):
    facts.reasons[("basic", "")] = "无"
    facts.prior_year[("basic", "")] = facts.current("basic") + ONE


def prior_year(facts):
    facts.prior_year.pop(("basic", ""))


def procurement(facts):
    facts.procurement.micro_reserved = facts.procurement.sme_reserved + ONE


def function_catalogue(facts, **flags) -> Catalogue:
    year = facts.disclosure.fiscal_year
    catalogue = Catalogue("function", year, dict(facts.function_names), **flags)
    facts.catalogues["function"] = catalogue
    return catalogue


def catalogue_incomplete(facts):
    function_catalogue(facts, complete=False)
    leaf(facts, T.GENERAL_EXPENSE).code = "2999999"  # well formed, not in the catalogue


def budget_of_subject(facts):
    function_catalogue(facts, budgets={leaf(facts, T.GENERAL_EXPENSE).code: "fund"})


def project_on_basic(facts):
    row = next(r for r in facts.subjects(T.GENERAL_EXPENSE) if len(r.code) == 7 and r.project)
    function_catalogue(facts, basic=frozenset({row.code}))


def has_project_leaf(facts):
    return any(len(r.code) == 7 and r.project for r in facts.subjects(T.GENERAL_EXPENSE))


def has_projects(facts):
    return len(facts.projects) >= 1 and len(facts.project_indicators[1]) == 3


SCENARIOS = {
    "ROW_SUM": (row_sum, lambda f: True),
    "COLUMN_SUM": (column_sum, lambda f: True),
    "SUMMARY_TOTALS": (summary_totals, lambda f: True),
    "CROSS_TABLE": (cross_table, lambda f: True),
    "UNIT_HIERARCHY": (unit_hierarchy, lambda f: True),
    "BASIC_COVERAGE": (basic_coverage, lambda f: True),
    "DEPARTMENT_FORM": (department_form, lambda f: True),
    "PROJECT_AMOUNTS": (project_amounts, has_projects),
    "PROJECT_FORMS": (project_forms, has_projects),
    "MONEY_UNIT": (money_unit, has_projects),
    "FORM_FIELDS": (form_fields, has_projects),
    "INDICATORS": (indicators, has_projects),
    "INDICATOR_BLANK": (indicator_blank, has_projects),
    "CATALOGUE": (catalogue, lambda f: True),
    "CATALOGUE_INCOMPLETE": (catalogue_incomplete, lambda f: True),
    "BUDGET_OF_SUBJECT": (budget_of_subject, lambda f: True),
    "PROJECT_ON_BASIC": (project_on_basic, has_project_leaf),
    "FIXED_ITEMS": (fixed_items, lambda f: True),
    "PLACEHOLDER": (placeholder, has_projects),
    "EMPTY_TABLE": (empty_table, lambda f: bool(f.explanations)),
    "PASSAGES": (passages, lambda f: True),
    "CHANGE_REASON": (change_reason, lambda f: True),
    "PRIOR_YEAR": (prior_year, lambda f: True),
    "PROCUREMENT": (procurement, lambda f: True),
}


def test_every_check_has_a_scenario():
    assert set(SCENARIOS) == set(REGISTRY)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_each_check_catches_its_own_case(code):
    breaks, fits = SCENARIOS[code]
    facts = facts_where(fits)
    assert run_checks(facts) == []
    breaks(facts)
    findings = [f for f in run_checks(facts) if f.code == code]
    assert findings, f"{code} found nothing"
    assert all(f.severity == REGISTRY[code].severity for f in findings)
    assert all(f.message and f.table and f.location for f in findings)


def test_rounding_slack_only_where_rounding_can_differ():
    facts = facts_where(
        lambda f: sum(1 for r in f.subjects(T.GENERAL_EXPENSE) if len(r.code) == 3) >= 2
    )
    facts.disclosure.amounts_rounded = True
    total = facts.total_row(T.GENERAL_EXPENSE)
    classes = [r for r in facts.subjects(T.GENERAL_EXPENSE) if len(r.code) == 3 and r.total]
    slack = Decimal("0.005") * (len(classes) + 1)
    # A difference of whole cents within the rounding of k parts and their total: no finding.
    total.total += Decimal("0.01")
    total.basic += Decimal("0.01")
    column = [f for f in run_checks(facts) if f.code == "COLUMN_SUM" and "“合计”列" in f.location]
    assert column == []
    # Beyond it: a finding that states the tolerance used.
    beyond = (slack // Decimal("0.01") + 1) * Decimal("0.01") - Decimal("0.01")
    total.total += beyond
    total.basic += beyond
    (finding,) = [
        f for f in run_checks(facts) if f.code == "COLUMN_SUM" and "“合计”列" in f.location
    ]
    assert f"允许误差 ±{slack.normalize():f} 万元" in finding.message
    # The same figure printed in two tables gets no slack: 表七's 总计 against 表六's 基本支出.
    facts = facts_where(lambda f: True)
    facts.disclosure.amounts_rounded = True
    facts.total_row(T.GENERAL_BASIC).total += Decimal("0.01")
    assert any(f.code == "CROSS_TABLE" for f in run_checks(facts))
