"""Which statutory tables a disclosure publishes, in printed order, per layout.

A province that publishes nine tables, or combines 三公 and 机关运行经费 in one, is a new
entry here (and perhaps a new spec built from the same rows), not new models.
"""

from disclosures.models import Layout, TableKey

LAYOUTS: dict[str, tuple[str, ...]] = {
    # 甘肃省: seed 004's 附件1, 表一 to 表十一.
    Layout.GANSU: (
        TableKey.DEPARTMENT_SUMMARY,
        TableKey.DEPARTMENT_INCOME,
        TableKey.DEPARTMENT_EXPENSE,
        TableKey.FISCAL_SUMMARY,
        TableKey.FISCAL_BY_UNIT,
        TableKey.GENERAL_EXPENSE,
        TableKey.GENERAL_BASIC,
        TableKey.THREE_PUBLIC,
        TableKey.OFFICE_RUNNING,
        TableKey.FUND_EXPENSE,
        TableKey.CAPITAL_EXPENSE,
    ),
    # Seed 000 publishes only the project performance-target list.
    Layout.PERFORMANCE_ONLY: (),
}


# Layouts whose disclosures publish the explanatory text (情况说明) and the department-wide
# performance form, as Gansu's does; the checks on those apply only to them.
WITH_NARRATIVE: frozenset[str] = frozenset({Layout.GANSU})
