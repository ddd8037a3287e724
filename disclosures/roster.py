"""The roster of a finance bureau: regions, departments, their units (所属单位) and the
staff accounts with their roles, read from and written to one flat file.

The file (CSV in UTF-8 with or without BOM, or GBK; or .xlsx, its first sheet) has one
header row naming these columns, in Chinese or in English, in any order:

    区划代码 区划名称 上级区划代码 部门名称 单位名称 账号 姓名 邮箱 角色

A row may name a region only; a region and a department, with or without one of its
units; and a person with a role: a clerk (财务人员) with the department assigned to them,
a reviewer, publisher or region administrator with the region assigned to them (no
department). Rows can come in any order: a region's parent may be defined further down.

Importing only adds and updates (`plan_roster` reads and checks, `apply_roster` writes
in one transaction): it creates what is missing, renames or moves a region to what the
file says, updates an account's name and e-mail, and adds roles and assignments; it never
removes anything. A new unit is the department's own office (部门本级, is_headquarters)
when it bears the department's name and the department has none yet. New accounts have
no usable password: each gets a one-time link to set one (`password_links`).

With a user, what may be touched is what roles.administers() allows them: regions within
roles.managed_regions(user) and new regions below those.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from disclosures import roles
from disclosures.models import Department, Region, Unit
from disclosures.models.reference import misplaced
from disclosures.rendering.exports import inert, inert_cell, restored
from disclosures.staff.resources import FileReadError, decoded
from disclosures.workbook.cells import clean, normal
from disclosures.workbook.opening import MAX_BYTES, first_sheet_rows
from disclosures.workbook.problems import WorkbookError

MAX_ROWS = 20000
REGION_CODE = r"^[0-9]{6}([0-9]{3}){0,2}$"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header
    english: str
    explanation: str
    max_length: int = 0


COLUMNS = (
    Column(
        "region_code",
        "区划代码",
        "region_code",
        "行政区划代码，6、9 或 12 位数字，如 622901（临夏市）。每行必填。",
        12,
    ),
    Column(
        "region_name",
        "区划名称",
        "region_name",
        "区划的名称，如 临夏市。新区划必填；已有区划填写不同名称即改名。",
        100,
    ),
    Column(
        "parent_region_code",
        "上级区划代码",
        "parent_region_code",
        "上级区划的代码，可以是本文件其他行的区划或系统中已有的区划；省级区划不填。"
        "已有区划留空表示不改变其上级。",
        12,
    ),
    Column(
        "department",
        "部门名称",
        "department",
        "预算部门（主管部门）的名称，同一区划内唯一。财务人员必填；审核人、公开管理员、"
        "财政局管理员不填。",
        200,
    ),
    Column(
        "unit",
        "单位名称",
        "unit",
        "部门的所属单位，同一部门内唯一；与部门同名的第一个单位即部门本级。须同时填写部门名称。",
        200,
    ),
    Column(
        "username",
        "账号",
        "username",
        "登录账号，由字母、数字和 @ . + - _ 组成。填写了姓名、邮箱或角色的行必填。",
        150,
    ),
    Column("full_name", "姓名", "full_name", "账号使用人的姓名。", 150),
    Column(
        "email",
        "邮箱",
        "email",
        "新账号的设置密码链接发送到此邮箱；不填时由导入人转交链接。",
        254,
    ),
    Column(
        "role",
        "角色",
        "role",
        "财务人员、审核人、公开管理员 或 财政局管理员（英文表头时为 clerk、reviewer、"
        "publisher、region_admin）。",
    ),
)
COLUMN = {column.key: column for column in COLUMNS}
ROLE_ORDER = (roles.CLERK, roles.REVIEWER, roles.PUBLISHER, roles.REGION_ADMIN)
ROLE_EXPLANATIONS = {
    roles.CLERK: "录入、修改、提交本部门的预算公开；按部门分配（须填部门名称）。",
    roles.REVIEWER: "审核本区划及下级区划的预算公开；按区划分配（不填部门名称）。",
    roles.PUBLISHER: "公开已审核的预算公开，发起更正；按区划分配（不填部门名称）。",
    roles.REGION_ADMIN: "维护本区划及下级区划的花名册、批复日期和科目目录；按区划分配（不填部门名称）。",
}


def role_label(role: str) -> str:
    """The role's Chinese name, as the file writes it whatever the language of the page."""
    with translation.override("zh-hans"):
        return str(roles.ROLE_NAMES[role])


def role_of(text: str) -> str | None:
    """财务人员 or clerk → "clerk"; None for anything else."""
    words = {normal(role_label(role)): role for role in ROLE_ORDER}
    words.update({role: role for role in ROLE_ORDER})
    return words.get(normal(text).lower())


def role_choices() -> str:
    return "、".join(role_label(role) for role in ROLE_ORDER)


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the file's row number and the column as its header names it."""

    message: str
    row: int = 0
    column: str = ""

    def __str__(self) -> str:
        if self.row and self.column:
            return _("第 %(row)s 行“%(column)s”列：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
        return self.message


class RosterError(Exception):
    """The file cannot be imported; nothing was changed. Holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Row:
    number: int  # the file's row (line) number, the header being 1 when it comes first
    values: dict[str, str]  # by column key, spaces around removed
    labels: dict[str, str]  # each column's header as the file writes it

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def problem(self, key: str, message: str) -> Problem:
        return Problem(message, self.number, self.labels[key])


def _cells(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank rows as text, each with its row number."""
    if data.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or filename.lower().endswith(
        (".xlsx", ".xlsm", ".xls")
    ):
        try:
            rows = first_sheet_rows(data, filename)
        except WorkbookError as error:
            raise RosterError([Problem(str(p)) for p in error.problems]) from error
        if not rows:
            raise RosterError(Problem(_("工作簿的第一张工作表是空的，没有表头。")))
        return [(number, [restored(clean(value)) for value in values]) for number, values in rows]
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // 1024 // 1024
        raise RosterError(Problem(_("文件超过上限 %(limit)s MB。") % {"limit": limit}))
    try:
        text = decoded(data)
    except FileReadError as error:
        raise RosterError(Problem(str(error))) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start = [], 1
    try:
        for cells in reader:
            values = [restored(clean(cell)) for cell in cells]
            if any(values):
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as error:
        message = _("CSV 格式有误（%(error)s）。") % {"error": error}
        raise RosterError(Problem(message, reader.line_num)) from error
    return rows


def read_rows(data: bytes, filename: str = "") -> list[Row]:
    """The roster's rows, keyed by column; a header that is not the roster's is refused
    at once (no row can be read without it), with every problem of the header."""
    lines = _cells(data, filename)
    if not lines:
        raise RosterError(Problem(_("文件是空的：第一行应为表头（区划代码、区划名称……角色）。")))
    if len(lines) > MAX_ROWS + 1:
        message = _("文件超过 %(limit)s 行，请分成几个文件导入。") % {"limit": MAX_ROWS}
        raise RosterError(Problem(message))
    header_row, header = lines[0]
    names = {normal(c.label): c.key for c in COLUMNS} | {c.english: c.key for c in COLUMNS}
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    problems = []
    for index, text in enumerate(header):
        if not text:
            continue
        key = names.get(normal(text).lower())
        if key is None:
            problems.append(
                Problem(
                    _(
                        "第 %(number)s 列的列名“%(text)s”不是花名册的列。花名册的列为："
                        "%(labels)s（或英文 %(english)s）。"
                    )
                    % {
                        "number": index + 1,
                        "text": text,
                        "labels": "、".join(c.label for c in COLUMNS),
                        "english": ", ".join(c.english for c in COLUMNS),
                    },
                    header_row,
                )
            )
        elif key in positions:
            problems.append(Problem(_("列“%(text)s”出现了两次。") % {"text": text}, header_row))
        else:
            positions[key], labels[key] = index, text
    missing = [c.label for c in COLUMNS if c.key not in positions]
    if missing:
        problems.append(
            Problem(
                _("表头缺少列：%(missing)s。第一行应为花名册的表头。")
                % {"missing": "、".join(missing)},
                header_row,
            )
        )
    if problems:
        raise RosterError(problems)
    rows = []
    for number, cells in lines[1:]:
        values = {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}
        rows.append(Row(number, values, labels))
        stray = [i + 1 for i, text in enumerate(cells) if text and i not in positions.values()]
        if stray:
            problems.append(
                Problem(
                    _("第 %(number)s 列没有列名却有内容“%(text)s”。")
                    % {"number": stray[0], "text": cells[stray[0] - 1]},
                    number,
                )
            )
    if problems:
        raise RosterError(problems)
    return rows


# Planning --------------------------------------------------------------------------------


@dataclass
class Person:
    username: str
    full_name: str
    email: str
    row: Row


@dataclass
class Plan:
    """What importing the file would do, checked; apply_roster() does it."""

    new_regions: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: name, parent
    renamed_regions: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: old, new
    moved_regions: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: old, new
    new_departments: list[tuple[str, str]] = field(default_factory=list)  # region, name
    new_units: list[tuple[str, str, str]] = field(default_factory=list)  # region, dept, unit
    new_accounts: list[Person] = field(default_factory=list)
    changed_accounts: dict[str, list[str]] = field(default_factory=dict)  # username: changes
    updates: dict[str, dict] = field(default_factory=dict)  # username: field values
    new_roles: list[tuple[str, str]] = field(default_factory=list)  # username, role
    new_clerks: list[tuple[str, str, str]] = field(default_factory=list)  # user, region, dept
    new_staff: list[tuple[str, str]] = field(default_factory=list)  # username, region
    # Accounts of the file that have never set a password: they get a new link.
    without_password: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def any(self) -> bool:
        return bool(self.lines())

    def summary(self) -> str:
        counts = (
            (_("新增区划 %(n)s 个"), len(self.new_regions)),
            (_("修改区划 %(n)s 个"), len(set(self.renamed_regions) | set(self.moved_regions))),
            (_("新增部门 %(n)s 个"), len(self.new_departments)),
            (_("新增单位 %(n)s 个"), len(self.new_units)),
            (_("新增账号 %(n)s 个"), len(self.new_accounts)),
            (_("修改账号 %(n)s 个"), len(self.changed_accounts)),
            (_("新增角色分配 %(n)s 项"), len(self.new_clerks) + len(self.new_staff)),
        )
        said = [text % {"n": n} for text, n in counts if n]
        return "，".join(said) if said else _("没有变化")

    def lines(self) -> list[str]:
        """The preview: one line a change, in the order they are made."""
        lines = [
            (
                _("新增区划 %(code)s %(name)s（上级 %(parent)s）")
                if parent
                else _("新增区划 %(code)s %(name)s（无上级）")
            )
            % {"code": code, "name": name, "parent": parent}
            for code, (name, parent) in self.new_regions.items()
        ]
        lines += [
            _("区划 %(code)s 改名：%(old)s → %(new)s") % {"code": code, "old": old, "new": new}
            for code, (old, new) in self.renamed_regions.items()
        ]
        lines += [
            _("区划 %(code)s 改变上级：%(old)s → %(new)s")
            % {"code": code, "old": old or _("无"), "new": new}
            for code, (old, new) in self.moved_regions.items()
        ]
        lines += [
            _("新增部门 %(region)s %(name)s") % {"region": region, "name": name}
            for region, name in self.new_departments
        ]
        lines += [
            _("新增单位 %(region)s %(department)s / %(unit)s")
            % {"region": region, "department": department, "unit": unit}
            for region, department, unit in self.new_units
        ]
        lines += [
            _("新增账号 %(username)s（%(name)s，%(email)s）")
            % {
                "username": p.username,
                "name": p.full_name or _("未填姓名"),
                "email": p.email or _("未填邮箱"),
            }
            for p in self.new_accounts
        ]
        lines += [
            _("修改账号 %(username)s：%(changes)s")
            % {"username": username, "changes": "，".join(changes)}
            for username, changes in self.changed_accounts.items()
        ]
        lines += [
            _("账号 %(username)s 加入角色 %(role)s") % {"username": username, "role": role_label(r)}
            for username, r in self.new_roles
        ]
        lines += [
            _("账号 %(username)s 负责部门 %(region)s %(department)s")
            % {"username": username, "region": region, "department": department}
            for username, region, department in self.new_clerks
        ]
        lines += [
            _("账号 %(username)s 负责区划 %(region)s") % {"username": username, "region": region}
            for username, region in self.new_staff
        ]
        return lines


class _Checker:
    """Reads the rows against each other and the database, collecting every problem."""

    def __init__(self, rows: list[Row], user=None):
        self.rows, self.user = rows, user
        self.problems: list[Problem] = []
        self.plan = Plan(rows=len(rows))
        self.User = get_user_model()

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    # One row on its own.

    def check_row(self, row: Row) -> None:
        for column in COLUMNS:
            if column.max_length and len(row[column.key]) > column.max_length:
                row_problem = row.problem(
                    column.key,
                    _("内容超过 %(limit)s 个字符，请缩短。") % {"limit": column.max_length},
                )
                self.add(row_problem)
        code, parent = row["region_code"], row["parent_region_code"]
        if not code:
            self.add(row.problem("region_code", _("区划代码不能为空：每行都须写明所属区划。")))
        elif not _is_region_code(code):
            self.add(
                row.problem(
                    "region_code",
                    _("区划代码“%(code)s”格式不对：应为 6、9 或 12 位数字，如 622901。")
                    % {"code": code},
                )
            )
        if parent and not _is_region_code(parent):
            self.add(
                row.problem(
                    "parent_region_code",
                    _("上级区划代码“%(code)s”格式不对：应为 6、9 或 12 位数字，如 622900。")
                    % {"code": parent},
                )
            )
        elif parent and parent == code:
            self.add(row.problem("parent_region_code", _("上级区划不能是本区划。")))
        elif parent and _is_region_code(code) and (problem := misplaced(code, parent)):
            self.add(row.problem("parent_region_code", problem))
        if row["unit"] and not row["department"]:
            self.add(row.problem("department", _("填写了单位名称，须同时填写其所属部门的名称。")))
        username = row["username"]
        if not username:
            if row["full_name"] or row["email"] or row["role"]:
                self.add(row.problem("username", _("填写了姓名、邮箱或角色，须同时填写账号。")))
            return
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            self.add(
                row.problem(
                    "username",
                    _("账号“%(username)s”只能由字母、数字和 @ . + - _ 组成，不能有空格。")
                    % {"username": username},
                )
            )
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                self.add(
                    row.problem("email", _("邮箱“%(email)s”格式不对。") % {"email": row["email"]})
                )
        if not row["role"]:
            self.add(
                row.problem(
                    "role",
                    _("请填写账号“%(username)s”的角色：%(roles)s。")
                    % {"username": username, "roles": role_choices()},
                )
            )
            return
        role = role_of(row["role"])
        if role is None:
            self.add(
                row.problem(
                    "role",
                    _(
                        "角色“%(role)s”不存在：应为 %(roles)s"
                        "（英文为 clerk、reviewer、publisher、region_admin）。"
                    )
                    % {"role": row["role"], "roles": role_choices()},
                )
            )
        elif role == roles.CLERK and not row["department"]:
            self.add(row.problem("department", _("财务人员按部门分配：请填写其负责的部门名称。")))
        elif role in roles.REGION_ROLES and row["department"]:
            self.add(
                row.problem(
                    "department",
                    _(
                        "%(role)s按区划分配，负责本区划及下级区划：此行不填部门名称和"
                        "单位名称（部门和单位请写在另一行）。"
                    )
                    % {"role": role_label(role)},
                )
            )

    # The rows together.

    def agree(self, kind: str, key, value: str, row: Row, column: str, seen: dict) -> None:
        """One code or account has one name (parent, e-mail) in the whole file."""
        if not value:
            return
        first = seen.setdefault(key, (value, row))
        if first[0] != value:
            self.add(
                row.problem(
                    column,
                    _(
                        "%(what)s在第 %(row)s 行为“%(first)s”，此处为“%(value)s”：同一文件中只能有一个。"
                    )
                    % {"what": kind, "row": first[1].number, "first": first[0], "value": value},
                )
            )

    def plan_regions(self) -> None:
        names: dict[str, tuple[str, Row]] = {}
        parents: dict[str, tuple[str, Row]] = {}
        first_row: dict[str, Row] = {}
        for row in self.rows:
            code = row["region_code"]
            if not _is_region_code(code):
                continue
            first_row.setdefault(code, row)
            what = _("区划 %(code)s 的名称") % {"code": code}
            self.agree(what, code, row["region_name"], row, "region_name", names)
            parent = row["parent_region_code"]
            if not _is_region_code(parent) or parent == code:
                parent = ""  # refused by check_row
            what = _("区划 %(code)s 的上级区划") % {"code": code}
            self.agree(what, code, parent, row, "parent_region_code", parents)
        existing = {
            code: (name, parent)
            for code, name, parent in Region.objects.values_list("code", "name", "parent__code")
        }
        self.existing_regions = existing
        self.first_row = first_row
        # Each region's parent as it will be: the file's where it names one, else the database's.
        final = {code: parent for code, (_name, parent) in existing.items()}
        final.update({code: parent for code, (parent, _row) in parents.items()})
        self.final_parent = final
        for code, row in first_row.items():
            name = names.get(code, ("", row))[0]
            parent, parent_row = parents.get(code, ("", row))
            if parent and parent not in existing and parent not in first_row:
                self.add(
                    parent_row.problem(
                        "parent_region_code",
                        _(
                            "上级区划 %(code)s 既不在本文件中，也不在系统中：请先增加一行写明它的"
                            "代码和名称。"
                        )
                        % {"code": parent},
                    )
                )
            if code in existing:
                old_name, old_parent = existing[code]
                if name and name != old_name:
                    self.plan.renamed_regions[code] = (old_name, name)
                if parent and parent != old_parent:
                    self.plan.moved_regions[code] = (old_parent or "", parent)
            elif not name:
                self.add(
                    row.problem(
                        "region_name",
                        _("区划 %(code)s 尚未建立，请填写区划名称。") % {"code": code},
                    )
                )
            elif not parent and not code.endswith("0000"):
                self.add(
                    row.problem(
                        "parent_region_code",
                        _(
                            "区划 %(code)s 没有填写上级区划代码：县级、市级区划须写明上级"
                            "（省级区划代码以 0000 结尾）"
                        )
                        % {"code": code},
                    )
                )
            else:
                self.plan.new_regions[code] = (name, parent)
        for code, (_parent, row) in parents.items():
            loop = self._loop_from(code)
            if loop:
                self.add(
                    row.problem(
                        "parent_region_code",
                        _("区划的上下级形成了循环：%(loop)s。上级区划不能是本区划的下级。")
                        % {"loop": " → ".join(loop)},
                    )
                )
        # Parents first, so that apply_roster can create them in this order.
        self.plan.new_regions = dict(
            sorted(self.plan.new_regions.items(), key=lambda item: len(self.ancestors(item[0])))
        )

    def _loop_from(self, code: str) -> list[str]:
        path, region = [code], self.final_parent.get(code)
        while region:
            path.append(region)
            if region == code:
                return path
            if region in path[:-1]:
                return []  # a loop further up, reported on its own rows
            region = self.final_parent.get(region)
        return []

    def ancestors(self, code: str) -> list[str]:
        found, region = [], self.final_parent.get(code)
        while region and region not in found and region != code:
            found.append(region)
            region = self.final_parent.get(region)
        return found

    def plan_departments(self) -> None:
        existing_departments = set(
            Department.objects.values_list("region__code", "name").filter(
                region__code__in=self.first_row
            )
        )
        existing_units = set(
            Unit.objects.filter(department__region__code__in=self.first_row).values_list(
                "department__region__code", "department__name", "name"
            )
        )
        for row in self.rows:
            code, department, unit = row["region_code"], row["department"], row["unit"]
            if not code or not department:
                continue
            if (code, department) not in existing_departments:
                existing_departments.add((code, department))
                self.plan.new_departments.append((code, department))
            if unit and (code, department, unit) not in existing_units:
                existing_units.add((code, department, unit))
                self.plan.new_units.append((code, department, unit))

    def plan_accounts(self) -> None:
        names: dict[str, tuple[str, Row]] = {}
        emails: dict[str, tuple[str, Row]] = {}
        people: dict[str, Person] = {}
        for row in self.rows:
            username = row["username"]
            if not username:
                continue
            what = _("账号 %(username)s 的姓名") % {"username": username}
            self.agree(what, username, row["full_name"], row, "full_name", names)
            what = _("账号 %(username)s 的邮箱") % {"username": username}
            self.agree(what, username, row["email"], row, "email", emails)
            people.setdefault(username, Person(username, "", "", row))
        for username, person in people.items():
            person.full_name = names.get(username, ("",))[0]
            person.email = self.User.objects.normalize_email(emails.get(username, ("",))[0])
        existing = {
            user.username: user
            for user in self.User.objects.filter(username__in=people).prefetch_related("groups")
        }
        self.existing_users = existing
        clerks = set(
            Department.clerks.through.objects.filter(user__in=existing.values()).values_list(
                "user__username", "department__region__code", "department__name"
            )
        )
        staff = set(
            Region.staff.through.objects.filter(user__in=existing.values()).values_list(
                "user__username", "region__code"
            )
        )
        groups = {
            (user.username, group.name) for user in existing.values() for group in user.groups.all()
        }
        for username, person in people.items():
            user = existing.get(username)
            if user is None:
                self.plan.new_accounts.append(person)
            else:
                self._plan_update(user, person)
                if not user.has_usable_password():
                    self.plan.without_password.append(username)
        for row in self.rows:
            username, role = row["username"], role_of(row["role"])
            if not username or role is None:
                continue
            if (username, role) not in groups:
                groups.add((username, role))
                self.plan.new_roles.append((username, role))
            code = row["region_code"]
            if role == roles.CLERK and row["department"]:
                key = (username, code, row["department"])
                if key not in clerks:
                    clerks.add(key)
                    self.plan.new_clerks.append(key)
            elif role in roles.REGION_ROLES and (username, code) not in staff:
                staff.add((username, code))
                self.plan.new_staff.append((username, code))

    def _plan_update(self, user, person: Person) -> None:
        changes, values = [], {}
        name = f"{user.last_name}{user.first_name}"
        if person.full_name and name != person.full_name:
            changes.append(
                _("姓名 %(old)s → %(new)s") % {"old": name or _("（空）"), "new": person.full_name}
            )
            values.update(first_name=person.full_name, last_name="")
        if person.email and user.email != person.email:
            changes.append(
                _("邮箱 %(old)s → %(new)s")
                % {"old": user.email or _("（空）"), "new": person.email}
            )
            values["email"] = person.email
        if not user.is_staff:
            changes.append(_("可登录管理后台"))
            values["is_staff"] = True
        if changes:
            self.plan.changed_accounts[user.username] = changes
            self.plan.updates[user.username] = values

    # Who imports.

    def check_authority(self) -> None:
        user = self.user
        if user is None or roles.sees_every_department(user):
            return
        if not roles.administers(user):
            message = _("账号 %(username)s 无权维护花名册：需要财政局管理员角色。")
            self.add(Problem(message % {"username": user.get_username()}))
            return
        managed = set(roles.managed_regions(user).values_list("code", flat=True))

        def allowed(code: str) -> bool:
            if code in self.existing_regions:
                return code in managed
            return any(a in managed for a in self.ancestors(code) if a in self.existing_regions)

        refused, known = set(), {*self.existing_regions, *self.first_row}
        for row in self.rows:
            code, parent = row["region_code"], row["parent_region_code"]
            if not _is_region_code(code) or any(r not in known for r in self.ancestors(code)):
                continue  # a wrong code or an unknown parent, reported already
            if code not in refused and not allowed(code):
                refused.add(code)
                self.add(
                    row.problem(
                        "region_code",
                        _(
                            "您无权维护区划 %(code)s：它不在您负责的区划之内"
                            "（新区划须在您负责的区划之下）。"
                        )
                        % {"code": code},
                    )
                )
            elif parent and code in self.plan.moved_regions and not allowed(parent):
                self.add(
                    row.problem(
                        "parent_region_code",
                        _("您无权把区划移到 %(code)s 之下：它不在您负责的区划之内。")
                        % {"code": parent},
                    )
                )
        outsiders = set(self.existing_users) - set(
            roles.accounts_in_scope(user)
            .filter(username__in=self.existing_users)
            .values_list("username", flat=True)
        )
        for row in self.rows:
            if row["username"] in outsiders:
                outsiders.discard(row["username"])
                self.add(
                    row.problem(
                        "username",
                        _(
                            "账号 %(username)s 已在您负责的区划以外任职（或是系统管理员），"
                            "您不能修改它：请换一个账号名，或请上级财政局管理员处理。"
                        )
                        % {"username": row["username"]},
                    )
                )

    def run(self) -> Plan:
        for row in self.rows:
            self.check_row(row)
        self.plan_regions()
        self.plan_departments()
        self.plan_accounts()
        self.check_authority()
        if self.problems:
            raise RosterError(self.problems)
        return self.plan


def _is_region_code(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in (6, 9, 12)


def plan_roster(data: bytes, filename: str = "", user=None) -> Plan:
    """Read and check the file against the database; RosterError lists every problem."""
    return _Checker(read_rows(data, filename), user).run()


@transaction.atomic
def apply_roster(plan: Plan) -> list:
    """Make the plan's changes, all or none. Returns the accounts that need a link to set
    their password: those created, and those of the file that never set one."""
    regions, departments = {}, {}

    def region(code: str) -> Region:
        if code not in regions:
            regions[code] = Region.objects.get(code=code)
        return regions[code]

    def department(code: str, name: str) -> Department:
        if (code, name) not in departments:
            departments[code, name] = Department.objects.get(region__code=code, name=name)
        return departments[code, name]

    for code, (name, parent) in plan.new_regions.items():
        regions[code] = Region.objects.create(
            code=code, name=name, parent=region(parent) if parent else None
        )
    for code, (_old, name) in plan.renamed_regions.items():
        Region.objects.filter(code=code).update(name=name)
    for code, (_old, parent) in plan.moved_regions.items():
        Region.objects.filter(code=code).update(parent=region(parent))
    for code, name in plan.new_departments:
        departments[code, name] = Department.objects.create(region=region(code), name=name)
    for code, name, unit in plan.new_units:
        owner = department(code, name)
        position = (owner.units.aggregate(last=Max("position"))["last"] or 0) + 1
        headquarters = unit == name and not owner.units.filter(is_headquarters=True).exists()
        Unit.objects.create(
            department=owner, name=unit, position=position, is_headquarters=headquarters
        )
    User = get_user_model()
    created = []
    for person in plan.new_accounts:
        user = User.objects.create_user(
            person.username, person.email, password=None, first_name=person.full_name, is_staff=True
        )
        created.append(user)
    for username, values in plan.updates.items():
        User.objects.filter(username=username).update(**values)
    created += User.objects.filter(username__in=plan.without_password).order_by("username")
    users = {user.username: user for user in User.objects.filter(username__in=_usernames(plan))}
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_ORDER)}
    for username, role in plan.new_roles:
        users[username].groups.add(groups[role])
    for username, code, name in plan.new_clerks:
        department(code, name).clerks.add(users[username])
    for username, code in plan.new_staff:
        region(code).staff.add(users[username])
    return created


def _usernames(plan: Plan) -> set[str]:
    return (
        {u for u, _r in plan.new_roles}
        | {u for u, *_ in plan.new_clerks}
        | {u for u, _r in plan.new_staff}
    )


# Set-password links ------------------------------------------------------------------------


@dataclass
class Link:
    user: object
    url: str
    mailed: bool
    problem: str = ""
    no_mail_server: bool = False  # the console backend: nothing would reach anyone

    def __str__(self) -> str:
        name = self.user.get_full_name() or _("未填姓名")
        if self.no_mail_server:
            return _(
                "%(username)s（%(name)s）：未配置邮件服务器（EMAIL_HOST），请把链接转交本人：%(url)s"
            ) % {
                "username": self.user.username,
                "name": name,
                "url": self.url,
            }
        if self.mailed:
            sent = _("已发送至 %(email)s") % {"email": self.user.email}
        elif self.problem:
            sent = _("邮件发送失败（%(problem)s），请把链接转交本人") % {"problem": self.problem}
        else:
            sent = _("未填写邮箱，请把链接转交本人")
        return f"{self.user.username}（{name}）：{sent}\n  {self.url}"


def password_path(user) -> str:
    """The path of a one-time link at which the user sets their password (Django's
    password-reset token: it stops working once the password is set, or after
    PASSWORD_RESET_TIMEOUT)."""
    return reverse(
        "disclosures:password-set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def link_days() -> int:
    return max(settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60), 1)


def mail_server_configured() -> bool:
    """False while mail goes to the console (settings: no EMAIL_HOST): the messages would
    only be printed among the server's output, where nobody reads them."""
    backend = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "")
    return not backend.endswith("console.EmailBackend")


def password_links(users: Iterable, site_url: str) -> list[Link]:
    """A set-password link for each new account, e-mailed to those with an address. A mail
    that fails does not undo the import: the link is shown to be handed over instead; with
    no mail server configured, none is sent and every link is to be handed over."""
    links = []
    mailing = mail_server_configured()
    for user in users:
        url = site_url.rstrip("/") + password_path(user)
        if not user.email:
            links.append(Link(user, url, mailed=False))
            continue
        if not mailing:
            links.append(Link(user, url, mailed=False, no_mail_server=True))
            continue
        context = {
            "user": user,
            "url": url,
            "days": link_days(),
            "login_url": site_url.rstrip("/") + reverse("admin:login"),
        }
        with translation.override("zh-hans"):
            subject = render_to_string("registration/roster_set_password_subject.txt", context)
            body = render_to_string("registration/roster_set_password_email.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [user.email])
        except OSError as error:  # smtplib's errors are OSErrors
            links.append(Link(user, url, mailed=False, problem=str(error) or type(error).__name__))
        else:
            links.append(Link(user, url, mailed=True))
    return links


# Writing ---------------------------------------------------------------------------------


def roster_rows(region: Region) -> list[dict[str, str]]:
    """The region and everything below it, in the file's layout: a row per unit with its
    department and region (a department without units, a region with nothing, a row of
    its own), and a row per assignment of an account."""
    below = roles.regions_below([region.pk])
    regions = (
        Region.objects.filter(pk__in=below)
        .select_related("parent")
        .prefetch_related("departments__units", "departments__clerks", "staff__groups")
        .order_by("code")
    )
    rows = []
    for each in regions:
        place = {
            "region_code": each.code,
            "region_name": each.name,
            "parent_region_code": each.parent.code if each.parent else "",
        }
        written = len(rows)
        departments = sorted(each.departments.all(), key=lambda d: d.name)
        for department in departments:
            units = sorted(department.units.all(), key=lambda u: (u.position, u.name))
            for unit in units or [None]:
                rows.append(
                    {**place, "department": department.name, "unit": unit.name if unit else ""}
                )
            for clerk in sorted(department.clerks.all(), key=lambda u: u.username):
                rows.append({**place, "department": department.name, **_person(clerk, roles.CLERK)})
        for member in sorted(each.staff.all(), key=lambda u: u.username):
            held = {group.name for group in member.groups.all()}
            for role in roles.REGION_ROLES:
                if role in held:
                    rows.append({**place, **_person(member, role)})
        if len(rows) == written:
            rows.append(place)
    return [{column.key: row.get(column.key, "") for column in COLUMNS} for row in rows]


def _person(user, role: str) -> dict[str, str]:
    return {
        "username": user.username,
        "full_name": f"{user.last_name}{user.first_name}",
        "email": user.email,
        "role": role_label(role),
    }


def roster_csv(rows: list[dict[str, str]]) -> bytes:
    """CSV as Excel opens it without asking: UTF-8 with the byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.label for column in COLUMNS])
    for row in rows:
        writer.writerow([inert(row[column.key]) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def roster_xlsx(rows: list[dict[str, str]]) -> bytes:
    """The roster sheet, and a second sheet explaining the columns and roles."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append([column.label for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column.key] for column in COLUMNS])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            inert_cell(cell)  # a name like =HYPERLINK(…) stays a name
    for index, width in enumerate((12, 16, 14, 36, 36, 18, 10, 28, 14), start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        for cells in sheet.iter_rows(min_col=index, max_col=index):
            cells[0].number_format = "@"  # text, so that Excel shows codes as written
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "英文列名", "说明"])
    for column in COLUMNS:
        notes.append([column.label, column.english, column.explanation])
    notes.append([])
    notes.append(["角色", "英文", "说明"])
    for role in ROLE_ORDER:
        notes.append([role_label(role), role, ROLE_EXPLANATIONS[role]])
    notes.append([])
    for text in (
        "第一行为表头，列的顺序不限；表头可用中文或英文。",
        "一行可以只写区划；写区划和部门（及其一个单位）；或写一个人及其角色。",
        "导入只新增和修改，不删除任何区划、部门、单位、账号或角色分配。",
        "新账号没有密码：导入后，设置密码的一次性链接发送到其邮箱，并列出供导入人转交。",
        "文件有任何错误时，逐条列出（第几行、哪一列），不导入任何内容。",
    ):
        notes.append([text])
    for cell in (*notes[1], *notes[len(COLUMNS) + 3]):
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 20
    notes.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_file(rows: list[dict[str, str]], filename: str) -> bytes:
    """Rows as .xlsx or .csv, by the name's extension."""
    return roster_xlsx(rows) if filename.lower().endswith(".xlsx") else roster_csv(rows)
