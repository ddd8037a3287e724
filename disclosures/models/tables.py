"""One model per statutory table's rows, each row as the published table prints it.

Rows keep every printed figure, totals included, and the printed name of each subject
or unit, so a document is stored exactly as published and the checks can find where it
does not add up. Blank cells are zero. `position` is the row's place in its table.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosures import subjects

from .fields import MoneyField, non_negative
from .frozen import FrozenWhenPublished
from .reference import Unit


class TableRow(FrozenWhenPublished):
    disclosure = models.ForeignKey(
        "Disclosure", verbose_name=_("部门预算公开"), on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(_("行次"))

    class Meta:
        abstract = True
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "position"], name="%(app_label)s_%(class)s_unique_position"
            ),
        ]


# Tables 1, 2 and 4: fixed item lists ------------------------------------------------


class SummaryItem(models.TextChoices):
    """Items of the summary tables (1, 2, 4); a function 类 row also names its code."""

    GENERAL_BUDGET = "general_budget", _("一般公共预算财政拨款收入")
    GOVERNMENT_FUND = "government_fund", _("政府性基金预算财政拨款收入")
    STATE_CAPITAL = "state_capital", _("国有资本经营预算收入")
    EDUCATION_ACCOUNT = "education_account", _("教育专户核算")
    BUSINESS = "business", _("事业收入")
    SUPERIOR_SUBSIDY = "superior_subsidy", _("上级补助收入")
    SUBORDINATE_REMITTANCE = "subordinate_remittance", _("附属单位上缴收入")
    OPERATING = "operating", _("经营收入")
    OTHER = "other", _("其他收入")
    FUNCTION_CLASS = "function_class", _("支出功能分类（类）")
    CURRENT_TOTAL = "current_total", _("本年收入（支出）合计")
    CARRIED_FORWARD = "carried_forward", _("上年结转")
    PRIOR_SURPLUS = "prior_surplus", _("上年结余")
    CARRY_TO_NEXT = "carry_to_next", _("结转下年")
    GRAND_TOTAL = "grand_total", _("收入（支出）总计")


INCOME_ITEMS = (
    SummaryItem.GENERAL_BUDGET,
    SummaryItem.GOVERNMENT_FUND,
    SummaryItem.STATE_CAPITAL,
    SummaryItem.EDUCATION_ACCOUNT,
    SummaryItem.BUSINESS,
    SummaryItem.SUPERIOR_SUBSIDY,
    SummaryItem.SUBORDINATE_REMITTANCE,
    SummaryItem.OPERATING,
    SummaryItem.OTHER,
)


class Side(models.TextChoices):
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class SummaryRow(TableRow):
    item = models.CharField(_("项目类别"), max_length=30, choices=SummaryItem)
    subject_code = models.CharField(
        _("功能分类科目（类）"), max_length=3, blank=True, help_text=_("仅支出功能分类（类）行填列")
    )
    label = models.CharField(_("项目"), max_length=100, help_text=_("按公开表所印，不含序号"))
    amount = MoneyField(_("预算数（万元）"))

    class Meta(TableRow.Meta):
        abstract = True
        constraints = [
            *TableRow.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    Q(item=SummaryItem.FUNCTION_CLASS, subject_code__regex=subjects.CLASS_CODE_RE)
                    | (~Q(item=SummaryItem.FUNCTION_CLASS) & Q(subject_code=""))
                ),
                name="%(app_label)s_%(class)s_subject_code_only_for_classes",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The row's stable key: its item, with the 类 code of a function-class row."""
        return summary_key(getattr(self, "side", None), self.item, self.subject_code)


def summary_key(side: str | None, item: str, code: str = "") -> str:
    """expense:function_class:201, income:general_budget; one-sided tables omit the side."""
    return ":".join(part for part in (side, item, code) if part)


class TwoSidedSummaryRow(SummaryRow):
    """A row of a table printed as income (left) beside expense (right)."""

    side = models.CharField(_("收支"), max_length=10, choices=Side)

    class Meta(SummaryRow.Meta):
        abstract = True
        constraints = [
            *SummaryRow.Meta.constraints,
            models.UniqueConstraint(
                fields=["disclosure", "side", "item", "subject_code"],
                name="%(app_label)s_%(class)s_unique_item",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        side=Side.INCOME,
                        item__in=[*INCOME_ITEMS, "carried_forward", "prior_surplus"],
                    )
                    | Q(side=Side.EXPENSE, item__in=["function_class", "carry_to_next"])
                    | Q(item__in=["current_total", "grand_total"])
                ),
                name="%(app_label)s_%(class)s_item_on_its_side",
            ),
        ]


class DepartmentSummaryRow(TwoSidedSummaryRow):
    """部门收支总体情况表."""

    class Meta(TwoSidedSummaryRow.Meta):
        verbose_name = _("部门收支总体情况表 行")
        verbose_name_plural = _("部门收支总体情况表")


class DepartmentIncomeRow(SummaryRow):
    """部门收入总体情况表."""

    class Meta(SummaryRow.Meta):
        verbose_name = _("部门收入总体情况表 行")
        verbose_name_plural = _("部门收入总体情况表")
        constraints = [
            *SummaryRow.Meta.constraints,
            models.UniqueConstraint(
                fields=["disclosure", "item"], name="disclosures_departmentincomerow_unique_item"
            ),
        ]


class FiscalSummaryRow(TwoSidedSummaryRow):
    """财政拨款收支总体情况表."""

    class Meta(TwoSidedSummaryRow.Meta):
        verbose_name = _("财政拨款收支总体情况表 行")
        verbose_name_plural = _("财政拨款收支总体情况表")


# Tables 3, 6, 10, 11 (function subjects) and 7, 9 (economic subjects) ---------------


class SubjectRow(TableRow):
    """A row for a classification subject; the row with a blank code is the 总计 row."""

    code = models.CharField(_("科目编码"), max_length=7, blank=True, help_text=_("空白为总计行"))
    name = models.CharField(_("科目名称"), max_length=100, help_text=_("按公开表所印"))

    class Meta(TableRow.Meta):
        abstract = True
        constraints = [
            *TableRow.Meta.constraints,
            # One row per subject, and one 总计 row (the blank code).
            models.UniqueConstraint(
                fields=["disclosure", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_total(self) -> bool:
        return not self.code

    @property
    def key(self) -> str:
        """The row's stable key: its subject code; total for the 总计 row."""
        return self.code or "total"

    @property
    def level(self) -> int:
        """0 for 总计, then 1 类, 2 款, 3 项."""
        return subjects.level(self.code) if self.code else 0


class FunctionSubjectRow(SubjectRow):
    class Meta(SubjectRow.Meta):
        abstract = True
        constraints = [
            *SubjectRow.Meta.constraints,
            models.CheckConstraint(
                condition=Q(code="") | Q(code__regex=subjects.FUNCTION_CODE_RE),
                name="%(app_label)s_%(class)s_function_code_format",
            ),
        ]


class EconomicSubjectRow(SubjectRow):
    class Meta(SubjectRow.Meta):
        abstract = True
        constraints = [
            *SubjectRow.Meta.constraints,
            models.CheckConstraint(
                condition=Q(code="") | Q(code__regex=subjects.ECONOMIC_CODE_RE),
                name="%(app_label)s_%(class)s_economic_code_format",
            ),
        ]


class DepartmentExpenseRow(FunctionSubjectRow):
    """部门支出总体情况表."""

    total = MoneyField(_("支出合计"))
    basic = MoneyField(_("基本支出"))
    project = MoneyField(_("项目支出"))
    carried_forward = MoneyField(_("上年结转"))

    class Meta(FunctionSubjectRow.Meta):
        verbose_name = _("部门支出总体情况表 行")
        verbose_name_plural = _("部门支出总体情况表")
        constraints = [
            *FunctionSubjectRow.Meta.constraints,
            non_negative(
                "departmentexpenserow_non_negative", "total", "basic", "project", "carried_forward"
            ),
        ]


class GeneralExpenseRow(FunctionSubjectRow):
    """一般公共预算支出情况表."""

    total = MoneyField(_("合计"))
    basic = MoneyField(_("基本支出"))
    project = MoneyField(_("项目支出"))

    class Meta(FunctionSubjectRow.Meta):
        verbose_name = _("一般公共预算支出情况表 行")
        verbose_name_plural = _("一般公共预算支出情况表")
        constraints = [
            *FunctionSubjectRow.Meta.constraints,
            non_negative("generalexpenserow_non_negative", "total", "basic", "project"),
        ]


class GeneralBasicRow(EconomicSubjectRow):
    """一般公共预算基本支出情况表."""

    total = MoneyField(_("合计"))
    personnel = MoneyField(_("人员经费"))
    running = MoneyField(_("公用经费"))

    class Meta(EconomicSubjectRow.Meta):
        verbose_name = _("一般公共预算基本支出情况表 行")
        verbose_name_plural = _("一般公共预算基本支出情况表")
        constraints = [
            *EconomicSubjectRow.Meta.constraints,
            non_negative("generalbasicrow_non_negative", "total", "personnel", "running"),
        ]


class OfficeRunningRow(EconomicSubjectRow):
    """一般公共预算财政拨款机关运行经费表."""

    total = MoneyField(_("合计"))
    basic = MoneyField(_("基本支出"))
    project = MoneyField(_("项目支出"))

    class Meta(EconomicSubjectRow.Meta):
        verbose_name = _("机关运行经费表 行")
        verbose_name_plural = _("一般公共预算财政拨款机关运行经费表")
        constraints = [
            *EconomicSubjectRow.Meta.constraints,
            non_negative("officerunningrow_non_negative", "total", "basic", "project"),
        ]


class FundExpenseRow(FunctionSubjectRow):
    """政府性基金预算支出情况表."""

    amount = MoneyField(_("预算数"))

    class Meta(FunctionSubjectRow.Meta):
        verbose_name = _("政府性基金预算支出情况表 行")
        verbose_name_plural = _("政府性基金预算支出情况表")
        constraints = [
            *FunctionSubjectRow.Meta.constraints,
            non_negative("fundexpenserow_non_negative", "amount"),
        ]


class CapitalExpenseRow(FunctionSubjectRow):
    """国有资本经营预算支出情况表."""

    amount = MoneyField(_("预算数"))

    class Meta(FunctionSubjectRow.Meta):
        verbose_name = _("国有资本经营预算支出情况表 行")
        verbose_name_plural = _("国有资本经营预算支出情况表")
        constraints = [
            *FunctionSubjectRow.Meta.constraints,
            non_negative("capitalexpenserow_non_negative", "amount"),
        ]


# Tables 5 and 8: one row per unit, under the department's subtotal -------------------


class UnitRow(TableRow):
    """总计, then the department (a subtotal of its units), then each unit."""

    class Kind(models.TextChoices):
        TOTAL = "total", _("总计")
        DEPARTMENT = "department", _("部门小计")
        UNIT = "unit", _("单位")

    kind = models.CharField(_("行类别"), max_length=10, choices=Kind)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("仅单位行填列"),
    )
    label = models.CharField(_("单位名称"), max_length=200, help_text=_("按公开表所印"))

    class Meta(TableRow.Meta):
        abstract = True
        constraints = [
            *TableRow.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind="unit", unit__isnull=False)
                | (~Q(kind="unit") & Q(unit__isnull=True)),
                name="%(app_label)s_%(class)s_unit_only_on_unit_rows",
            ),
            models.UniqueConstraint(
                fields=["disclosure", "unit"], name="%(app_label)s_%(class)s_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["disclosure", "kind"],
                condition=~Q(kind="unit"),
                name="%(app_label)s_%(class)s_one_total_and_subtotal",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_total(self) -> bool:
        return self.kind == self.Kind.TOTAL

    @property
    def key(self) -> str:
        """The row's stable key: total, department, or unit:<the unit's id>."""
        return f"unit:{self.unit_id}" if self.kind == self.Kind.UNIT else str(self.kind)

    @property
    def row_kind(self) -> str:
        """How renderers set the row apart: the department row is a subtotal."""
        return {"total": "total", "department": "subtotal"}.get(self.kind, "item")


class FiscalByUnitRow(UnitRow):
    """财政拨款支出表."""

    total = MoneyField(_("总计"))
    general_total = MoneyField(_("一般公共预算支出 合计"))
    general_basic = MoneyField(_("一般公共预算支出 基本支出"))
    general_project = MoneyField(_("一般公共预算支出 项目支出"))
    fund_total = MoneyField(_("政府性基金预算支出 合计"))
    fund_basic = MoneyField(_("政府性基金预算支出 基本支出"))
    fund_project = MoneyField(_("政府性基金预算支出 项目支出"))
    capital_total = MoneyField(_("国有资本经营预算支出 合计"))
    capital_basic = MoneyField(_("国有资本经营预算支出 基本支出"))
    capital_project = MoneyField(_("国有资本经营预算支出 项目支出"))

    class Meta(UnitRow.Meta):
        verbose_name = _("财政拨款支出表 行")
        verbose_name_plural = _("财政拨款支出表")
        constraints = [
            *UnitRow.Meta.constraints,
            non_negative(
                "fiscalbyunitrow_non_negative",
                "total",
                "general_total",
                "general_basic",
                "general_project",
                "fund_total",
                "fund_basic",
                "fund_project",
                "capital_total",
                "capital_basic",
                "capital_project",
            ),
        ]


class ThreePublicRow(UnitRow):
    """一般公共预算财政拨款“三公”经费、会议费、培训费支出情况表."""

    three_public_total = MoneyField(_("“三公”经费 合计"))
    abroad = MoneyField(_("因公出国（境）费用"))
    reception = MoneyField(_("公务接待费"))
    vehicle_purchase = MoneyField(_("公务用车购置费"))
    vehicle_operation = MoneyField(_("公务用车运行费"))
    meeting = MoneyField(_("会议费"))
    training = MoneyField(_("培训费"))

    class Meta(UnitRow.Meta):
        verbose_name = _("“三公”经费、会议费、培训费 行")
        verbose_name_plural = _("一般公共预算财政拨款“三公”经费、会议费、培训费支出情况表")
        constraints = [
            *UnitRow.Meta.constraints,
            non_negative(
                "threepublicrow_non_negative",
                "three_public_total",
                "abroad",
                "reception",
                "vehicle_purchase",
                "vehicle_operation",
                "meeting",
                "training",
            ),
        ]


# Which model holds each table's rows.
TABLE_MODELS = {
    "department_summary": DepartmentSummaryRow,
    "department_income": DepartmentIncomeRow,
    "department_expense": DepartmentExpenseRow,
    "fiscal_summary": FiscalSummaryRow,
    "fiscal_by_unit": FiscalByUnitRow,
    "general_expense": GeneralExpenseRow,
    "general_basic": GeneralBasicRow,
    "three_public": ThreePublicRow,
    "office_running": OfficeRunningRow,
    "fund_expense": FundExpenseRow,
    "capital_expense": CapitalExpenseRow,
}


def money_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The amount columns of a row model, in printed order."""
    return tuple(field.name for field in model._meta.fields if isinstance(field, MoneyField))
