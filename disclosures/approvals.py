"""Recording 批复日期 the way a finance bureau works: one date for many departments at
once, or a spreadsheet of departments and dates, checked in full before anything is saved.

Who may record is asked of roles.py: a region administrator records for the departments
of the regions they administer, a superuser everywhere; reviewers and publishers read.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

import openpyxl
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from disclosures import roles
from disclosures.models import BudgetApproval, Department, Disclosure
from disclosures.rendering.exports import inert, inert_cell, restored
from disclosures.site.compliance import FIRST_YEAR, LAST_YEAR
from disclosures.staff.resources import FileReadError, decoded
from disclosures.workbook.opening import first_sheet_rows
from disclosures.workbook.problems import WorkbookError

BUDGET = "budget"


def readable_departments(user):
    """The departments whose 批复日期 the user reads: those of the regions they act in."""
    return Department.objects.filter(region__in=roles.managed_regions(user))


def recordable_departments(user):
    """The departments whose 批复日期 the user may record: those of the regions they
    administer (roles.administers), none for anybody else."""
    if not roles.administers(user):
        return Department.objects.none()
    return readable_departments(user)


def reads_approvals(user) -> bool:
    return roles.sees_every_department(user) or roles.managed_regions(user).exists()


@dataclass(frozen=True)
class Entry:
    """One 批复日期 to record, and the one recorded now (None: none yet)."""

    department: Department
    fiscal_year: int
    approved_on: datetime.date
    recorded: datetime.date | None = None

    @property
    def changes(self) -> bool:
        return self.recorded != self.approved_on


def future_date_message(day: datetime.date) -> str:
    return _("%(day)s 晚于今天（%(today)s），批复日期不能是将来的日期。") % {
        "day": day.isoformat(),
        "today": timezone.localdate().isoformat(),
    }


@transaction.atomic
def record(user, entries: list[Entry]) -> int:
    """Save the entries (all or none) as the user's; returns how many changed. Refuses the
    whole lot if one department is outside the user's regions or a date is in the future."""
    allowed = set(
        recordable_departments(user)
        .filter(pk__in=[entry.department.pk for entry in entries])
        .values_list("pk", flat=True)
    )
    outside = [entry.department.name for entry in entries if entry.department.pk not in allowed]
    if outside:
        raise PermissionDenied(
            _("您不能登记这些部门的批复日期（不在您管理的地区内）：%(names)s")
            % {"names": "、".join(outside)}
        )
    today = timezone.localdate()
    for entry in entries:
        if entry.approved_on > today:
            raise ValidationError(future_date_message(entry.approved_on))
        if not FIRST_YEAR <= entry.fiscal_year <= LAST_YEAR:
            raise ValidationError(_("年度须在 %(first)s 至 %(last)s 之间。") % year_range())
    changed = 0
    for entry in entries:
        approval = (
            BudgetApproval.objects.select_for_update()
            .filter(department=entry.department, fiscal_year=entry.fiscal_year, kind=BUDGET)
            .first()
        )
        if approval is None:
            approval = BudgetApproval(
                department=entry.department, fiscal_year=entry.fiscal_year, kind=BUDGET
            )
        elif approval.approved_on == entry.approved_on:
            continue
        approval.approved_on = entry.approved_on
        approval.recorded_by = user
        approval.save()
        changed += 1
    return changed


def year_range() -> dict[str, int]:
    return {"first": FIRST_YEAR, "last": LAST_YEAR}


def recorded_dates(departments, year: int) -> dict[int, datetime.date]:
    """The 批复日期 recorded for these departments and year, by department id (one query)."""
    return dict(
        BudgetApproval.objects.filter(
            department__in=departments, fiscal_year=year, kind=BUDGET
        ).values_list("department_id", "approved_on")
    )


def season_year() -> int:
    """The year the bulk page and the template offer first: the newest year with a
    disclosure or a 批复日期, else next year (a portal before its first season)."""
    newest = [
        Disclosure.objects.aggregate(year=Max("fiscal_year"))["year"],
        BudgetApproval.objects.aggregate(year=Max("fiscal_year"))["year"],
    ]
    found = [year for year in newest if year is not None]
    return max(found) if found else timezone.localdate().year + 1


def entries_for(departments, year: int, approved_on: datetime.date) -> list[Entry]:
    """The same date for many departments (the bulk page)."""
    departments = list(departments)
    recorded = recorded_dates(departments, year)
    return [Entry(d, year, approved_on, recorded.get(d.pk)) for d in departments]


# Reading a file ---------------------------------------------------------------------------

NAME, REGION_CODE, YEAR, DATE = "部门名称", "区划代码", "年度", "批复日期"
MAX_ROWS = 5000

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date(value) -> datetime.date | None:
    """2024-02-26, 2024/2/26, 2024年2月26日, or a date cell; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time(0) else None
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for pattern in _DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            try:
                return datetime.date(*(int(part) for part in found.groups()))
            except ValueError:
                return None
    return None


def parse_year(value) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value or "").strip().removesuffix("年")
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        return None
    return int(text)


class FileProblems(ValidationError):
    """The file cannot be recorded; nothing was saved. Holds every problem found."""


@dataclass(frozen=True)
class Cell:
    row: int  # the sheet's row number, the header being row 1
    column: str  # the column's header
    letter: str  # its letter, as Excel shows it

    def __str__(self) -> str:
        return _("第 %(row)s 行“%(column)s”列（%(letter)s 列）") % {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
        }


def table_of(data: bytes, filename: str) -> list[tuple[int, list]]:
    """The file's first sheet as (row number, values), blank rows left out."""
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        try:
            rows = first_sheet_rows(data, filename)
        except WorkbookError as error:
            raise FileProblems([str(problem) for problem in error.problems]) from error
        return [
            (number, [restored(v) if isinstance(v, str) else v for v in values])
            for number, values in rows
        ]
    try:
        text = decoded(data)
    except FileReadError as error:
        raise FileProblems(str(error)) from error
    return [
        (number, [restored(value) for value in values])
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1)
        if any(str(value).strip() for value in values)
    ]


def read_file(user, data: bytes, filename: str) -> list[Entry]:
    """Every row of an uploaded CSV or XLSX as an Entry, or FileProblems naming each bad
    row and column: an unknown department, one outside the user's regions, a bad or future
    date, the same department and year twice with different dates."""
    rows = table_of(data, filename)
    if not rows:
        raise FileProblems(
            _("文件中没有内容。表头须有：部门名称（或区划代码和部门名称）、年度、批复日期。")
        )
    header_row, header = rows[0]
    columns = {str(value or "").strip(): index for index, value in enumerate(header)}
    missing = [name for name in (NAME, YEAR, DATE) if name not in columns]
    if missing:
        raise FileProblems(
            _(
                "第 %(row)s 行（表头）缺少列：%(missing)s。表头须有：部门名称（或区划代码和部门名称）、年度、批复日期。"
            )
            % {"row": header_row, "missing": "、".join(missing)}
        )
    if len(rows) - 1 > MAX_ROWS:
        raise FileProblems(
            _("文件有 %(n)s 行，超过上限 %(max)s 行。") % {"n": len(rows) - 1, "max": MAX_ROWS}
        )
    if len(rows) == 1:
        raise FileProblems(_("文件中只有表头，没有数据行。"))

    def cell(row: int, name: str) -> Cell:
        return Cell(row, name, get_column_letter(columns[name] + 1))

    def value(values: list, name: str):
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    names = {str(value(values, NAME) or "").strip() for _row, values in rows[1:]}
    known: dict[str, list[Department]] = {}
    for department in Department.objects.filter(name__in=names).select_related("region"):
        known.setdefault(department.name, []).append(department)
    allowed = set(recordable_departments(user).filter(name__in=names).values_list("pk", flat=True))
    today = timezone.localdate()
    problems: list[str] = []
    found: dict[tuple[int, int], tuple[int, datetime.date]] = {}  # (department, year) -> row
    entries: list[Entry] = []
    for row, values in rows[1:]:
        if not str(value(values, DATE) or "").strip():
            continue  # a department of the template left blank: nothing to record
        name = str(value(values, NAME) or "").strip()
        code = str(value(values, REGION_CODE) or "").strip()
        if isinstance(value(values, REGION_CODE), float):
            code = str(int(value(values, REGION_CODE)))
        candidates = [d for d in known.get(name, []) if not code or d.region.code == code]
        department = None
        if not name:
            problems.append(_("%(cell)s：部门名称为空。") % {"cell": cell(row, NAME)})
        elif not candidates:
            where = _("区划 %(code)s 下") % {"code": code} if code else ""
            problems.append(
                _("%(cell)s：%(where)s没有名为“%(name)s”的部门。")
                % {"cell": cell(row, NAME), "where": where, "name": name}
            )
        elif len(candidates) > 1:
            problems.append(
                _(
                    "%(cell)s：有 %(n)s 个地区都有名为“%(name)s”的部门，请加“区划代码”列指明是哪一个。"
                )
                % {"cell": cell(row, NAME), "n": len(candidates), "name": name}
            )
        elif candidates[0].pk not in allowed:
            problems.append(
                _("%(cell)s：“%(name)s”（%(region)s）不在您管理的地区内，不能登记其批复日期。")
                % {"cell": cell(row, NAME), "name": name, "region": candidates[0].region.name}
            )
        else:
            department = candidates[0]
        year = parse_year(value(values, YEAR))
        if year is None:
            problems.append(
                _("%(cell)s：“%(value)s”不是 %(first)s 至 %(last)s 之间的年份。")
                % {"cell": cell(row, YEAR), "value": value(values, YEAR) or "", **year_range()}
            )
        approved_on = parse_date(value(values, DATE))
        if approved_on is None:
            problems.append(
                _(
                    "%(cell)s：无法识别日期“%(value)s”，请写成 2024-02-26、2024/2/26 或 2024年2月26日。"
                )
                % {"cell": cell(row, DATE), "value": value(values, DATE) or ""}
            )
        elif approved_on > today:
            problems.append(f"{cell(row, DATE)}：{future_date_message(approved_on)}")
        if department is None or year is None or approved_on is None or approved_on > today:
            continue
        earlier = found.get((department.pk, year))
        if earlier is not None:
            if earlier[1] != approved_on:
                problems.append(
                    _(
                        "%(cell)s：与第 %(earlier)s 行是同一部门同一年度，但批复日期不同（%(a)s 与 %(b)s）。"
                    )
                    % {
                        "cell": cell(row, DATE),
                        "earlier": earlier[0],
                        "a": earlier[1].isoformat(),
                        "b": approved_on.isoformat(),
                    }
                )
            continue
        found[(department.pk, year)] = (row, approved_on)
        entries.append(Entry(department, year, approved_on))
    if problems:
        raise FileProblems(problems)
    if not entries:
        raise FileProblems(_("文件中没有填写批复日期的行：请在“批复日期”列填写日期后再上传。"))
    return with_recorded(entries)


def with_recorded(entries: list[Entry]) -> list[Entry]:
    """The entries with the date each has now (one query)."""
    recorded = {
        (d, y): day
        for d, y, day in BudgetApproval.objects.filter(
            department__in=[e.department for e in entries], kind=BUDGET
        ).values_list("department_id", "fiscal_year", "approved_on")
    }
    return [
        Entry(
            e.department,
            e.fiscal_year,
            e.approved_on,
            recorded.get((e.department.pk, e.fiscal_year)),
        )
        for e in entries
    ]


# The template --------------------------------------------------------------------------

TEMPLATE_HEADER = (NAME, REGION_CODE, YEAR, DATE)


def template_rows(user, year: int) -> list[list]:
    """The upload's header and a row per department the user may record for, with the
    year and the date recorded now (blank where none): a bureau fills in the blanks and
    uploads it back; rows left blank are skipped (read_file)."""
    departments = (
        recordable_departments(user).select_related("region").order_by("region__code", "name")
    )
    recorded = recorded_dates(departments, year)
    return [
        list(TEMPLATE_HEADER),
        *(
            [d.name, d.region.code, year, recorded[d.pk].isoformat() if d.pk in recorded else ""]
            for d in departments
        ),
    ]


def template_csv(rows: list[list]) -> bytes:
    """UTF-8 with its byte order mark, which Excel opens as such; names neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([inert(str(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx(rows: list[list]) -> bytes:
    """The same rows as a workbook; codes and dates stay text, as typed back."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("批复日期")
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            inert_cell(cell)
    for column, width in zip("ABCD", (40, 12, 8, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A previewed file travels to its confirmation signed, so what is applied is what was shown.
SALT = "disclosures.approvals.preview"


def sign(entries: list[Entry]) -> str:
    return signing.dumps(
        [[e.department.pk, e.fiscal_year, e.approved_on.isoformat()] for e in entries], salt=SALT
    )


def unsign(token: str) -> list[Entry]:
    """The previewed entries back; ValidationError for a token not made here (or older
    than a day)."""
    try:
        items = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature as error:
        raise ValidationError(_("预览已失效，请重新上传文件。")) from error
    departments = Department.objects.in_bulk([pk for pk, _y, _d in items])
    if len(departments) != len({pk for pk, _y, _d in items}):
        raise ValidationError(_("预览中的部门已不存在，请重新上传文件。"))
    return [
        Entry(departments[pk], year, datetime.date.fromisoformat(day)) for pk, year, day in items
    ]
