"""Catalogues as data: a year's classification catalogue read from the file the Ministry
of Finance publishes, compared with what the portal holds, and applied, exported or copied.

The command line (import_catalogue, export_catalogue, copy_catalogue) and the admin's
upload page call the same functions here:

- `read_file(data, filename, kind)`: the entries of a CSV (UTF-8 with or without BOM, or
  GBK) or XLSX file, or CatalogueError listing every problem by row and column;
- `preview(kind, year, entries, remove=False)`: what applying the file would add, rename
  and re-flag; the codes the file lacks are kept unless `remove` is asked for, when they
  are listed as removals, refused where a disclosure of the year uses the code;
- `apply(kind, year, entries, …, remove=False)`: the preview applied in one transaction,
  or nothing changes;
- `export(kind, year, filename)`: the year's entries in the same layout, so that exporting
  and importing again changes nothing;
- `copy(from_year, to_year, kinds)`: last year's catalogue as the start of a new year.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.db import models, transaction
from openpyxl import Workbook

from disclosures import subjects
from disclosures.models import (
    Budget,
    CatalogueKind,
    CatalogueYear,
    EconomicSubject,
    FunctionSubject,
)
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import SPECS
from disclosures.staff.resources import FileReadError, decoded
from disclosures.workbook.opening import OLE_MAGIC, first_sheet_rows
from disclosures.workbook.problems import WorkbookError

CODE, NAME, BUDGET, BASIC = "科目编码", "科目名称", "所属预算", "基本支出"
LEVELS = ("类", "款", "项")
HEADERS = {
    CODE: ("科目编码", "编码", "科目代码", "code"),
    NAME: ("科目名称", "名称", "name"),
    BUDGET: ("所属预算", "预算", "budget"),
    BASIC: ("基本支出", "基本支出科目", "basic"),
    **{level: (level,) for level in LEVELS},
}
# The words of the 所属预算 column, in the files as the Ministry writes them: always
# Chinese, whatever language the admin is shown in.
BUDGET_LABELS = {
    Budget.GENERAL: "一般公共预算",
    Budget.FUND: "政府性基金预算",
    Budget.CAPITAL: "国有资本经营预算",
}
BUDGET_WORDS = {
    **{label: value for value, label in BUDGET_LABELS.items()},
    **{value: value for value in Budget.values},
}
YES, NO = ("是", "1", "y", "yes", "true", "√", "✓"), ("否", "0", "n", "no", "false", "")
HEADER_ROWS = 10  # a title or a note may stand above the header
SHAPES = {
    "function": "类 3 位、款 5 位、项 7 位",
    "economic": "类 3 位、款 5 位",
}
KIND_LABELS = dict(CatalogueKind.choices)


class CatalogueError(Exception):
    """The file or the change cannot be applied; nothing was changed."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Entry:
    """One subject as a file gives it. A flag is None when the file has no column for it:
    the subject keeps the flag it has (a new one gets the default), so that the Ministry's
    list of codes and names does not wipe out the flags the bureau set."""

    code: str
    name: str
    budget: str | None = Budget.GENERAL
    basic: bool | None = False

    @property
    def flags(self) -> str:
        budget = BUDGET_LABELS[Budget(self.budget)]
        return f"{budget}{'，基本支出' if self.basic else ''}"


def model_of(kind: str) -> type[models.Model]:
    return FunctionSubject if kind == CatalogueKind.FUNCTION else EconomicSubject


def kind_label(kind: str) -> str:
    return str(KIND_LABELS[kind])


# Reading a file --------------------------------------------------------------------------


def plain(value) -> str:
    """A cell as text: full-width forms folded, spaces gone, Excel's 205.0 read as 205."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return re.sub(r"\s+", "", text)


def code_text(value) -> str:
    text = plain(value)
    return text[:-2] if re.fullmatch(r"[0-9]+\.0", text) else text


def rows_of(data: bytes, filename: str) -> list[list]:
    """The cells of a CSV file (UTF-8 or GBK), or of an XLSX file's first sheet after the
    workbook import's checks (size, macros, zip bombs), row by row as the sheet numbers
    them."""
    is_xlsx = PurePath(filename).suffix.lower() in (".xlsx", ".xlsm", ".xls") or data.startswith(
        (b"PK", OLE_MAGIC)
    )
    if not is_xlsx:
        try:
            return list(csv.reader(io.StringIO(decoded(data))))
        except FileReadError as error:
            raise CatalogueError(str(error)) from error
    try:
        found = first_sheet_rows(data, filename)
    except WorkbookError as error:
        raise CatalogueError([str(problem) for problem in error.problems]) from error
    rows: list[list] = []
    for number, values in found:
        rows.extend([] for _ in range(number - 1 - len(rows)))  # blank rows keep their place
        rows.append(values)
    return rows


def find_header(rows: list[list]) -> tuple[int, dict[str, int], list[str]]:
    """(the header's index, column of each known heading, the headings as printed)."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        texts = [plain(cell) for cell in row]
        columns = {}
        for heading, words in HEADERS.items():
            for ci, text in enumerate(texts):
                if text.lower() in words and heading not in columns:
                    columns[heading] = ci
        if CODE in columns or NAME in columns or "类" in columns:
            return index, columns, [str(cell or "").strip() for cell in row]
    return -1, {}, []


@dataclass
class Reader:
    """One reading of a catalogue file: every problem, by row and column."""

    errors: list[str] = field(default_factory=list)

    def error(self, line: int, heading: str, message: str) -> None:
        self.errors.append(f"第 {line} 行“{heading}”列：{message}")


def row_code(row: list, columns: dict[str, int], last: dict[int, str]) -> tuple[str, str]:
    """(code, heading of the column it came from) of a row: its 科目编码 column, or the
    rightmost filled of its 类/款/项 columns."""
    if CODE in columns:
        return code_text(cell(row, columns[CODE])), CODE
    levels = [level for level in LEVELS if level in columns]
    filled = [level for level in levels if code_text(cell(row, columns[level]))]
    if not filled:
        return "", levels[-1]
    depth = LEVELS.index(filled[-1])
    return full_code(depth, code_text(cell(row, columns[filled[-1]])), row, columns, last), filled[
        -1
    ]


def full_code(
    depth: int, text: str, row: list, columns: dict[str, int], last: dict[int, str]
) -> str:
    """A 款 or 项 column may hold the full code or only its 2-digit suffix; a suffix goes
    under the code in the column to its left, or else under the last code of that level.
    Excel drops a suffix's leading zero (01 → 1): one digit is given it back."""
    if depth == 0 or len(text) >= 2 * depth + 3:  # a 类, or a full code
        return text
    if len(text) == 1:
        text = "0" + text
    above = LEVELS[depth - 1]
    left = code_text(cell(row, columns[above])) if above in columns else ""
    parent = full_code(depth - 1, left, row, columns, last) if left else last.get(depth, "")
    return parent + text


def cell(row: list, index: int):
    return row[index] if index < len(row) else None


def read_file(
    data: bytes, filename: str, kind: str, known: frozenset[str] = frozenset()
) -> list[Entry]:
    """The entries of a catalogue file, in file order, or CatalogueError. Every code's
    parent must be in the file or among `known` (the year's codes an import keeps)."""
    rows = rows_of(data, filename)
    if not any(plain(value) for row in rows for value in row):
        raise CatalogueError("文件是空的：没有表头，也没有任何科目。")
    at, columns, printed = find_header(rows)
    missing = []
    if CODE not in columns and "类" not in columns:
        missing.append("找不到“科目编码”列（或“类、款、项”列）：表头应写“科目编码”或“code”。")
    if NAME not in columns:
        missing.append("找不到“科目名称”列：表头应写“科目名称”或“name”。")
    if missing:
        raise CatalogueError(missing)
    heading = {key: printed[ci] or key for key, ci in columns.items()}
    reader = Reader()
    entries: list[Entry] = []
    lines: dict[str, int] = {}
    last: dict[int, str] = {}
    for index, row in enumerate(rows[at + 1 :], start=at + 2):
        if not any(plain(value) for value in row):
            continue
        code, column = row_code(row, columns, last)
        name = str(cell(row, columns[NAME]) or "").strip()
        ok = True
        if not subjects.valid_code(kind, code):
            shown = code or "（空）"
            reader.error(
                index, heading.get(column, column), f"{shown} 不是科目编码（{SHAPES[kind]}）"
            )
            ok = False
        elif code in lines:
            reader.error(
                index, heading.get(column, column), f"{code} 重复（另见第 {lines[code]} 行）"
            )
            ok = False
        if not name:
            reader.error(index, heading[NAME], "科目名称为空")
            ok = False
        budget = Budget.GENERAL if BUDGET in columns else None
        basic = False if BASIC in columns else None
        if kind == CatalogueKind.FUNCTION and BUDGET in columns:
            word = plain(cell(row, columns[BUDGET]))
            if word:
                budget = BUDGET_WORDS.get(word.lower(), "")
                if not budget:
                    reader.error(
                        index,
                        heading[BUDGET],
                        f"“{word}”不是所属预算（应为一般公共预算、政府性基金预算或国有资本经营预算）",
                    )
                    ok = False
        if kind == CatalogueKind.FUNCTION and BASIC in columns:
            word = plain(cell(row, columns[BASIC])).lower()
            if word in YES:
                basic = True
            elif word not in NO:
                reader.error(index, heading[BASIC], f"“{word}”应为“是”或留空")
                ok = False
        if subjects.valid_code(kind, code):
            last[subjects.level(code)] = code
            lines.setdefault(code, index)
        if ok:
            entries.append(Entry(code, name, budget, basic))
    for entry in entries:
        parent = subjects.parent_code(entry.code)
        if parent and parent not in lines and parent not in known:
            where = heading.get(CODE, heading.get(LEVELS[subjects.level(entry.code) - 1], CODE))
            absent = "不在文件中，也不在该年目录中" if known else "不在文件中"
            reader.error(lines[entry.code], where, f"{entry.code} 的上级科目 {parent} {absent}")
    if not entries and not reader.errors:
        raise CatalogueError("文件中没有任何科目：表头下面是空的。")
    if reader.errors:
        raise CatalogueError(sorted(reader.errors, key=line_number))
    return entries


def line_number(message: str) -> int:
    found = re.match(r"第 (\d+) 行", message)
    return int(found.group(1)) if found else 0


# Comparing with the year's catalogue, and applying ------------------------------------------


@dataclass
class Preview:
    kind: str
    year: int
    added: list[Entry] = field(default_factory=list)
    renamed: list[tuple[Entry, Entry]] = field(default_factory=list)  # (now, from the file)
    reflagged: list[tuple[Entry, Entry]] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    # The codes the file lacks, kept as they are because removals were not asked for: a
    # file of a few codes (or of the other catalogue) must not wipe out the rest.
    kept: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # removals a disclosure refuses
    exists: bool = False  # the year has a CatalogueYear of this kind

    @property
    def any(self) -> bool:
        return bool(self.added or self.renamed or self.reflagged or self.removed)

    def summary(self) -> str:
        return (
            f"{self.year} 年{kind_label(self.kind)}：新增 {len(self.added)} 条，"
            f"改名 {len(self.renamed)} 条，标记变化 {len(self.reflagged)} 条，"
            f"删除 {len(self.removed)} 条"
        )

    def lines(self) -> list[str]:
        """The preview as text, one change a line."""
        lines = [self.summary()]
        lines += [f"  新增 {e.code} {e.name}" for e in self.added]
        lines += [f"  改名 {old.code} {old.name} → {new.name}" for old, new in self.renamed]
        lines += [
            f"  标记 {old.code} {old.name}：{old.flags} → {new.flags}"
            for old, new in self.reflagged
        ]
        lines += [f"  删除 {e.code} {e.name}" for e in self.removed]
        return lines

    def kept_note(self) -> str:
        """How many codes the file lacks and stay; the door adds how to remove them."""
        return f"文件中没有的 {len(self.kept)} 条科目保留不变" if self.kept else ""


def current(kind: str, year: int) -> dict[str, Entry]:
    model = model_of(kind)
    if model is FunctionSubject:
        rows = model.objects.filter(year=year).values_list("code", "name", "budget", "basic")
        return {code: Entry(code, name, budget, basic) for code, name, budget, basic in rows}
    rows = model.objects.filter(year=year).values_list("code", "name")
    return {code: Entry(code, name) for code, name in rows}


def users_of(kind: str, year: int, codes: set[str]) -> dict[str, str]:
    """Of `codes`, those a disclosure of `year` uses: code → where (the disclosure and table)."""
    used: dict[str, str] = {}
    for key, model in TABLE_MODELS.items():
        spec_kind = SPECS[key].catalogue
        names = {f.name for f in model._meta.fields}
        if spec_kind == kind and "code" in names:
            column = "code"
        elif spec_kind is None and kind == CatalogueKind.FUNCTION and "subject_code" in names:
            column = "subject_code"
        else:
            continue
        rows = model.objects.filter(
            disclosure__fiscal_year=year, **{f"{column}__in": codes}
        ).select_related("disclosure__department")
        for row in rows:
            code = getattr(row, column)
            used.setdefault(code, f"“{row.disclosure}”的{SPECS[key].title}")
    return used


def with_flags(entry: Entry, old: Entry | None) -> Entry:
    """The entry with the flags the file left out taken from the catalogue (or defaults)."""
    kept = old or Entry(entry.code, entry.name)
    return replace(
        entry,
        budget=kept.budget if entry.budget is None else entry.budget,
        basic=kept.basic if entry.basic is None else entry.basic,
    )


def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise CatalogueError(f"年度 {year} 不在 2000—2100 之间。")


def kept_codes(kind: str, year: int, remove: bool) -> frozenset[str]:
    """The year's codes an import keeps whatever the file holds (none when it removes):
    a file may add a 项 under a 款 the catalogue has already."""
    return frozenset() if remove else frozenset(current(kind, year))


def preview(kind: str, year: int, entries: list[Entry], *, remove: bool = False) -> Preview:
    """What applying `entries` would change. The codes the file lacks are kept (`kept`)
    unless `remove`: then they are removals, refused where a disclosure uses them."""
    check_year(year)
    now = current(kind, year)
    wanted = {entry.code: entry for entry in entries}
    result = Preview(kind, year, exists=CatalogueYear.objects.filter(kind=kind, year=year).exists())
    for entry in sorted(entries, key=lambda e: e.code):
        old = now.get(entry.code)
        entry = with_flags(entry, old)
        if old is None:
            result.added.append(entry)
            continue
        if old.name != entry.name:
            result.renamed.append((old, entry))
        if (old.budget, old.basic) != (entry.budget, entry.basic):
            result.reflagged.append((old, entry))
    missing = [now[code] for code in sorted(now) if code not in wanted]
    if not remove:
        result.kept = missing
        return result
    result.removed = missing
    used = users_of(kind, year, {entry.code for entry in result.removed})
    for code in sorted(used):
        result.errors.append(f"不能删除科目 {code}：{year} 年{used[code]}使用了它。")
    return result


@transaction.atomic
def apply(
    kind: str,
    year: int,
    entries: list[Entry],
    *,
    complete: bool = False,
    source: str = "",
    remove: bool = False,
) -> Preview:
    """Add, rename and re-flag the year's entries as `entries` give them, or change
    nothing (CatalogueError). The codes `entries` lack are kept unless `remove`, which
    makes the year's entries exactly `entries`. `complete` marks the catalogue complete;
    False keeps the flag as it was."""
    model = model_of(kind)
    # Lock the year's catalogue row so that two uploads queue rather than interleave.
    catalogue_year, created = CatalogueYear.objects.select_for_update().get_or_create(
        kind=kind, year=year, defaults={"complete": complete, "source": source}
    )
    change = preview(kind, year, entries, remove=remove)
    if change.errors:
        raise CatalogueError(change.errors)
    model.objects.filter(year=year, code__in=[e.code for e in change.removed]).delete()
    flagged = model is FunctionSubject
    for _old, new in [*change.renamed, *change.reflagged]:
        values = {"name": new.name}
        if flagged:
            values.update(budget=new.budget, basic=new.basic)
        model.objects.filter(year=year, code=new.code).update(**values)
    model.objects.bulk_create([build(model, year, entry) for entry in change.added])
    if not created and (complete and not catalogue_year.complete):
        catalogue_year.complete = True
        catalogue_year.save(update_fields=["complete", "updated_at"])
    return change


def build(model: type[models.Model], year: int, entry: Entry) -> models.Model:
    if model is FunctionSubject:
        return model(
            year=year, code=entry.code, name=entry.name, budget=entry.budget, basic=entry.basic
        )
    return model(year=year, code=entry.code, name=entry.name)


# Exporting and copying ---------------------------------------------------------------------


def header(kind: str) -> list[str]:
    return [CODE, NAME, BUDGET, BASIC] if kind == CatalogueKind.FUNCTION else [CODE, NAME]


def export_rows(kind: str, year: int) -> list[list[str]]:
    entries = sorted(current(kind, year).values(), key=lambda e: e.code)
    if kind == CatalogueKind.FUNCTION:
        return [
            [e.code, e.name, BUDGET_LABELS[Budget(e.budget)], "是" if e.basic else ""]
            for e in entries
        ]
    return [[e.code, e.name] for e in entries]


def export(kind: str, year: int, filename: str) -> bytes:
    """The year's catalogue as CSV (UTF-8 with BOM, which Excel reads) or XLSX, by the
    file name's extension."""
    rows = [header(kind), *export_rows(kind, year)]
    if PurePath(filename).suffix.lower() == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = f"{year}年{kind_label(kind)}"[:31]
        for row in rows:
            sheet.append([str(value) for value in row])
        for column in sheet.iter_cols(min_col=1, max_col=1, min_row=2):
            for code_cell in column:
                code_cell.number_format = "@"  # codes are text: 2010101, not a number
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


@transaction.atomic
def copy(
    from_year: int,
    to_year: int,
    kinds: list[str] | None = None,
    *,
    importer: str = "导入（import_catalogue）",
) -> dict[str, int]:
    """Copy the catalogues (entries, flags and completeness) of `from_year` to `to_year`;
    refuses (CatalogueError, nothing changed) if the target already has entries of a kind
    or the source has none. Returns the entries copied, by kind. `importer` names, for the
    door that asked, the way to update a year that has a catalogue."""
    kinds = kinds or [CatalogueKind.FUNCTION, CatalogueKind.ECONOMIC]
    check_year(to_year)
    problems = []
    if from_year == to_year:
        problems.append(f"源年度与目标年度相同（{from_year} 年），无需复制。")
    for kind in kinds:
        model = model_of(kind)
        label = kind_label(kind)
        if not model.objects.filter(year=from_year).exists():
            problems.append(f"{from_year} 年没有{label}目录，无法复制。")
        held = model.objects.filter(year=to_year).count()
        if held:
            problems.append(
                f"{to_year} 年已有{label}目录（{held} 条），不能复制；如需更新，请用{importer}。"
            )
    if problems:
        raise CatalogueError(problems)
    copied = {}
    for kind in kinds:
        model = model_of(kind)
        entries = list(current(kind, from_year).values())
        model.objects.bulk_create([build(model, to_year, entry) for entry in entries])
        source = CatalogueYear.objects.filter(kind=kind, year=from_year).first()
        CatalogueYear.objects.update_or_create(
            kind=kind,
            year=to_year,
            defaults={
                "complete": bool(source and source.complete),
                "source": f"自 {from_year} 年复制。",
            },
        )
        copied[kind] = len(entries)
    return copied
