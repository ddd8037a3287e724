"""Public compliance with 财预〔2016〕143号: a department's budget is published within 20
days of its 批复 (PUBLICATION_DEADLINE). One definition of a department's status for a
year, read by the compliance page and the region-year page alike.

Public data only: a department that has not published is "未公开", whatever its drafts
say; its status comes from the 批复日期 the bureau recorded (BudgetApproval) and today's
date, never from a draft.
"""

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosures.checks import Facts, Severity, run_checks
from disclosures.models import (
    BudgetApproval,
    Department,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Region,
)
from disclosures.models.disclosure import PUBLICATION_DEADLINE
from disclosures.rendering.exports import neutralise

# The years a budget may have (BudgetApproval's and Disclosure's check constraints).
FIRST_YEAR, LAST_YEAR = 2000, 2100

# The check whose finding says an empty table lacks its 空表说明 (checks/rules.py).
EMPTY_TABLE_CHECK = "EMPTY_TABLE"


class Status(TextChoices):
    OVERDUE = "overdue", _("逾期未公开")
    LATE = "late", _("逾期公开")
    NOT_DUE = "not_due", _("未到期")
    ON_TIME = "on_time", _("按时公开")
    # Published, 批复日期 recorded, but not when it was published (the demo's seeds):
    # whether it was in time cannot be judged.
    PUBLISHED_UNDATED = "published_undated", _("公开日期未记录")
    UNDATED = "undated", _("未记录批复日期")


# The order a list sorted by status follows: what needs attention first.
STATUS_ORDER = {status: position for position, status in enumerate(Status)}


def judge(
    approved_on: datetime.date | None,
    published: bool,
    first_published_on: datetime.date | None,
    today: datetime.date,
) -> tuple[Status, int | None]:
    """The status of one department's year and its day count: days overdue (逾期未公开),
    days left (未到期), days after 批复 (按时公开), days late (逾期公开).

    Without a 批复日期 nothing can be judged. A revision published without a recorded
    publication time cannot be judged either (timeliness() leaves it out too): it has a
    status of its own, so that a recorded 批复日期 is never reported as missing."""
    if approved_on is None:
        return Status.UNDATED, None
    if published and first_published_on is None:
        return Status.PUBLISHED_UNDATED, None
    deadline = approved_on + PUBLICATION_DEADLINE
    if published:
        if first_published_on <= deadline:
            return Status.ON_TIME, (first_published_on - approved_on).days
        return Status.LATE, (first_published_on - deadline).days
    if today > deadline:
        return Status.OVERDUE, (today - deadline).days
    return Status.NOT_DUE, (deadline - today).days


@dataclass(frozen=True)
class Checked:
    """What the checks say of a published revision."""

    errors: int
    warnings: int
    acknowledged: int  # of the warnings, those a reviewer explained
    empty_tables_explained: bool  # no EMPTY_TABLE finding
    department_form: bool  # 部门整体支出绩效目标表 published
    project_forms: int  # projects with their 绩效目标


@dataclass
class Row:
    department: Department
    approved_on: datetime.date | None
    disclosure: Disclosure | None  # the current published revision
    first_published_on: datetime.date | None  # revision 1's publication, local date
    status: Status
    days: int | None
    checked: Checked | None = None

    @property
    def published(self) -> bool:
        return self.disclosure is not None

    @property
    def overdue(self) -> bool:
        return self.status == Status.OVERDUE

    @property
    def deadline(self) -> datetime.date | None:
        return self.approved_on + PUBLICATION_DEADLINE if self.approved_on else None

    @property
    def days_meaning(self) -> str:
        """What `days` counts, in words (the CSV's 天数说明 column)."""
        if self.days is None:
            return ""
        return str(DAYS_MEANING[self.status])


DAYS_MEANING = {
    Status.OVERDUE: _("公开期限已过天数"),
    Status.LATE: _("晚于公开期限天数"),
    Status.NOT_DUE: _("距公开期限剩余天数"),
    Status.ON_TIME: _("批复后至公开天数"),
}


def concerned(year: int) -> Q:
    """The departments a year's list shows: those with a disclosure (of any status: a
    draft shows only as 未公开) or a 批复日期 for the year; and, for the newest year anyone
    has reached (the season under way) or a later one, every department, since each of
    them owes that budget. A department created later is not listed for past years."""
    budgets = Disclosure.objects.filter(kind=Disclosure.Kind.BUDGET)
    approvals = BudgetApproval.objects.filter(kind=Disclosure.Kind.BUDGET)
    return (
        Exists(budgets.filter(department=OuterRef("pk"), fiscal_year=year))
        | Exists(approvals.filter(department=OuterRef("pk"), fiscal_year=year))
        | (
            ~Exists(budgets.filter(fiscal_year__gt=year))
            & ~Exists(approvals.filter(fiscal_year__gt=year))
        )
    )


def department_rows(region: Region, year: int, today: datetime.date) -> list[Row]:
    """Every department of the region and below the year concerns (concerned()) with its
    status for the year's budget, in a fixed number of queries (four) whatever the number
    of departments."""
    from disclosures.site.queries import public_disclosures, region_and_below

    regions = region_and_below(region)
    approval = BudgetApproval.objects.filter(
        department=OuterRef("pk"), fiscal_year=year, kind=Disclosure.Kind.BUDGET
    ).values("approved_on")[:1]
    departments = (
        Department.objects.filter(concerned(year), region__in=regions)
        .select_related("region")
        .annotate(approved_on=Subquery(approval))
        .order_by("region__code", "name")
    )
    budgets = Disclosure.objects.filter(
        department__region__in=regions, fiscal_year=year, kind=Disclosure.Kind.BUDGET
    )
    first = dict(
        budgets.published().filter(revision=1).values_list("department_id", "published_at")
    )
    current = {d.department_id: d for d in public_disclosures().filter(pk__in=budgets)}
    rows = []
    for department in departments:
        published = department.pk in first
        published_at = first.get(department.pk)
        first_on = timezone.localdate(published_at) if published_at else None
        status, days = judge(department.approved_on, published, first_on, today)
        disclosure = current.get(department.pk)
        rows.append(Row(department, department.approved_on, disclosure, first_on, status, days))
    return rows


def check(rows: list[Row]) -> None:
    """Run the registered checks on each published revision and keep their counts.

    The revisions' contents are read in one batch (with_contents) and the catalogue once;
    Facts.of still reads last year's revision once per department, which is the checks'
    own cost (a query each, more where last year is published)."""
    published = [row for row in rows if row.disclosure is not None]
    if not published:
        return
    disclosures = {
        d.pk: d
        for d in Disclosure.objects.with_contents().filter(
            pk__in=[row.disclosure.pk for row in published]
        )
    }
    catalogues: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
    for row in published:
        disclosure = disclosures[row.disclosure.pk]
        year = disclosure.fiscal_year
        if year not in catalogues:
            catalogues[year] = (
                FunctionSubject.objects.names(year),
                EconomicSubject.objects.names(year),
            )
        findings = run_checks(Facts.of(disclosure, catalogue=catalogues[year]))
        warnings = [f for f in findings if f.severity == Severity.WARNING]
        row.checked = Checked(
            errors=sum(f.severity == Severity.ERROR for f in findings),
            warnings=len(warnings),
            acknowledged=sum(bool(f.acknowledged) for f in warnings),
            empty_tables_explained=not any(f.code == EMPTY_TABLE_CHECK for f in findings),
            department_form=getattr(disclosure, "department_form", None) is not None,
            project_forms=len(disclosure.projects.all()),
        )


# Sorting --------------------------------------------------------------------------------

# The status first (what a reader on a phone must see without scrolling sideways), then
# the day count it speaks of, then the dates it is judged by.
DAYS_LABEL = _("逾期/剩余天数")
COLUMNS = (
    ("department", _("部门")),
    ("status", _("状态")),
    ("days", DAYS_LABEL),
    ("approved_on", _("批复日期")),
    ("deadline", _("公开期限")),
    ("published_on", _("首次公开日期")),
    ("region", _("区划")),
    ("empty_tables", _("空表说明")),
    ("performance", _("绩效目标表")),
    ("errors", _("检查错误")),
    ("acknowledged", _("已确认警告")),
)
SORT_KEYS = {
    "department": lambda row: row.department.name,
    "region": lambda row: row.department.region.code,
    "approved_on": lambda row: row.approved_on,
    "deadline": lambda row: row.deadline,
    "status": lambda row: STATUS_ORDER[row.status],
    "days": lambda row: row.days,
    "published_on": lambda row: row.first_published_on,
    "errors": lambda row: row.checked.errors if row.checked else None,
    "acknowledged": lambda row: row.checked.acknowledged if row.checked else None,
}
DEFAULT_SORT = "status"


def sort_rows(rows: list[Row], sort: str, descending: bool = False) -> list[Row]:
    """Sorted by a whitelisted column (another name sorts by status); rows without a
    value go last whichever the order; ties by region and department."""
    key = SORT_KEYS.get(sort, SORT_KEYS[DEFAULT_SORT])
    rows = sorted(rows, key=lambda row: (row.department.region.code, row.department.name))
    with_value = [row for row in rows if key(row) is not None]
    without = [row for row in rows if key(row) is None]
    return sorted(with_value, key=key, reverse=descending) + without


# The report -----------------------------------------------------------------------------


@dataclass
class RegionTotal:
    region: Region
    counts: Counter = field(default_factory=Counter)

    @property
    def departments(self) -> int:
        return sum(self.counts.values())

    def by_status(self) -> list[tuple[Status, int]]:
        return [(status, self.counts[status]) for status in Status]


@dataclass
class Report:
    region: Region
    year: int
    today: datetime.date
    rows: list[Row]
    totals: list[RegionTotal]  # each region with departments, then the whole (region=None)

    @property
    def overall(self) -> RegionTotal:
        return self.totals[-1]


def totals(rows: list[Row]) -> list[RegionTotal]:
    by_region: dict[int, RegionTotal] = {}
    overall = RegionTotal(None)
    for row in sorted(rows, key=lambda row: row.department.region.code):
        region = row.department.region
        by_region.setdefault(region.pk, RegionTotal(region)).counts[row.status] += 1
        overall.counts[row.status] += 1
    return [*by_region.values(), overall]


def report(
    region: Region, year: int, today: datetime.date, sort: str = DEFAULT_SORT, descending=False
) -> Report:
    rows = department_rows(region, year, today)
    check(rows)
    return Report(region, year, today, sort_rows(rows, sort, descending), totals(rows))


# CSV --------------------------------------------------------------------------------------


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("是") if value else _("否"))


def published_on_text(row: Row) -> str:
    if not row.published:
        return str(_("未公开"))
    return row.first_published_on.isoformat() if row.first_published_on else str(_("未记录"))


def csv_bytes(found: Report) -> bytes:
    """The report as a CSV Excel opens (UTF-8 with its byte order mark), every text
    neutralised against formula injection. Columns in the page's order: the day count is
    never negative, and 天数说明 says what it counts (days overdue, left, late, or from
    批复 to publication), so that a sorted or filtered sheet still reads right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            str(label)
            for label in (
                _("部门"),
                _("状态"),
                DAYS_LABEL,
                _("天数说明"),
                _("批复日期"),
                _("公开期限"),
                _("首次公开日期"),
                _("区划代码"),
                _("区划"),
                _("空表均有说明"),
                _("部门整体绩效目标表"),
                _("项目绩效目标数"),
                _("检查错误数"),
                _("警告数"),
                _("已确认警告数"),
            )
        ]
    )
    for row in found.rows:
        checked = row.checked
        writer.writerow(
            [
                neutralise(str(value))
                for value in (
                    row.department.name,
                    row.status.label,
                    "" if row.days is None else row.days,
                    row.days_meaning,
                    row.approved_on.isoformat() if row.approved_on else _("未记录"),
                    row.deadline.isoformat() if row.deadline else "",
                    published_on_text(row),
                    row.department.region.code,
                    row.department.region.name,
                    yes_no(checked.empty_tables_explained if checked else None),
                    yes_no(checked.department_form if checked else None),
                    checked.project_forms if checked else "",
                    checked.errors if checked else "",
                    checked.warnings if checked else "",
                    checked.acknowledged if checked else "",
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()
