"""Starting a budget year (DESIGN §9, step 2): a draft per department, carrying last year's
structure, and a blank statutory workbook for a department to fill in.

A new draft holds what last year's disclosure tells about this year's, and nothing that
would pass for a figure: every amount is zero, so the checks say which tables are still
empty (空表) instead of comparing invented numbers.

- the fixed items of tables 1, 2 and 4 (the spec's blocks, every function 类 of the new
  year's catalogue), with last year's wording where it had the item;
- last year's subject codes in the subject tables, named as the new year's catalogue
  names them; a code the new catalogue no longer has is left out, and said so;
- the department's units (the roster's, as the workbook import reads them) under 总计 and
  the department's subtotal in tables 5 and 8;
- last year's passages of the 情况说明, each marked 【待更新】 at its start.

Last year's figures that the 情况说明 compares with are not typed into the draft:
`Facts.of` reads them from last year's published disclosure whenever the portal has one,
and a typed figure (PriorYearFigure) would outrank it for good. Where last year is not
published yet, the comparison waits for it (or for the clerk to enter the figures).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from disclosures import drafts, roles
from disclosures.facts import Facts
from disclosures.models import (
    Department,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Layout,
    Passage,
    Region,
    SummaryItem,
    UnitRow,
)
from disclosures.models.tables import TABLE_MODELS, summary_key
from disclosures.specs import LAYOUTS, SPECS, Shape
from disclosures.specs.base import related_rows
from disclosures.subjects import KIND_NAMES, Catalogue, missing_message

BUDGET = Disclosure.Kind.BUDGET
TO_UPDATE = "【待更新】"
CHANGE_REASON = "开始新年度预算编制"
TOTAL_LABEL = "总计"
# What a summary table prints for an item whose wording depends on its side; the other
# items print their SummaryItem label.
SIDE_LABELS = {
    ("income", SummaryItem.CURRENT_TOTAL): "本年收入合计",
    ("expense", SummaryItem.CURRENT_TOTAL): "本年支出合计",
    (None, SummaryItem.CURRENT_TOTAL): "本年收入合计",
    ("income", SummaryItem.GRAND_TOTAL): "收入总计",
    ("expense", SummaryItem.GRAND_TOTAL): "支出总计",
    (None, SummaryItem.GRAND_TOTAL): "收入总计",
}


class YearRefused(PermissionDenied):
    """The year may not be started (or its template made); the reason in Chinese."""


@dataclass
class Catalogues:
    """The new year's official names, by kind ("function", "economic") and code."""

    year: int
    names: dict[str, dict[str, str]]

    @classmethod
    def of(cls, year: int) -> "Catalogues":
        return cls(
            year,
            {
                "function": FunctionSubject.objects.names(year),
                "economic": EconomicSubject.objects.names(year),
            },
        )

    def missing(self) -> str | None:
        """The message when the year's catalogues are not loaded, or None (the one
        message subjects.Catalogue gives, naming the kinds when only some are missing)."""
        absent = [kind for kind, names in self.names.items() if not names]
        if not absent:
            return None
        which = (
            ""
            if len(absent) == len(self.names)
            else f"（{'、'.join(KIND_NAMES[k] for k in absent)}）"
        )
        earlier = Catalogue.of(absent[0], self.year).earlier
        return missing_message(self.year, earlier, which)

    @property
    def classes(self) -> list[str]:
        return sorted(code for code in self.names["function"] if len(code) == 3)


@dataclass
class Started:
    """What starting the year did for one department."""

    department: Department
    disclosure: Disclosure | None = None
    skipped: str = ""  # why no draft was made
    rows: int = 0
    passages: int = 0
    prior_figures: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        where = f"{self.department.name}（{self.department.region.name}）"
        if self.disclosure is None:
            return f"{where}：跳过，{self.skipped}"
        passages = (
            f"情况说明 {self.passages} 段（标为{TO_UPDATE}）"
            if self.passages
            else "情况说明待撰写（上年无可沿用的段落）"
        )
        made = (
            f"{where}：已建 {self.disclosure.fiscal_year} 年草稿（第 {self.disclosure.revision} 版），"
            f"表格 {self.rows} 行，{passages}，上年数 {self.prior_figures} 项"
        )
        return "；".join([made, *self.notes])


def may_start(user, region: Region) -> bool:
    """Superusers and the region's administrators start its year (roles.administers)."""
    return roles.administers(user, region)


def start_year(
    regions: list[Region], year: int, *, from_year: int | None = None, user=None
) -> list[Started]:
    """A draft of `year` for every department of `regions` and the regions below them that
    has none, each made all or nothing. `user` None is a trusted caller (a command run
    without --user); anyone else must administer every region (YearRefused)."""
    from_year = from_year or year - 1
    if user is not None:
        refused = [region.name for region in regions if not may_start(user, region)]
        if refused:
            raise YearRefused(f"您无权为“{'、'.join(refused)}”开始 {year} 年度预算编制。")
    below = roles.regions_below([region.pk for region in regions])
    departments = (
        Department.objects.filter(region__in=below)
        .select_related("region")
        .order_by("region__code", "name")
    )
    catalogues = Catalogues.of(year)
    missing = catalogues.missing()
    return [
        start_department(department, year, from_year, catalogues, missing, user)
        for department in departments
    ]


def start_department(
    department: Department,
    year: int,
    from_year: int,
    catalogues: Catalogues,
    missing_catalogue: str | None = None,
    user=None,
) -> Started:
    started = Started(department)
    existing = (
        Disclosure.objects.filter(department=department, fiscal_year=year, kind=BUDGET)
        .order_by("-revision")
        .first()
    )
    if existing is not None:
        state = existing.get_status_display()
        started.skipped = f"已有 {year} 年的部门预算公开（第 {existing.revision} 版，{state}）"
        return started
    if missing_catalogue:
        started.skipped = missing_catalogue
        return started
    source = last_year(department, from_year)
    if source is not None and not LAYOUTS[source.layout]:
        started.skipped = (
            f"{from_year} 年的公开样式为“{source.get_layout_display()}”，没有可沿用的公开表和情况说明；"
            f"请直接导入 {year} 年的项目支出绩效目标表"
        )
        return started
    try:
        with transaction.atomic():
            draft, written = build_draft(department, year, source, catalogues, user)
    except IntegrityError:  # somebody made the year's disclosure meanwhile
        started.skipped = f"已有 {year} 年的部门预算公开（刚由他人建立）"
        return started
    started.disclosure = draft
    started.rows = written.rows
    started.passages = written.passages
    started.notes = written.notes
    if source is None:
        started.notes.insert(0, f"无 {from_year} 年的公开，按 {year} 年目录和固定项目新建空白草稿")
    facts = Facts.of(Disclosure.objects.with_contents().get(pk=draft.pk))
    started.prior_figures = len(facts.prior_year)
    started.notes.append(prior_year_source(department, year))
    return started


def last_year(department: Department, from_year: int) -> Disclosure | None:
    """The disclosure a new year carries on from: the current published revision of
    `from_year`, or its newest revision when none is published."""
    revisions = Disclosure.objects.filter(
        department=department, fiscal_year=from_year, kind=BUDGET
    ).prefetch_related("passages")
    return revisions.current().first() or revisions.order_by("-revision").first()


def prior_year_source(department: Department, year: int) -> str:
    """Where the draft's comparisons take last year's figures from (as Facts.of does)."""
    published = (
        Disclosure.objects.published()
        .filter(department=department, fiscal_year=year - 1, kind=BUDGET)
        .order_by("-revision")
        .first()
    )
    if published is None:
        return f"上年数：{year - 1} 年尚未公开，公开后自动取用，或由财务人员录入"
    return f"上年数取自已公开的 {year - 1} 年第 {published.revision} 版"


# Building the draft ---------------------------------------------------------------------


@dataclass
class Written:
    rows: int = 0
    passages: int = 0
    notes: list[str] = field(default_factory=list)


def build_draft(
    department: Department,
    year: int,
    source: Disclosure | None,
    catalogues: Catalogues,
    user=None,
) -> tuple[Disclosure, Written]:
    """Save revision 1 of `year` as a draft holding the skeleton of `source` (None: the
    fixed items only); inside the caller's transaction. Every write goes through
    drafts.editing, as every draft's does (lock, subject codes, derived cells)."""
    layout = source.layout if source is not None else Layout.GANSU
    draft = Disclosure(department=department, fiscal_year=year, kind=BUDGET, layout=layout)
    draft._history_user = user
    draft.save()
    written = Written()
    units = list(department.units.order_by("position", "name"))
    history = {"default_user": user, "default_change_reason": CHANGE_REASON}
    with drafts.editing(draft, None) as opened:
        for key in LAYOUTS[layout]:
            model = TABLE_MODELS[key]
            before = related_rows(source, SPECS[key].source.accessor) if source else []
            rows, dropped = skeleton(key, before, department, units, catalogues)
            for row in rows:
                row.disclosure = draft
            bulk_create_with_history(rows, model, **history)
            opened.wrote(rows)
            written.rows += len(rows)
            if dropped:
                written.notes.append(
                    f"{SPECS[key].title}有 {len(dropped)} 个科目不在 {year} 年目录中，未带入："
                    + "、".join(dropped)
                )
        passages = [
            Passage(disclosure=draft, section=p.section, text=TO_UPDATE + p.text)
            for p in (source.passages.all() if source else [])
            if p.text.strip()
        ]
        bulk_create_with_history(passages, Passage, **history)
        written.passages = len(passages)
    return draft, written


def skeleton(
    key: str, before: list[Any], department: Department, units: list[Any], catalogues: Catalogues
) -> tuple[list[Any], list[str]]:
    """One table's rows for the new year, amounts zero, and the codes left out."""
    shape = SPECS[key].shape
    if shape == Shape.SUMMARY:
        return summary_skeleton(key, before, catalogues), []
    if shape == Shape.UNITS:
        return unit_skeleton(key, department, units), []
    return subject_skeleton(key, before, catalogues)


def summary_skeleton(key: str, before: list[Any], catalogues: Catalogues) -> list[Any]:
    """Tables 1, 2 and 4: the spec's fixed items, and the optional items last year had,
    in the spec's order; function 类 named by the new catalogue."""
    spec, model = SPECS[key], TABLE_MODELS[key]
    names = catalogues.names["function"]
    classes = catalogues.classes
    printed = {row.key: row.label for row in before}
    wanted = {summary_key(side, item, code) for side, item, code in spec.fixed_items(classes)}
    wanted |= {row.key for row in before if row.subject_code in ("", *classes)}
    rows = []
    for side in spec.sides():
        for _block, item in spec.side_items(side):
            for code in classes if item == SummaryItem.FUNCTION_CLASS else [""]:
                row_key = summary_key(side, item, code)
                if row_key not in wanted:
                    continue
                label = names[code] if code else printed.get(row_key) or default_label(side, item)
                row = model(position=len(rows) + 1, item=item, subject_code=code, label=label)
                if side is not None:
                    row.side = side
                rows.append(row)
    return rows


def default_label(side: str | None, item: str) -> str:
    return SIDE_LABELS.get((side, item)) or str(SummaryItem(item).label)


def unit_skeleton(key: str, department: Department, units: list[Any]) -> list[Any]:
    """Tables 5 and 8: 总计, the department's subtotal, then each of its units."""
    model = TABLE_MODELS[key]
    rows = [
        model(position=1, kind=UnitRow.Kind.TOTAL, label=TOTAL_LABEL),
        model(position=2, kind=UnitRow.Kind.DEPARTMENT, label=department.name),
    ]
    for unit in units:
        rows.append(
            model(position=len(rows) + 1, kind=UnitRow.Kind.UNIT, unit=unit, label=unit.name)
        )
    return rows


def subject_skeleton(
    key: str, before: list[Any], catalogues: Catalogues
) -> tuple[list[Any], list[str]]:
    """A subject table: 总计, then last year's subjects the new catalogue still has."""
    model = TABLE_MODELS[key]
    names = catalogues.names[SPECS[key].catalogue]
    rows = [model(position=1, code="", name=TOTAL_LABEL)]
    dropped = []
    for row in before:
        if not row.code:
            continue
        if row.code in names:
            rows.append(model(position=len(rows) + 1, code=row.code, name=names[row.code]))
        else:
            dropped.append(row.code)
    return rows, dropped


# The blank workbook -----------------------------------------------------------------------


def template_workbook(department: Department, year: int, *, from_year: int | None = None) -> bytes:
    """The statutory workbook a department fills in for `year`: its newest revision of the
    year when it has one, else the draft start_year would make, rendered and not kept."""
    from disclosures.workbook import workbook_bytes, workbook_of

    newest = (
        Disclosure.objects.with_contents()
        .filter(department=department, fiscal_year=year, kind=BUDGET)
        .order_by("-revision")
        .first()
    )
    if newest is not None:
        return workbook_of(newest)
    from_year = from_year or year - 1
    catalogues = Catalogues.of(year)
    missing = catalogues.missing()
    if missing:
        raise YearRefused(missing)
    source = last_year(department, from_year)
    if source is not None and not LAYOUTS[source.layout]:
        raise YearRefused(
            f"{department.name} {from_year} 年的公开样式为“{source.get_layout_display()}”，"
            "没有公开表模板；请用上年的项目支出绩效目标表样式填写。"
        )
    with transaction.atomic():
        draft, _written = build_draft(department, year, source, catalogues)
        data = workbook_bytes(Disclosure.objects.with_contents().get(pk=draft.pk))
        transaction.set_rollback(True)
    return data
