"""Summary tables (1, 2, 4): items and amounts, on one side or two side by side. Which
items a side may hold is the spec's; how workbooks word them is in specs/synonyms.py."""

from disclosures.models import SummaryItem
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import SPECS, TableSpec
from disclosures.specs.synonyms import FORMER_CLASS_NAMES, SUMMARY_ITEMS

from ..cells import normal
from ..grid import Grid, Line
from .head import explanation, read_head
from .reading import Reading, Table
from .text import is_code_header, is_note, split_code, strip_numbering, subject_code


def item_columns(header: Line, width: int, label: str) -> list[tuple[int, int | None]]:
    """Per side, left to right: the column of its items (headed 项目) and of their
    amounts (the next column but a code column), None when there is none."""
    labels = [i for i in header.filled if header.normal(i) == label]
    sides = []
    for index, ci in enumerate(labels):
        limit = labels[index + 1] if index + 1 < len(labels) else width
        amounts = [
            i for i in header.filled if ci < i < limit and not is_code_header(header.normal(i))
        ]
        sides.append((ci, amounts[0] if amounts else None))
    return sides


def read_summary_table(reading: Reading, key: str, grid: Grid) -> Table | None:
    spec = SPECS[key]
    head = read_head(reading, grid)
    lines = grid.lines[head.start :]
    label = spec.header[-1][0].text  # 项目, over the items
    header_at = max(
        (li for li, line in enumerate(lines) if any(line.normal(i) == label for i in line.filled)),
        default=None,
    )
    if header_at is None:
        reading.problems.add(f"找不到表头（“{label}”列）。", grid.title)
        return None
    header = lines[header_at]
    sides = spec.sides()
    columns = item_columns(header, len(grid.columns), label)
    if len(columns) < len(sides) or any(amount is None for _l, amount in columns[: len(sides)]):
        both = "左右两栏" if len(sides) == 2 else ""
        reading.problems.add(f"表头应为“项目、预算数”{both}。", grid.title)
        return None
    code_column = next((i for i in header.filled if is_code_header(header.normal(i))), None)
    body = []
    for line in lines[header_at + 1 :]:
        if is_note(line):
            break
        body.append(line)
    model = TABLE_MODELS[key]
    rows: list = []
    for side, (label_ci, amount_ci) in zip(sides, columns, strict=False):
        # a hidden 科目编码 column names the function 类 of the last side's rows
        codes = code_column if side == sides[-1] else None
        seen: dict[tuple, str] = {}
        for line in body:
            text = line.text(label_ci)
            if not text:
                continue
            label = strip_numbering(text).strip()
            code = subject_code(line.text(codes)) if codes is not None else ""
            found = summary_item(reading, spec, side, label, code)
            where = grid.where(line, label_ci)
            if found is None:
                reading.problems.add(f"无法识别的项目“{text}”。", grid.title, where)
                continue
            if found in seen:
                reading.problems.add(
                    f"“{text}”与 {seen[found]} 是同一项目，重复。", grid.title, where
                )
            seen[found] = where
            item, code = found
            row = model(
                position=len(rows) + 1,
                item=item,
                subject_code=code,
                label=label,
                amount=reading.amount(grid, line, amount_ci, yuan=head.yuan),
            )
            if side is not None:
                row.side = side
            rows.append(row)
    return Table(rows, explanation(lines[header_at + 1 + len(body) :]))


def summary_item(
    reading: Reading, spec: TableSpec, side: str | None, label: str, code: str
) -> tuple[str, str] | None:
    """The (item, function 类 code) a printed label names among the items the spec puts
    on this side, or None."""
    text = normal(label)
    items = {item for _block, item in spec.side_items(side)}
    for item, words in SUMMARY_ITEMS.items():
        if item in items and words.name(text):
            return item, ""
    if SummaryItem.FUNCTION_CLASS not in items:
        return None
    code = function_class(reading, label, code)
    return (SummaryItem.FUNCTION_CLASS, code) if code else None


def function_class(reading: Reading, label: str, code: str) -> str:
    """The function 类 a label names by code (given, or printed with its name) or by name,
    its present one or a former one; "" when none of the year's catalogue. A 类 code the
    workbook gives that an incomplete catalogue lacks is taken (the checks warn of it)."""
    catalogue = reading.catalogue("function")
    names = catalogue.names
    classes = {c: n for c, n in names.items() if len(c) == 3}
    text = normal(label)
    if not code:
        code, rest = split_code(label)
        if code:
            text = normal(rest)
    if not code:
        named = [c for c, n in classes.items() if normal(n) == text]
        code = named[0] if named else FORMER_CLASS_NAMES.get(text, "")
    if code in classes or (len(code) == 3 and catalogue.unknown(code)):
        return code
    return ""
