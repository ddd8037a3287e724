from django.db import models
from django.utils.translation import gettext_lazy as _


class TableKey(models.TextChoices):
    """The statutory tables, by a stable key; the label is the printed title.

    A layout (specs/layouts.py) picks which of them a disclosure publishes and numbers them.
    """

    DEPARTMENT_SUMMARY = "department_summary", _("部门收支总体情况表")
    DEPARTMENT_INCOME = "department_income", _("部门收入总体情况表")
    DEPARTMENT_EXPENSE = "department_expense", _("部门支出总体情况表")
    FISCAL_SUMMARY = "fiscal_summary", _("财政拨款收支总体情况表")
    FISCAL_BY_UNIT = "fiscal_by_unit", _("财政拨款支出表")
    GENERAL_EXPENSE = "general_expense", _("一般公共预算支出情况表")
    GENERAL_BASIC = "general_basic", _("一般公共预算基本支出情况表")
    THREE_PUBLIC = "three_public", _("一般公共预算财政拨款“三公”经费、会议费、培训费支出情况表")
    OFFICE_RUNNING = "office_running", _("一般公共预算财政拨款机关运行经费表")
    FUND_EXPENSE = "fund_expense", _("政府性基金预算支出情况表")
    CAPITAL_EXPENSE = "capital_expense", _("国有资本经营预算支出情况表")
