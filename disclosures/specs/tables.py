"""The eleven statutory tables of seed 004 (附件1), one declarative spec each."""

from disclosures.models import SummaryItem, TableKey
from disclosures.models.tables import INCOME_ITEMS

from .base import Block as B
from .base import (
    Column,
    H,
    ListSource,
    RowSum,
    Shape,
    SummarySource,
    TableSpec,
    amount,
    sequence,
    text,
)

I = SummaryItem  # noqa: E741 — short alias keeps the block tables readable


def office_running_item(row, _n):
    """[30201]办公费, as table 9 prints an economic subject."""
    return f"[{row.code}]{row.name}" if row.code else row.name


# Items of tables 1, 2 and 4 -------------------------------------------------------------

CARRIED = (I.CARRIED_FORWARD, I.PRIOR_SURPLUS)
FISCAL_INCOME = (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL)
# How findings word the rule behind 本年收入（支出）合计 and 收入（支出）总计, per side.
CURRENT = ("各项收入之和", "各类支出之和")
GRAND = ("本年收入合计＋上年结转＋上年结余", "本年支出合计＋结转下年")


SPECS: dict[str, TableSpec] = {
    spec.key: spec
    for spec in (
        TableSpec(
            key=TableKey.DEPARTMENT_SUMMARY,
            title=TableKey.DEPARTMENT_SUMMARY.label,
            header=(
                (H("收 入", colspan=2), H("支 出", colspan=2)),
                (H("项目"), H("预算数"), H("项目"), H("预算数")),
            ),
            source=SummarySource(
                accessor="departmentsummaryrow_set",
                blocks=(
                    B(INCOME_ITEMS, (I.FUNCTION_CLASS,), "chinese", I.CURRENT_TOTAL),
                    B(
                        (I.CURRENT_TOTAL,),
                        (I.CURRENT_TOTAL,),
                        sums_into=I.GRAND_TOTAL,
                        rules=CURRENT,
                    ),
                    B(CARRIED, (I.CARRY_TO_NEXT,), "chinese", I.GRAND_TOTAL),
                    B((I.GRAND_TOTAL,), (I.GRAND_TOTAL,), rules=GRAND),
                ),
            ),
            numbered=False,
            note_on_top=True,
            shape=Shape.SUMMARY,
        ),
        TableSpec(
            key=TableKey.DEPARTMENT_INCOME,
            title=TableKey.DEPARTMENT_INCOME.label,
            header=((H("项目"), H("预算数")),),
            source=SummarySource(
                accessor="departmentincomerow_set",
                blocks=(
                    B(INCOME_ITEMS, (), "chinese", I.CURRENT_TOTAL),
                    B((I.CURRENT_TOTAL,), sums_into=I.GRAND_TOTAL, rules=CURRENT),
                    B(CARRIED, (), "chinese", I.GRAND_TOTAL),
                    B((I.GRAND_TOTAL,), rules=GRAND),
                ),
                two_sided=False,
            ),
            numbered=False,
            shape=Shape.SUMMARY,
        ),
        TableSpec(
            key=TableKey.DEPARTMENT_EXPENSE,
            title=TableKey.DEPARTMENT_EXPENSE.label,
            catalogue="function",
            row_sums=(RowSum("total", ("basic", "project", "carried_forward")),),
            header=(
                (H("功能分类科目"), H("支出合计"), H("基本支出"), H("项目支出"), H("上年结转")),
            ),
            source=ListSource(
                accessor="departmentexpenserow_set",
                columns=(
                    text("功能分类科目", "name", indent_by_level=True),
                    amount("支出合计", "total"),
                    amount("基本支出", "basic"),
                    amount("项目支出", "project"),
                    amount("上年结转", "carried_forward"),
                ),
            ),
        ),
        TableSpec(
            key=TableKey.FISCAL_SUMMARY,
            title=TableKey.FISCAL_SUMMARY.label,
            header=(
                (H("收 入", colspan=2), H("支 出", colspan=2)),
                (H("项目"), H("预算数"), H("项目"), H("合计")),
            ),
            source=SummarySource(
                accessor="fiscalsummaryrow_set",
                blocks=(
                    B(
                        (I.CURRENT_TOTAL,),
                        (I.CURRENT_TOTAL,),
                        "chinese",
                        I.GRAND_TOTAL,
                        rules=CURRENT,
                    ),
                    B(FISCAL_INCOME, (I.FUNCTION_CLASS,), "paren", I.CURRENT_TOTAL),
                    # Printed when there is carried money; not required when there is none.
                    B(CARRIED, (I.CARRY_TO_NEXT,), "chinese", I.GRAND_TOTAL, required=False),
                    B((I.GRAND_TOTAL,), (I.GRAND_TOTAL,), rules=GRAND),
                ),
            ),
            numbered=False,
            shape=Shape.SUMMARY,
        ),
        TableSpec(
            key=TableKey.FISCAL_BY_UNIT,
            title=TableKey.FISCAL_BY_UNIT.label,
            shape=Shape.UNITS,
            row_sums=(
                RowSum("total", ("general_total", "fund_total", "capital_total")),
                RowSum("general_total", ("general_basic", "general_project")),
                RowSum("fund_total", ("fund_basic", "fund_project")),
                RowSum("capital_total", ("capital_basic", "capital_project")),
            ),
            header=(
                (
                    H("单位名称", rowspan=2),
                    H("总计", rowspan=2),
                    H("一般公共预算支出", colspan=3),
                    H("政府性基金预算支出", colspan=3),
                    H("国有资本经营预算支出", colspan=3),
                ),
                (H("合计"), H("基本支出"), H("项目支出")) * 3,
            ),
            source=ListSource(
                accessor="fiscalbyunitrow_set",
                columns=(
                    text("单位名称", "label"),
                    amount("总计", "total"),
                    amount("一般公共预算支出 合计", "general_total"),
                    amount("一般公共预算支出 基本支出", "general_basic"),
                    amount("一般公共预算支出 项目支出", "general_project"),
                    amount("政府性基金预算支出 合计", "fund_total"),
                    amount("政府性基金预算支出 基本支出", "fund_basic"),
                    amount("政府性基金预算支出 项目支出", "fund_project"),
                    amount("国有资本经营预算支出 合计", "capital_total"),
                    amount("国有资本经营预算支出 基本支出", "capital_basic"),
                    amount("国有资本经营预算支出 项目支出", "capital_project"),
                ),
            ),
            landscape=True,
        ),
        TableSpec(
            key=TableKey.GENERAL_EXPENSE,
            title=TableKey.GENERAL_EXPENSE.label,
            catalogue="function",
            row_sums=(RowSum("total", ("basic", "project")),),
            header=(
                (H("功能分类科目", colspan=2), H("一般公共预算支出", colspan=3)),
                (H("科目编码"), H("科目名称"), H("合计"), H("基本支出"), H("项目支出")),
            ),
            source=ListSource(
                accessor="generalexpenserow_set",
                columns=(
                    text("科目编码", "code"),
                    text("科目名称", "name", indent_by_level=True),
                    amount("合计", "total"),
                    amount("基本支出", "basic"),
                    amount("项目支出", "project"),
                ),
            ),
        ),
        TableSpec(
            key=TableKey.GENERAL_BASIC,
            title=TableKey.GENERAL_BASIC.label,
            catalogue="economic",
            row_sums=(RowSum("total", ("personnel", "running")),),
            header=(
                (H("经济分类科目", colspan=2), H("一般公共预算基本支出", colspan=3)),
                (H("科目编码"), H("科目名称"), H("合计"), H("人员经费"), H("公用经费")),
            ),
            source=ListSource(
                accessor="generalbasicrow_set",
                columns=(
                    text("科目编码", "code"),
                    text("科目名称", "name", indent_by_level=True),
                    amount("合计", "total"),
                    amount("人员经费", "personnel"),
                    amount("公用经费", "running"),
                ),
            ),
        ),
        TableSpec(
            key=TableKey.THREE_PUBLIC,
            title=TableKey.THREE_PUBLIC.label,
            shape=Shape.UNITS,
            row_sums=(
                RowSum(
                    "three_public_total",
                    ("abroad", "reception", "vehicle_purchase", "vehicle_operation"),
                ),
            ),
            header=(
                (
                    H("单位名称", rowspan=3),
                    H("“三公”经费", colspan=5),
                    H("会议费", rowspan=3),
                    H("培训费", rowspan=3),
                ),
                (
                    H("合计", rowspan=2),
                    H("因公出国（境）费用", rowspan=2),
                    H("公务接待费", rowspan=2),
                    H("公务用车购置和运行费", colspan=2),
                ),
                (H("公务用车购置费"), H("公务用车运行费")),
            ),
            source=ListSource(
                accessor="threepublicrow_set",
                columns=(
                    text("单位名称", "label"),
                    amount("“三公”经费 合计", "three_public_total"),
                    amount("因公出国（境）费用", "abroad"),
                    amount("公务接待费", "reception"),
                    amount("公务用车购置费", "vehicle_purchase"),
                    amount("公务用车运行费", "vehicle_operation"),
                    amount("会议费", "meeting"),
                    amount("培训费", "training"),
                ),
            ),
            landscape=True,
        ),
        TableSpec(
            key=TableKey.OFFICE_RUNNING,
            title=TableKey.OFFICE_RUNNING.label,
            catalogue="economic",
            row_sums=(RowSum("total", ("basic", "project")),),
            header=((H("序号"), H("项目"), H("合计"), H("基本支出"), H("项目支出")),),
            source=ListSource(
                accessor="officerunningrow_set",
                columns=(
                    sequence("序号"),
                    Column("项目", office_running_item, attr="name"),
                    amount("合计", "total"),
                    amount("基本支出", "basic"),
                    amount("项目支出", "project"),
                ),
            ),
        ),
        TableSpec(
            key=TableKey.FUND_EXPENSE,
            title=TableKey.FUND_EXPENSE.label,
            catalogue="function",
            header=((H("项目"), H("预算数")),),
            source=ListSource(
                accessor="fundexpenserow_set",
                columns=(text("项目", "name", indent_by_level=True), amount("预算数", "amount")),
            ),
        ),
        TableSpec(
            key=TableKey.CAPITAL_EXPENSE,
            title=TableKey.CAPITAL_EXPENSE.label,
            catalogue="function",
            header=((H("项目"), H("预算数")),),
            source=ListSource(
                accessor="capitalexpenserow_set",
                columns=(text("项目", "name", indent_by_level=True), amount("预算数", "amount")),
            ),
        ),
    )
}
