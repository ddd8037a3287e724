"""Reference data: regions, departments with their units, classification catalogues."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from disclosures import subjects


def region_prefix(code: str) -> str:
    """What every region below this one starts with: 620000 → 62, 622900 → 6229, 622925 →
    622925 (a 6-digit code pairs province, city and county; longer codes extend it)."""
    if len(code) == 6:
        return code[:2] if code[2:] == "0000" else code[:4] if code[4:] == "00" else code
    return code


def misplaced(code: str, parent_code: str) -> str | None:
    """Why a region cannot sit under this parent by its code, or None."""
    prefix = region_prefix(parent_code)
    if code != parent_code and code.startswith(prefix):
        return None
    return _("区划 %(code)s 不能在 %(parent)s 之下：下级区划的代码应以 %(prefix)s 开头。") % {
        "code": code,
        "parent": parent_code,
        "prefix": prefix,
    }


class RegionManager(models.Manager["Region"]):
    def get_by_natural_key(self, code: str) -> "Region":
        return self.get(code=code)


class Region(models.Model):
    """An administrative region (省, 市, 县/区), by its administrative-division code."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核、公开和管理人员"),
        blank=True,
        related_name="assigned_regions",
        help_text=_("审核人、公开管理员和财政局管理员负责本区划及其下级区划"),
    )

    objects = RegionManager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        permissions = [
            ("manage_roster", _("管理本区划及下级区划的部门、单位、账号、批复日期和科目目录")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3}){0,2}$"),
                name="region_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("disclosures:region", args=[self.code])

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        if self.parent is not None and (problem := misplaced(self.code, self.parent.code)):
            raise ValidationError({"code": problem})
        region, seen = self.parent, {self.code}
        while region is not None:
            if region.code in seen:
                raise ValidationError({"parent": _("上级区划不能是本区划或其下级区划。")})
            seen.add(region.code)
            region = region.parent

    @cached_property
    def full_name(self) -> str:
        """甘肃省临夏回族自治州临夏市: the names from the province down."""
        names, region = [], self
        while region is not None:
            names.insert(0, region.name)
            region = region.parent
        return "".join(names)


class DepartmentManager(models.Manager["Department"]):
    def get_by_natural_key(self, region_code: str, name: str) -> "Department":
        return self.get(region__code=region_code, name=name)


class Department(models.Model):
    """A budget department (预算部门, 主管部门): the body that publishes a disclosure."""

    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("部门名称"), max_length=200)
    code = models.CharField(
        _("部门代码"), max_length=30, blank=True, help_text=_("主管部门代码，如预算系统所编")
    )
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("财务人员"),
        blank=True,
        related_name="assigned_departments",
        help_text=_("可录入、修改本部门预算公开的财务人员"),
    )

    objects = DepartmentManager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_department_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("disclosures:department", args=[self.pk])

    def natural_key(self) -> tuple[str, str]:
        return (*self.region.natural_key(), self.name)

    natural_key.dependencies = ["disclosures.region"]


class UnitManager(models.Manager["Unit"]):
    def get_by_natural_key(self, region_code: str, department_name: str, name: str) -> "Unit":
        return self.get(
            department__region__code=region_code, department__name=department_name, name=name
        )


class Unit(models.Model):
    """A budget unit (预算单位) of a department; units may have units of their own.

    The department's own office is a unit too (本级), often with the department's name.
    Tables 5 and 8 show the department as a subtotal above its units.
    """

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("空白表示部门直属单位"),
    )
    name = models.CharField(_("单位名称"), max_length=200)
    code = models.CharField(_("单位代码"), max_length=30, blank=True)
    is_headquarters = models.BooleanField(_("部门本级"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = UnitManager()

    class Meta:
        verbose_name = _("预算单位")
        verbose_name_plural = _("预算单位")
        ordering = ["department", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="unique_unit_per_department"
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(is_headquarters=True),
                name="one_headquarters_per_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.department_id != self.department_id:
            raise ValidationError(
                {"parent": _("上级单位“%(name)s”不属于本部门。") % {"name": self.parent.name}}
            )

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.department.natural_key(), self.name)

    natural_key.dependencies = ["disclosures.department"]


class CatalogueKind(models.TextChoices):
    """The classification catalogues a disclosure's tables use."""

    FUNCTION = "function", _("支出功能分类科目")
    ECONOMIC = "economic", _("部门预算支出经济分类科目")


class CatalogueYear(models.Model):
    """One year's catalogue of one kind, as the bureau holds it: whether it is complete.

    While a catalogue is incomplete, a code outside it is a warning (the clerk asks the
    bureau to add it); once the bureau marks it complete, an unknown code is an error.
    The entries are FunctionSubject / EconomicSubject rows of that year.
    """

    kind = models.CharField(_("目录"), max_length=10, choices=CatalogueKind)
    year = models.PositiveSmallIntegerField(_("年度"))
    complete = models.BooleanField(
        _("目录完整"),
        default=False,
        help_text=_("勾选后，不在目录中的科目编码即为错误；未勾选时只提示警告"),
    )
    source = models.TextField(_("来源说明"), blank=True, help_text=_("目录依据的文件及核对情况"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("科目目录")
        verbose_name_plural = _("科目目录")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="unique_catalogue_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="catalogue_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}"

    def entries(self):
        model = EconomicSubject if self.kind == CatalogueKind.ECONOMIC else FunctionSubject
        return model.objects.filter(year=self.year)


class SubjectManager(models.Manager):
    def get_by_natural_key(self, year: int, code: str):
        return self.get(year=year, code=code)

    def names(self, year: int) -> dict[str, str]:
        """Official names of one year's catalogue, by code."""
        return dict(self.filter(year=year).values_list("code", "name"))


class Subject(models.Model):
    """One entry of a year's classification catalogue, with its official name."""

    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("科目编码"), max_length=7)
    name = models.CharField(_("科目名称"), max_length=100)

    objects = SubjectManager()

    class Meta:
        abstract = True
        ordering = ["year", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[int, str]:
        return (self.year, self.code)

    @property
    def level(self) -> int:
        return subjects.level(self.code)

    @property
    def parent_code(self) -> str | None:
        return subjects.parent_code(self.code)


class Budget(models.TextChoices):
    """Which of the budgets (预算) a function subject belongs to."""

    GENERAL = "general", _("一般公共预算")
    FUND = "fund", _("政府性基金预算")
    CAPITAL = "capital", _("国有资本经营预算")


class FunctionSubject(Subject):
    """支出功能分类科目: 类 (3 digits), 款 (5), 项 (7)."""

    budget = models.CharField(_("所属预算"), max_length=10, choices=Budget, default=Budget.GENERAL)
    basic = models.BooleanField(
        _("基本支出科目"),
        default=False,
        help_text=_("如“行政运行”：只列基本支出，列项目支出即为错误"),
    )

    class Meta(Subject.Meta):
        verbose_name = _("支出功能分类科目")
        verbose_name_plural = _("支出功能分类科目")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="unique_function_subject"),
            models.CheckConstraint(
                condition=Q(code__regex=subjects.FUNCTION_CODE_RE),
                name="function_subject_code_format",
            ),
        ]


class EconomicSubject(Subject):
    """部门预算支出经济分类科目: 类 (3 digits), 款 (5)."""

    class Meta(Subject.Meta):
        verbose_name = _("部门预算支出经济分类科目")
        verbose_name_plural = _("部门预算支出经济分类科目")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="unique_economic_subject"),
            models.CheckConstraint(
                condition=Q(code__regex=subjects.ECONOMIC_CODE_RE),
                name="economic_subject_code_format",
            ),
        ]
