"""批复日期: when the finance bureau approved a department's budget for a year.

It belongs to the department and year, not to a revision: the bureau records it before
anything is published (and for departments that have not published yet, which is what the
public 未公开名单 is made of), and a correction does not change it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .audit import HistoricalAudit
from .reference import Department


class BudgetApprovalQuerySet(models.QuerySet["BudgetApproval"]):
    def date_of(self, department_id: int, year: int, kind: str = "budget"):
        return (
            self.filter(department_id=department_id, fiscal_year=year, kind=kind)
            .values_list("approved_on", flat=True)
            .first()
        )


class BudgetApproval(models.Model):
    """The 批复日期 of one department's budget (or final accounts) for one year."""

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="approvals"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(
        _("类别"),
        max_length=10,
        choices=[("budget", _("部门预算")), ("final", _("部门决算"))],
        default="budget",
    )
    approved_on = models.DateField(_("批复日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    objects = BudgetApprovalQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoricalAudit])

    class Meta:
        verbose_name = _("批复日期")
        verbose_name_plural = _("批复日期")
        ordering = ["-fiscal_year", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "kind"], name="unique_budget_approval"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="budget_approval_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.fiscal_year}年 {self.approved_on:%Y-%m-%d}"
