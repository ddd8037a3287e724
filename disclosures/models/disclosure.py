"""A disclosure (部门预算公开) and what its clerks write or state beside the tables."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from disclosures import subjects

from .audit import HistoricalAudit
from .fields import MoneyField, non_negative
from .frozen import FrozenWhenPublished, PublishedRevisionError, WorkflowFieldError
from .reference import Department
from .table_keys import TableKey


class Layout(models.TextChoices):
    """Which statutory tables a disclosure publishes, and in which order (specs/layouts.py)."""

    GANSU = "gansu-11", _("甘肃省部门预算公开表（十一张表）")
    PERFORMANCE_ONLY = "performance-only", _("仅项目支出绩效目标表")


# A budget is published within 20 days of its approval (批复), DESIGN §2.
PUBLICATION_DEADLINE = datetime.timedelta(days=20)
PUBLISHED_LATE = Q(published_at__date__gt=models.F("approved_on") + PUBLICATION_DEADLINE)


def approval_date():
    """批复日期 of the disclosure's department and year (BudgetApproval), for annotate()."""
    from .approval import BudgetApproval

    return models.Subquery(
        BudgetApproval.objects.filter(
            department=models.OuterRef("department"),
            fiscal_year=models.OuterRef("fiscal_year"),
            kind=models.OuterRef("kind"),
        ).values("approved_on")[:1]
    )


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def published(self) -> "DisclosureQuerySet":
        return self.filter(status=Disclosure.Status.PUBLISHED)

    def current(self) -> "DisclosureQuerySet":
        """Published revisions no later revision has corrected: what the public reads."""
        newer = Disclosure.objects.filter(
            status=Disclosure.Status.PUBLISHED,
            department=models.OuterRef("department"),
            fiscal_year=models.OuterRef("fiscal_year"),
            kind=models.OuterRef("kind"),
            revision__gt=models.OuterRef("revision"),
        )
        return self.published().exclude(models.Exists(newer))

    def for_year(self, year: int) -> "DisclosureQuerySet":
        return self.filter(fiscal_year=year)

    def for_user(self, user) -> "DisclosureQuerySet":
        """What a staff member may see (disclosures/roles.py decides): everything for
        reviewers, publishers and superusers; a clerk only the departments assigned to them."""
        from disclosures.roles import disclosures_for

        return self & disclosures_for(user)

    def with_approval(self) -> "DisclosureQuerySet":
        """Each disclosure with `approved_on`, its department's 批复日期 for the year."""
        return self.annotate(approved_on=approval_date())

    def overdue(self, today) -> "DisclosureQuerySet":
        """Not published within 20 days of 批复日期 (still unpublished, or published late)."""
        unpublished = ~Q(status=Disclosure.Status.PUBLISHED) & Q(
            approved_on__lt=today - PUBLICATION_DEADLINE
        )
        dated = self.with_approval().filter(approved_on__isnull=False)
        return dated.filter(PUBLISHED_LATE | unpublished)

    def update(self, **kwargs):
        # Publishing is the one write a published revision ever gets (workflow.publish).
        if self.filter(status=Disclosure.Status.PUBLISHED).exists():
            raise PublishedRevisionError()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Disclosure.Status.PUBLISHED).exists():
            raise PublishedRevisionError()
        return super().delete()

    def with_contents(self) -> "DisclosureQuerySet":
        """Everything a rendering reads, in a fixed number of queries whatever its size."""
        row_sets = []
        for relation in self.model._meta.related_objects:
            if not relation.one_to_many:
                continue
            model = relation.related_model
            rows = model.objects.all()
            if any(field.name == "unit" for field in model._meta.fields):
                rows = rows.select_related("unit")
            row_sets.append(models.Prefetch(relation.get_accessor_name(), queryset=rows))
        found = (
            self.with_approval()
            .select_related(
                "department__region", "procurement", "assets", "department_form", "pdf", "workbook"
            )
            .prefetch_related(
                *row_sets,
                "department__units",
                "department_form__indicators",
                "projects__indicators",
                "projects__key_description",
            )
        )
        found._as_printed = True
        return found

    def _clone(self):
        clone = super()._clone()
        clone._as_printed = getattr(self, "_as_printed", False)
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and getattr(self, "_as_printed", False):
            for disclosure in self._result_cache:
                if isinstance(disclosure, Disclosure):
                    disclosure.show_printed_names()


class Disclosure(models.Model):
    """One revision of a department's disclosure for one fiscal year.

    Published revisions never change; a correction is a new revision.
    """

    class Kind(models.TextChoices):
        BUDGET = "budget", _("部门预算")
        FINAL_ACCOUNTS = "final", _("部门决算")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")
        PUBLISHED = "published", _("已公开")

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="disclosures"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind, default=Kind.BUDGET)
    revision = models.PositiveSmallIntegerField(
        _("版本"), default=1, help_text=_("首次公开为第 1 版，每次更正加 1")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    layout = models.CharField(_("公开表样式"), max_length=30, choices=Layout, default=Layout.GANSU)
    signed_on = models.DateField(_("落款日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    correction_note = models.TextField(_("更正说明"), blank=True)
    amounts_rounded = models.BooleanField(
        _("金额录自四舍五入后的公开数"),
        default=False,
        help_text=_("从已印发文件录入、各数已四舍五入到 0.01 万元时勾选；勾稽检查据此允许舍入误差"),
    )
    printed_names = models.JSONField(
        _("公开时的名称"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("公开时记下的部门、区划和单位名称；已公开的版本始终按此印出"),
    )
    version = models.PositiveIntegerField(
        _("编辑版本"), default=0, editable=False, help_text=_("每次保存加 1；据此拒绝过时的编辑")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = DisclosureQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoricalAudit])

    # What says which disclosure this is and where it stands: changed only by the
    # workflow functions (disclosures/workflow.py), never by a form or a history revert.
    WORKFLOW_FIELDS = ("status", "revision", "department_id", "fiscal_year", "kind")

    class Meta:
        verbose_name = _("部门预算公开")
        verbose_name_plural = _("部门预算公开")
        ordering = ["-fiscal_year", "department", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "kind", "revision"],
                name="unique_disclosure_revision",
            ),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="disclosure_revision_positive"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="disclosure_fiscal_year_range",
            ),
        ]
        permissions = [
            ("submit_disclosure", _("提交部门预算公开")),
            ("review_disclosure", _("审核部门预算公开（通过或退回）")),
            ("publish_disclosure", _("公开部门预算公开，发起更正")),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{self.department.name} {self.fiscal_year}年{kind}（第{self.revision}版）"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.WORKFLOW_FIELDS).first()
            if stored and stored["status"] == self.Status.PUBLISHED:
                raise PublishedRevisionError(str(self))
            moved = stored and any(stored[f] != getattr(self, f) for f in self.WORKFLOW_FIELDS)
            if moved and not getattr(self, "_workflow_step", False):
                raise WorkflowFieldError(str(self))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The permanent public address of this revision."""
        return self.public_url("revision", revision=self.revision)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise PublishedRevisionError(str(self))
        return super().delete(*args, **kwargs)

    def public_url(self, name: str, **kwargs) -> str:
        prefix = "" if self.kind == self.Kind.BUDGET else f"{self.kind}-"
        return reverse(
            f"disclosures:{prefix}{name}",
            kwargs={"pk": self.department_id, "year": self.fiscal_year, **kwargs},
        )

    @cached_property
    def approved_on(self) -> datetime.date | None:
        """批复日期, recorded by the bureau for the department and year (BudgetApproval);
        with_approval() fills it for a whole list in the same query."""
        from .approval import BudgetApproval

        return BudgetApproval.objects.date_of(self.department_id, self.fiscal_year, self.kind)

    @property
    def current_url(self) -> str:
        """The year's page, which always shows the newest published revision."""
        return self.public_url("disclosure")

    @property
    def json_url(self) -> str:
        return self.public_url("json", revision=self.revision)

    @property
    def workbook_url(self) -> str:
        return self.public_url("xlsx", revision=self.revision)

    @property
    def pdf_url(self) -> str:
        return reverse("disclosures:pdf", args=[self.pk])

    @property
    def file_stem(self) -> str:
        """2024年临夏市人民代表大会常务委员会办公室部门预算, with （第2版） on a correction:
        the name of every file downloaded from this revision."""
        revision = f"（第{self.revision}版）" if self.revision > 1 else ""
        return f"{self.fiscal_year}年{self.department.name}{self.get_kind_display()}{revision}"

    def names_now(self) -> dict:
        """The names this revision prints, as the reference data has them now."""
        department = self.department
        return {
            "department": department.name,
            "region": department.region.name,
            "region_full": department.region.full_name,
            "units": {str(unit.pk): unit.name for unit in department.units.all()},
        }

    def show_printed_names(self) -> None:
        """Give the loaded department, region and units the names this revision was
        published with: renaming a department later changes no published page or file.
        Only the objects loaded with this disclosure change, in memory (never saved)."""
        names = self.printed_names
        if not names:
            return
        department = self.department
        department.name = names["department"]
        department.region.name = names["region"]
        department.region.__dict__["full_name"] = names["region_full"]
        units = names["units"]
        loaded = list(getattr(department, "_prefetched_objects_cache", {}).get("units", ()))
        for rows in getattr(self, "_prefetched_objects_cache", {}).values():
            loaded += [row.unit for row in rows if getattr(row, "unit_id", None)]
        for unit in loaded:
            unit.name = units.get(str(unit.pk), unit.name)

    @property
    def title(self) -> str:
        """2024年部门预算公开情况说明."""
        return f"{self.fiscal_year}年{self.get_kind_display()}公开情况说明"


class Passage(FrozenWhenPublished):
    """A passage of the explanatory text (情况说明) that only the clerk can write.

    Every figure of the text is computed from the data; passages hold what the data
    cannot know: the department's duties, its structure, other matters.
    """

    class Section(models.TextChoices):
        PREFACE = "preface", _("前言")
        DUTIES = "duties", _("部门职责")
        INTERNAL_BODIES = "internal_bodies", _("机关内设机构")
        CIVIL_SERVICE_UNITS = "civil_service_units", _("参照公务员法管理单位")
        AFFILIATED_UNITS = "affiliated_units", _("直属事业单位")
        NON_TAX_INCOME = "non_tax_income", _("非税收入情况")
        OTHER_MATTERS = "other_matters", _("其他重要事项")
        PERFORMANCE_REVIEW = "performance_review", _("上年预算绩效管理工作情况")
        PERFORMANCE_TARGETS = "performance_targets", _("本年绩效目标编制情况")
        GLOSSARY = "glossary", _("名词解释")

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="passages",
    )
    section = models.CharField(_("章节"), max_length=30, choices=Section)
    text = models.TextField(_("内容"), help_text=_("每段一行"))

    class Meta:
        verbose_name = _("情况说明段落")
        verbose_name_plural = _("情况说明段落")
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "section"], name="unique_passage_section"
            ),
        ]

    def __str__(self) -> str:
        return self.get_section_display()


class TableExplanation(FrozenWhenPublished):
    """Why a statutory table is empty (空表说明); an empty table is still published."""

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="table_explanations",
    )
    table = models.CharField(_("公开表"), max_length=30, choices=TableKey)
    text = models.TextField(_("空表说明"))

    class Meta:
        verbose_name = _("空表说明")
        verbose_name_plural = _("空表说明")
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "table"], name="unique_table_explanation"
            ),
        ]

    def __str__(self) -> str:
        return self.get_table_display()


class ComparisonItem(models.TextChoices):
    """What the explanatory text compares with last year."""

    TOTAL = "total", _("收支总预算")
    BASIC = "basic", _("基本支出")
    PROJECT = "project", _("项目支出")
    FUNCTION_CLASS = "function_class", _("支出功能分类（类）")
    THREE_PUBLIC = "three_public", _("“三公”经费")
    ABROAD = "abroad", _("因公出国（境）费")
    RECEPTION = "reception", _("公务接待费")
    VEHICLES = "vehicles", _("公务用车购置及运行维护费")
    VEHICLE_PURCHASE = "vehicle_purchase", _("公务用车购置费")
    VEHICLE_OPERATION = "vehicle_operation", _("公务用车运行维护费")
    TRAINING = "training", _("培训费")
    MEETING = "meeting", _("会议费")
    OFFICE_RUNNING = "office_running", _("机关运行经费")


class ComparisonEntry(FrozenWhenPublished):
    """Something the text compares with last year: an item, or one function 类."""

    item = models.CharField(_("项目"), max_length=20, choices=ComparisonItem)
    subject_code = models.CharField(
        _("功能分类科目（类）"), max_length=3, blank=True, help_text=_("仅“支出功能分类（类）”填列")
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "item", "subject_code"],
                name="%(app_label)s_%(class)s_unique_item",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        item=ComparisonItem.FUNCTION_CLASS,
                        subject_code__regex=subjects.CLASS_CODE_RE,
                    )
                    | (~Q(item=ComparisonItem.FUNCTION_CLASS) & Q(subject_code=""))
                ),
                name="%(app_label)s_%(class)s_subject_code_only_for_classes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.subject_code}".strip()


class PriorYearFigure(ComparisonEntry):
    """Last year's figure for a comparison, where no prior disclosure exists in the portal."""

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="prior_year_figures",
    )
    amount = MoneyField(_("上年预算数（万元）"))

    class Meta(ComparisonEntry.Meta):
        verbose_name = _("上年数")
        verbose_name_plural = _("上年数")
        constraints = [
            *ComparisonEntry.Meta.constraints,
            non_negative("prior_year_figure_non_negative", "amount"),
        ]


# What a clerk writes when there is no reason to give; a change needs a real one.
NO_REASON = frozenset({"", "无", "无。"})


class ChangeReason(ComparisonEntry):
    """The clerk's reason for a change against last year (增减变化的主要原因)."""

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="change_reasons",
    )
    text = models.TextField(_("主要原因"))

    class Meta(ComparisonEntry.Meta):
        verbose_name = _("增减变化原因")
        verbose_name_plural = _("增减变化原因")


class ProcurementBudget(FrozenWhenPublished):
    """政府采购安排情况."""

    disclosure = models.OneToOneField(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="procurement",
    )
    total = MoneyField(_("政府采购预算总额（万元）"))
    goods = MoneyField(_("货物（万元）"))
    works = MoneyField(_("工程（万元）"))
    services = MoneyField(_("服务（万元）"))
    sme_reserved = MoneyField(_("面向中小企业预留（万元）"))
    micro_reserved = MoneyField(_("其中小微企业预留（万元）"))

    class Meta:
        verbose_name = _("政府采购预算")
        verbose_name_plural = _("政府采购预算")
        constraints = [
            non_negative(
                "procurement_non_negative",
                "total",
                "goods",
                "works",
                "services",
                "sme_reserved",
                "micro_reserved",
            ),
        ]

    def __str__(self) -> str:
        return str(_("政府采购预算"))


class AssetHoldings(FrozenWhenPublished):
    """国有资产占用情况."""

    disclosure = models.OneToOneField(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="assets",
    )
    fixed_assets = MoneyField(_("上年末固定资产金额（万元）"))
    office_space_area = models.DecimalField(
        _("办公用房面积（平方米）"), max_digits=12, decimal_places=2, default=0
    )
    office_space_value = MoneyField(_("办公用房价值（万元）"))
    vehicle_count = models.PositiveIntegerField(_("公务用车数量（辆）"), default=0)
    vehicle_value = MoneyField(_("公务用车价值（万元）"))
    large_equipment_value = MoneyField(_("单价20万元以上设备价值（万元）"))
    planned_purchases = MoneyField(_("本年拟采购固定资产（万元）"))

    class Meta:
        verbose_name = _("国有资产占用")
        verbose_name_plural = _("国有资产占用")
        constraints = [
            non_negative(
                "assets_non_negative",
                "fixed_assets",
                "office_space_area",
                "office_space_value",
                "vehicle_value",
                "large_equipment_value",
                "planned_purchases",
            ),
        ]

    def __str__(self) -> str:
        return str(_("国有资产占用"))


class FindingAcknowledgement(FrozenWhenPublished):
    """A reviewer's written reason for accepting a warning; shown beside the finding.

    Errors cannot be acknowledged (disclosures/checks/acknowledge.py refuses them).
    """

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    code = models.CharField(_("检查代码"), max_length=40)
    # The cell the warning is about, by keys (checks/registry.py Cell): what the
    # acknowledgement is kept against, so it survives a reworded message or a renumbered
    # layout.
    table_key = models.CharField(_("表键"), max_length=40, blank=True)
    row_key = models.CharField(_("行键"), max_length=60, blank=True)
    column_key = models.CharField(_("列键"), max_length=40, blank=True)
    # How the finding read when it was acknowledged (shown in the admin and history).
    table = models.CharField(_("表"), max_length=400)
    location = models.CharField(_("位置"), max_length=400)
    reason = models.TextField(_("确认理由"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_by_name = models.CharField(
        _("确认人用户名"), max_length=150, blank=True, help_text=_("账号删除后仍留存")
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("警告确认")
        verbose_name_plural = _("警告确认")
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "code", "table_key", "row_key", "column_key"],
                name="unique_acknowledgement",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="acknowledgement_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.location}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The Finding.key it acknowledges."""
        return (self.code, self.table_key, self.row_key, self.column_key)
