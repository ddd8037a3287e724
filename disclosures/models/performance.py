"""Performance targets (绩效目标): the department-wide form and the project forms."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .fields import MoneyField, non_negative
from .frozen import FrozenWhenPublished
from .reference import Unit


class DepartmentPerformanceForm(FrozenWhenPublished):
    """部门整体支出绩效目标表: overall goals, a budget block and indicators.

    The budget block keeps the figures as the form prints them, 合计 included; the
    checks compare them with the tables.
    """

    disclosure = models.OneToOneField(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="department_form",
    )
    goals = models.TextField(_("总体目标"), help_text=_("每行一个目标，按表所印"))
    personnel = MoneyField(_("基本支出 人员经费"))
    running = MoneyField(_("基本支出 公用经费"))
    basic_total = MoneyField(_("基本支出 合计"))
    project = MoneyField(_("项目支出"))
    current_appropriation = MoneyField(_("当年财政拨款"))
    carried_forward = MoneyField(_("上年结转资金"))
    other_funds = MoneyField(_("其他资金"))
    income_total = MoneyField(_("收入预算合计"))
    expense_total = MoneyField(_("支出预算合计"))

    class Meta:
        verbose_name = _("部门整体支出绩效目标表")
        verbose_name_plural = _("部门整体支出绩效目标表")
        constraints = [
            non_negative(
                "department_form_non_negative",
                "personnel",
                "running",
                "basic_total",
                "project",
                "current_appropriation",
                "carried_forward",
                "other_funds",
                "income_total",
                "expense_total",
            ),
        ]

    def __str__(self) -> str:
        return str(_("部门整体支出绩效目标表"))

    @property
    def goal_lines(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class Indicator(FrozenWhenPublished):
    """A performance indicator: 一级, 二级, 三级 and its target value(s).

    Codes (1-产出指标；11-数量指标) are kept where the source prints them.
    """

    position = models.PositiveSmallIntegerField(_("序号"))
    level1 = models.CharField(_("一级指标"), max_length=50)
    level1_code = models.CharField(_("一级指标编码"), max_length=10, blank=True)
    level2 = models.CharField(_("二级指标"), max_length=100)
    level2_code = models.CharField(_("二级指标编码"), max_length=10, blank=True)
    level3 = models.CharField(_("三级指标"), max_length=500)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.level3


class DepartmentIndicator(Indicator):
    disclosure_lookup = "form__disclosure"

    form = models.ForeignKey(
        DepartmentPerformanceForm,
        verbose_name=_("部门整体支出绩效目标表"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    target = models.CharField(_("指标值"), max_length=500, blank=True)

    class Meta(Indicator.Meta):
        verbose_name = _("部门整体绩效指标")
        verbose_name_plural = _("部门整体绩效指标")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "position"], name="unique_department_indicator_position"
            ),
        ]


class Project(FrozenWhenPublished):
    """A project (项目支出) with its money by source, its goal and its indicators."""

    class Category(models.TextChoices):
        OPERATION = "operation", _("保障运转经费")
        DEVELOPMENT = "development", _("经济社会发展项目")
        OTHER = "other", _("其他项目")

    class FiguresUnit(models.TextChoices):
        WAN = "wan", _("万元")
        YUAN = "yuan", _("元")

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("实施单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("资金使用单位"),
    )
    name = models.CharField(_("项目名称"), max_length=300)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category, blank=True)
    supervisor = models.CharField(
        _("主管部门及代码"), max_length=200, blank=True, help_text=_("按绩效目标表所印")
    )
    total = MoneyField(_("年度资金总额（万元）"), help_text=_("总计"))
    current_appropriation = MoneyField(_("当年财政拨款（万元）"), help_text=_("财政拨款"))
    special_account = MoneyField(_("财政专户拨款（万元）"))
    carried_forward = MoneyField(_("上年结转资金（万元）"))
    other_funds = MoneyField(_("其他资金（万元）"))
    figures_unit = models.CharField(
        _("表内金额填列单位"),
        max_length=4,
        choices=FiguresUnit,
        default=FiguresUnit.WAN,
        help_text=_("项目支出绩效目标表中金额实际所用的单位；表头为万元"),
    )
    goal = models.TextField(_("绩效目标"), help_text=_("总体目标；段落之间换行"))

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "position"], name="unique_project_position"
            ),
            models.UniqueConstraint(fields=["disclosure", "name"], name="unique_project_name"),
            non_negative(
                "project_non_negative",
                "total",
                "current_appropriation",
                "special_account",
                "carried_forward",
                "other_funds",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectIndicator(Indicator):
    disclosure_lookup = "project__disclosure"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="indicators"
    )
    period_target = models.CharField(_("实施周期指标值"), max_length=500, blank=True)
    annual_target = models.CharField(_("年度指标值"), max_length=500, blank=True)

    class Meta(Indicator.Meta):
        verbose_name = _("项目绩效指标")
        verbose_name_plural = _("项目绩效指标")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="unique_project_indicator_position"
            ),
        ]


class KeyProject(FrozenWhenPublished):
    """重点项目情况: the description a key project publishes beside its form."""

    disclosure_lookup = "project__disclosure"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="key_description"
    )
    overview = models.TextField(_("项目概况"))
    basis = models.TextField(_("立项依据"))
    implementer = models.CharField(_("实施主体"), max_length=200)
    start_date = models.DateField(_("实施周期起"))
    end_date = models.DateField(_("实施周期止"))
    plan = models.TextField(_("实施计划"))
    expected_goal = models.TextField(_("预期总体目标"))

    class Meta:
        verbose_name = _("重点项目情况")
        verbose_name_plural = _("重点项目情况")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="key_project_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.project.name
