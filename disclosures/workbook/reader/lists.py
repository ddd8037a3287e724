"""List tables (3, 5–11): one row per subject or unit, columns found by their header texts
as the spec prints them, subject codes judged against the year's catalogue."""

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from disclosures import subjects
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import SPECS, RenderedTable, TableSpec

from ..cells import normal
from ..grid import Grid, Line
from .head import explanation, header_paths, match_column, read_body, read_head
from .reading import Reading, Table
from .text import is_code_header, is_note, split_code, subject_code


@dataclass(frozen=True)
class Columns:
    """Where a list table's columns are in the sheet (indexes of the kept columns)."""

    name: int  # the subject's or unit's name
    amounts: dict[str, int]  # by model field
    code: int | None  # 科目编码, where the sheet has its own column for it


@dataclass(frozen=True)
class ListedRow:
    """A row as read, with the cells a problem about it points at."""

    row: Any  # the table's model, unsaved
    cell: str  # its name
    code_cell: str  # its code: its own column, or the name's cell when written with it


def name_attr(spec: TableSpec) -> str:
    """The model field of the spec's name column: a subject's name, or a unit's label."""
    return next(
        column.attr
        for column in spec.source.columns
        if column.attr and not column.numeric and column.attr != "code"
    )


def leaves(spec: TableSpec) -> list[list[str]]:
    """Per spec column, the header texts above it, normalised, top down."""
    labels = RenderedTable(spec.key, "", "", header=spec.header_cells()).leaf_labels
    return [[normal(part) for part in label.split("/") if part] for label in labels]


def find_columns(
    reading: Reading, grid: Grid, spec: TableSpec, header: list[Line], body: list[Line]
) -> Columns | None:
    paths = header_paths(header, len(grid.columns))
    code = next((ci for ci, path in enumerate(paths) if path and is_code_header(path[-1])), None)
    found: dict[str, int] = {}
    for column, leaf in zip(spec.source.columns, leaves(spec), strict=True):
        if not column.attr or column.attr == "code":
            continue
        ci = match_column(leaf, paths, taken={*found.values(), code})
        if ci is None and column.numeric:
            reading.problems.add(f"缺少“{'/'.join(leaf)}”列（按表头文字查找）。", grid.title)
            continue
        if ci is None:  # the name column, however headed: the first text in the body
            ci = next((i for i in body[0].filled if i != code), None)
        if ci is not None:
            found[column.attr] = ci
    name = found.pop(name_attr(spec), None)
    if name is None:
        reading.problems.add("找不到科目或单位名称所在的列。", grid.title)
        return None
    return Columns(name, found, code)


def read_list_table(reading: Reading, key: str, grid: Grid) -> Table | None:
    spec = SPECS[key]
    head = read_head(reading, grid)
    with translation.override("zh-hans"):
        body = read_body(reading, grid, head.start, str(spec.title))
    if body is None:
        return None
    start = grid.lines.index(body.lines[0])
    header = [line for line in grid.lines[head.start : start] if not is_note(line)]
    columns = find_columns(reading, grid, spec, header, body.lines)
    if columns is None:
        return None
    attr = name_attr(spec)
    model = TABLE_MODELS[key]
    listed = []
    for position, line in enumerate(body.lines, start=1):
        values = {
            field: reading.amount(grid, line, ci, yuan=head.yuan)
            for field, ci in columns.amounts.items()
        }
        cell = grid.where(line, columns.name)
        code_cell = cell
        if position == 1:  # 总计, however spaced
            row = model(position=1, **{attr: "总计"}, **values)
        elif spec.catalogue is None:
            row = model(position=position, **{attr: line.text(columns.name)}, **values)
        else:
            code = subject_code(line.text(columns.code)) if columns.code is not None else ""
            printed_code, name = split_code(line.text(columns.name))  # [30201]办公费
            row = model(position=position, code=code or printed_code, name=name, **values)
            if code:
                code_cell = grid.where(line, columns.code)
        listed.append(ListedRow(row, cell, code_cell))
    if spec.catalogue is None:
        assign_units(reading, grid, listed)
    else:
        assign_codes(reading, grid, spec.catalogue, listed)
    return Table([entry.row for entry in listed], explanation(body.tail))


def assign_units(reading: Reading, grid: Grid, listed: list[ListedRow]) -> None:
    """总计, then the department's subtotal, then its units (the statutory order)."""
    listed[0].row.kind = "total"
    department = normal(reading.department.name)
    for index, entry in enumerate(listed[1:], start=1):
        row = entry.row
        name = normal(row.label)
        is_department = index == 1 and (
            len(listed) > 2 or (name == department and name not in reading.units)
        )
        if is_department:
            row.kind = "department"
        elif name in reading.units:
            row.kind, row.unit = "unit", reading.units[name]
        else:
            reading.problems.add(f"“{row.label}”不是本部门的预算单位。", grid.title, entry.cell)
    seen: dict[int, str] = {}
    for entry in listed:
        if entry.row.kind != "unit":
            continue
        pk = entry.row.unit.pk
        if pk in seen:
            reading.problems.add(
                f"单位“{entry.row.label}”出现两次（另见 {seen[pk]}）。", grid.title, entry.cell
            )
        seen[pk] = entry.cell


def assign_codes(reading: Reading, grid: Grid, kind: str, listed: list[ListedRow]) -> None:
    """Codes given are checked against the year's catalogue; a name without a code is
    looked up there, under the 类 and 款 above it."""
    catalogue = reading.catalogue(kind)
    by_name: dict[str, list[str]] = {}
    for code, name in catalogue.names.items():
        by_name.setdefault(normal(name), []).append(code)
    context: list[str] = []
    seen: dict[str, str] = {}
    for entry in listed[1:]:
        row = entry.row
        if not row.code:
            row.code = resolve(by_name.get(normal(row.name), []), context)
            if not row.code:
                reading.problems.add(
                    f"科目“{row.name}”不在 {reading.year} 年{subjects.KIND_NAMES[kind]}科目中，"
                    "且没有科目编码。",
                    grid.title,
                    entry.cell,
                )
                continue
        elif problem := catalogue.problem(row.code):
            reading.problems.add(problem, grid.title, entry.code_cell)
            continue
        if row.code in seen:
            reading.problems.add(
                f"科目 {row.code} 出现两次（另见 {seen[row.code]}）。", grid.title, entry.cell
            )
        seen[row.code] = entry.cell
        context = [*subjects.ancestors(row.code), row.code]


def resolve(candidates: list[str], context: list[str]) -> str:
    """Of the catalogue codes with this name, the one under the nearest 类/款 above."""
    if len(candidates) == 1:
        return candidates[0]
    for parent in reversed(context):
        for code in candidates:
            if subjects.parent_code(code) == parent:
                return code
    top = [code for code in candidates if len(code) == 3]
    return top[0] if len(top) == 1 else ""
