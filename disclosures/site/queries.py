"""What the public site reads: published revisions only, each page in a fixed number of
queries whatever the number of departments, tables or rows it shows.

Views call these functions and render what they return; nothing here knows about HTTP.
"""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, F, Q, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from disclosures import money
from disclosures.checks import Facts, Finding, run_checks
from disclosures.models import (
    BudgetApproval,
    ComparisonItem,
    Department,
    DepartmentPerformanceForm,
    Disclosure,
    Project,
    Region,
    TableKey,
    ThreePublicRow,
)
from disclosures.models.disclosure import PUBLISHED_LATE
from disclosures.rendering.charts import Chart, disclosure_charts
from disclosures.rendering.narrative import narrative
from disclosures.specs import RenderedTable, performance_forms, statutory_tables
from disclosures.specs.layouts import WITH_NARRATIVE

from . import compliance

# The largest id the database stores (PostgreSQL's bigint): a larger number in an address
# names nothing, and SQLite cannot even compare with it.
LARGEST_ID = 2**63 - 1


def public_disclosures():
    """Current published revisions, with what a list shows."""
    return Disclosure.objects.current().select_related("department__region", "pdf")


def region_and_below(region: Region) -> list[int]:
    """The region's id and the ids of every region under it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, todo = [], [region.pk]
    while todo:
        pk = todo.pop()
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


# Figures compared across years and departments ----------------------------------------


@dataclass(frozen=True)
class Figures:
    """The figures citizens compare, from one disclosure's tables (or a text's stated
    last-year figures, `stated_in`); None where the document does not give one."""

    year: int
    disclosure: Disclosure | None
    total: Decimal | None
    basic: Decimal | None
    project: Decimal | None
    three_public: Decimal | None
    abroad: Decimal | None
    reception: Decimal | None
    vehicles: Decimal | None
    meeting: Decimal | None
    training: Decimal | None
    office_running: Decimal | None
    stated_in: int | None = None

    ITEMS = {
        "total": ComparisonItem.TOTAL,
        "basic": ComparisonItem.BASIC,
        "project": ComparisonItem.PROJECT,
        "three_public": ComparisonItem.THREE_PUBLIC,
        "abroad": ComparisonItem.ABROAD,
        "reception": ComparisonItem.RECEPTION,
        "vehicles": ComparisonItem.VEHICLES,
        "meeting": ComparisonItem.MEETING,
        "training": ComparisonItem.TRAINING,
        "office_running": ComparisonItem.OFFICE_RUNNING,
    }

    @classmethod
    def of(cls, facts: Facts) -> "Figures":
        publishes = facts.publishes(TableKey.DEPARTMENT_EXPENSE)
        values = {
            name: facts.current(item) if publishes else None for name, item in cls.ITEMS.items()
        }
        if publishes:
            # 基本/项目 of all money (表三), not only the general budget (表六).
            values["basic"] = facts.total(TableKey.DEPARTMENT_EXPENSE, "basic")
            values["project"] = facts.total(TableKey.DEPARTMENT_EXPENSE, "project")
        return cls(year=facts.disclosure.fiscal_year, disclosure=facts.disclosure, **values)

    @classmethod
    def stated_last_year(cls, facts: Facts) -> "Figures | None":
        """Last year's figures as the facts know them, when they know any: the clerk's
        stated figures, else (facts read with_prior) last year's published tables."""
        values = {name: facts.prior(item) for name, item in cls.ITEMS.items()}
        if all(value is None for value in values.values()):
            return None
        if values["total"] is None and None not in (values["basic"], values["project"]):
            values["total"] = values["basic"] + values["project"]
        year = facts.disclosure.fiscal_year
        return cls(year=year - 1, disclosure=None, stated_in=year, **values)

    @property
    def available(self) -> bool:
        return self.total is not None

    def share(self, part: Decimal | None) -> Decimal | None:
        if part is None or self.total is None:
            return None
        return money.percent(part, self.total)

    @property
    def basic_share(self) -> Decimal | None:
        return self.share(self.basic)

    @property
    def project_share(self) -> Decimal | None:
        return self.share(self.project)


def change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Year-on-year change in per cent, (now − before) ÷ before; None when undefined."""
    if now is None or before is None:
        return None
    return money.percent(now - before, before)


METRICS = (
    ("total", _("支出总计")),
    ("basic", _("基本支出")),
    ("project", _("项目支出")),
    ("three_public", _("“三公”经费")),
    ("abroad", _("因公出国（境）费")),
    ("reception", _("公务接待费")),
    ("vehicles", _("公务用车购置及运行维护费")),
    ("meeting", _("会议费")),
    ("training", _("培训费")),
    ("office_running", _("机关运行经费")),
)


def year_on_year(
    series: list["Figures"],
) -> list[tuple[str, list[tuple[Decimal | None, Decimal | None]]]]:
    """Per metric, each year's figure and its change on the year before (per cent)."""
    table = []
    for name, label in METRICS:
        values = [getattr(figures, name) for figures in series]
        changes = [None, *(change(now, before) for before, now in itertools.pairwise(values))]
        table.append((label, list(zip(values, changes, strict=True))))
    return table


def _facts_without_catalogue(disclosure: Disclosure) -> Facts:
    return Facts.of(disclosure, with_prior=False, catalogue=({}, {}))


def yearly_figures(department: Department, kind: str = Disclosure.Kind.BUDGET) -> list[Figures]:
    """The department's figures year by year, oldest first; the year before its first
    published year comes from that year's text when the text states it."""
    disclosures = (
        Disclosure.objects.current()
        .with_contents()
        .filter(department=department, kind=kind)
        .order_by("fiscal_year")
    )
    series = []
    for disclosure in disclosures:
        facts = _facts_without_catalogue(disclosure)
        if not series:
            stated = Figures.stated_last_year(facts)
            if stated is not None:
                series.append(stated)
        series.append(Figures.of(facts))
    return series


COMPARE_COLUMNS = (
    ("department", _("部门")),
    ("total", _("支出总计（万元）")),
    ("basic_share", _("基本支出占比")),
    ("project_share", _("项目支出占比")),
    ("three_public", _("“三公”经费（万元）")),
    ("abroad", _("因公出国（境）费")),
    ("reception", _("公务接待费")),
    ("vehicles", _("公务用车购置及运行维护费")),
    ("office_running", _("机关运行经费（万元）")),
)
SORTABLE = tuple(key for key, _label in COMPARE_COLUMNS)


def region_figures(region: Region, year: int, sort: str = "total", descending: bool = True):
    """Each department of the region (and below) with its figures for the year, sorted;
    departments that do not publish the tables go last whatever the order."""
    disclosures = (
        Disclosure.objects.current()
        .with_contents()
        .filter(
            department__region__in=region_and_below(region),
            fiscal_year=year,
            kind=Disclosure.Kind.BUDGET,
        )
    )
    rows = [Figures.of(_facts_without_catalogue(d)) for d in disclosures]
    if sort not in SORTABLE:
        sort = "total"
    if sort == "department":
        return sorted(rows, key=lambda f: f.disclosure.department.name, reverse=descending)
    with_value = [f for f in rows if getattr(f, sort) is not None]
    without = [f for f in rows if getattr(f, sort) is None]
    with_value.sort(key=lambda f: getattr(f, sort), reverse=descending)
    return with_value + sorted(without, key=lambda f: f.disclosure.department.name)


# Pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeliness:
    year: int
    published: int  # departments with a published disclosure that year
    dated: int  # of those, how many recorded 批复日期 and 公开时间
    on_time: int


def timeliness(year: int) -> Timeliness:
    """How many departments first published the year's budget within 20 days of 批复
    (the rule Disclosure.objects.overdue applies), in one query."""
    dated = Q(approved_on__isnull=False, published_at__isnull=False)
    counts = (
        Disclosure.objects.published()
        .filter(fiscal_year=year, kind=Disclosure.Kind.BUDGET, revision=1)
        .with_approval()
        .aggregate(
            published=Count("pk"),
            dated=Count("pk", filter=dated),
            late=Count("pk", filter=dated & PUBLISHED_LATE),
        )
    )
    return Timeliness(year, counts["published"], counts["dated"], counts["dated"] - counts["late"])


def published_years(regions: list[int] | None = None) -> list[int]:
    """Years with something published (in these regions), newest first."""
    published = Disclosure.objects.published()
    if regions is not None:
        published = published.filter(department__region__in=regions)
    return list(published.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())


def region_years(regions: list[int]) -> list[int]:
    """Years the region page lists, newest first: a year with a disclosure in these regions,
    published or not (a draft gives its year only, never its content), or a recorded
    批复日期, so that a county that has published nothing still leads to its 逾期未公开
    list (one query)."""
    disclosed = (
        Disclosure.objects.filter(department__region__in=regions)
        .order_by()
        .values_list("fiscal_year")
    )
    approved = (
        BudgetApproval.objects.filter(department__region__in=regions)
        .order_by()
        .values_list("fiscal_year")
    )
    return sorted({year for (year,) in disclosed.union(approved).order_by()}, reverse=True)


def home() -> dict:
    """The home page in a fixed number of queries: the published years, the regions (those
    with something published, and every top-level region, each with the newest year that
    has a 批复日期: a way to the compliance page even before anything is published), the
    recent publications and the latest year's timeliness."""
    years = published_years()
    published = Q(departments__disclosures__status=Disclosure.Status.PUBLISHED)
    newest_approval = (
        BudgetApproval.objects.filter(kind=Disclosure.Kind.BUDGET)
        .order_by("-fiscal_year")
        .values("fiscal_year")[:1]
    )
    every = list(
        Region.objects.filter(published | Q(parent__isnull=True))
        .annotate(
            department_count=Count("departments", distinct=True, filter=published),
            newest_approval=Subquery(newest_approval),
        )
        .select_related("parent")
        .order_by("code")
    )
    regions = [region for region in every if region.department_count]
    top = [region for region in every if region.parent_id is None]
    season = top[0].newest_approval if top else None
    recent = public_disclosures().order_by(
        F("published_at").desc(nulls_last=True), "-fiscal_year", "-pk"
    )[:10]
    return {
        "years": years,
        "regions": regions,
        "top_regions": top if season else [],
        "season": season,
        "recent": list(recent),
        "timeliness": timeliness(years[0]) if years else None,
    }


def region_year(region: Region, year: int, today: datetime.date) -> list[compliance.Row]:
    """Every department of the region (and below) with its public status for the year, as
    the compliance page judges it. Unpublished work is only ever "not published": drafts
    are nobody's business yet."""
    return compliance.department_rows(region, year, today)


def department_years(department: Department) -> list[tuple[int, list[Disclosure]]]:
    """Every published revision of the department, grouped by year, newest first."""
    by_year: dict[int, list[Disclosure]] = {}
    for disclosure in (
        Disclosure.objects.published()
        .filter(department=department)
        .select_related("pdf")
        .order_by("-fiscal_year", "kind", "-revision")
    ):
        by_year.setdefault(disclosure.fiscal_year, []).append(disclosure)
    return list(by_year.items())


@dataclass(frozen=True)
class ThreePublicYear:
    """One bar of the 三公 chart."""

    year: int
    abroad: Decimal
    reception: Decimal
    vehicles: Decimal


def three_public_years(facts: Facts) -> list[ThreePublicYear]:
    """三公 by year up to the disclosure's: earlier years from their published table 8
    (one query); last year as the facts know it (last year's table 8, or the figures this
    year's text states); then this year."""
    disclosure = facts.disclosure
    year = disclosure.fiscal_year
    series = [
        ThreePublicYear(
            row.disclosure.fiscal_year,
            row.abroad,
            row.reception,
            row.vehicle_purchase + row.vehicle_operation,
        )
        for row in ThreePublicRow.objects.filter(
            kind=ThreePublicRow.Kind.TOTAL,
            disclosure__in=Disclosure.objects.current().filter(
                department=disclosure.department_id,
                kind=disclosure.kind,
                fiscal_year__lt=year - 1,
            ),
        )
        .select_related("disclosure")
        .order_by("disclosure__fiscal_year")
    ]
    last = [facts.prior(item) for item in THREE_PUBLIC_PARTS]
    if None not in last:
        series.append(ThreePublicYear(year - 1, *last))
    series.append(ThreePublicYear(year, *[facts.current(item) for item in THREE_PUBLIC_PARTS]))
    return series


THREE_PUBLIC_PARTS = (ComparisonItem.ABROAD, ComparisonItem.RECEPTION, ComparisonItem.VEHICLES)


@dataclass
class DisclosurePage:
    disclosure: Disclosure
    revisions: list[Disclosure]
    narrative: list[str]
    findings: list[Finding]
    tables: list[RenderedTable]
    forms: dict
    figures: Figures
    last_year: Figures | None
    charts: list[Chart] = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return self.disclosure.revision == self.revisions[0].revision

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]

    @cached_property
    def anchors(self) -> set[str]:
        """The ids a finding can link to on this page: tables, forms and their rows."""
        forms = [
            self.forms.get("department_form"),
            *self.forms.get("project_forms", []),
            self.forms.get("project_list"),
        ]
        shown = [table for table in (*self.tables, *forms) if table is not None]
        ids = {table.key for table in shown}
        ids |= {cell.anchor for t in shown for row in t.rows for cell in row.cells if cell.anchor}
        return ids | ({"narrative"} if self.narrative else set())


def disclosure_page(disclosure: Disclosure) -> DisclosurePage:
    """Everything the disclosure page shows, for a disclosure fetched with with_contents()."""
    revisions = list(
        Disclosure.objects.published()
        .filter(
            department=disclosure.department_id,
            fiscal_year=disclosure.fiscal_year,
            kind=disclosure.kind,
        )
        .select_related("pdf")
        .order_by("-revision")
    )
    facts = Facts.of(disclosure)
    has_tables = facts.publishes(TableKey.DEPARTMENT_EXPENSE)
    forms = performance_forms(disclosure)
    # A layout with the 情况说明 publishes a form per project (seed 004); one without it,
    # the list of all projects (seed 000).
    if facts.has_narrative:
        forms["project_list"] = None
    else:
        forms["project_forms"] = []
    return DisclosurePage(
        disclosure=disclosure,
        revisions=revisions,
        narrative=narrative(facts) if facts.has_narrative else [],
        findings=run_checks(facts),
        tables=statutory_tables(disclosure),
        forms=forms,
        figures=Figures.of(facts),
        last_year=Figures.stated_last_year(facts) if has_tables else None,
        charts=disclosure_charts(facts, three_public_years(facts)) if has_tables else [],
    )


# Search -------------------------------------------------------------------------------

SEARCH_LIMIT = 50
SNIPPET_CHARS = 40


def snippet(text: str, query: str) -> SafeString:
    """The words around the first match, the match marked."""
    flat = " ".join(text.split())
    at = flat.lower().find(query.lower())
    if at < 0:
        return escape(flat[: SNIPPET_CHARS * 2])
    start = max(at - SNIPPET_CHARS, 0)
    end = min(at + len(query) + SNIPPET_CHARS, len(flat))
    before = ("…" if start else "") + flat[start:at]
    after = flat[at + len(query) : end] + ("…" if end < len(flat) else "")
    return mark_safe(  # noqa: S308 - every part is escaped
        f"{escape(before)}<mark>{escape(flat[at : at + len(query)])}</mark>{escape(after)}"
    )


@dataclass(frozen=True)
class Hit:
    disclosure: Disclosure
    kind: str  # "department", "project" or "goal"
    title: str
    snippet: str = ""  # the goal text around the match, marked (SafeString)
    anchor: str = ""


def search(query: str) -> list[Hit]:
    """Department names, project names and goal texts of current published revisions
    containing the query as a substring (Chinese needs no word splitting)."""
    query = " ".join(query.split())[:100]
    if not query:
        return []
    current = Disclosure.objects.current()
    hits: list[Hit] = []
    for disclosure in (
        public_disclosures()
        .filter(department__name__icontains=query)
        .order_by("department__name", "-fiscal_year")[:SEARCH_LIMIT]
    ):
        hits.append(Hit(disclosure, "department", disclosure.department.name))
    projects = (
        Project.objects.filter(Q(name__icontains=query) | Q(goal__icontains=query))
        .filter(disclosure__in=current)
        .select_related("disclosure__department__region")
        .order_by("-disclosure__fiscal_year", "disclosure__department__name", "position")
    )[:SEARCH_LIMIT]
    for project in projects:
        # The goal around the match; a match in the name alone is shown by the title.
        text = project.goal if query.lower() in project.goal.lower() else ""
        anchor = (
            f"project_form_{project.position}"
            if project.disclosure.layout in WITH_NARRATIVE
            else "project_list"
        )
        hits.append(Hit(project.disclosure, "project", project.name, snippet(text, query), anchor))
    forms = (
        DepartmentPerformanceForm.objects.filter(goals__icontains=query, disclosure__in=current)
        .select_related("disclosure__department__region")
        .order_by("-disclosure__fiscal_year", "disclosure__department__name")
    )[:SEARCH_LIMIT]
    for form in forms:
        hits.append(
            Hit(
                form.disclosure,
                "goal",
                form.disclosure.department.name,
                snippet(form.goals, query),
                "department_form",
            )
        )
    return hits
