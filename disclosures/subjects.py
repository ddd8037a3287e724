"""Code hierarchy of the classification catalogues (政府收支分类科目).

支出功能分类: 类/款/项 codes of 3/5/7 digits (201 → 20101 → 2010101).
部门预算支出经济分类: 类/款 codes of 3/5 digits (301 → 30101).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Exists

FUNCTION_CODE_RE = r"^[0-9]{3}([0-9]{2}){0,2}$"
ECONOMIC_CODE_RE = r"^[0-9]{3}([0-9]{2})?$"
CLASS_CODE_RE = r"^[0-9]{3}$"


def is_function_code(code: str) -> bool:
    return re.fullmatch(FUNCTION_CODE_RE, code) is not None


def is_economic_code(code: str) -> bool:
    return re.fullmatch(ECONOMIC_CODE_RE, code) is not None


def level(code: str) -> int:
    """1 for a 类 (3 digits), 2 for a 款 (5), 3 for a 项 (7)."""
    if len(code) not in (3, 5, 7) or not code.isdigit():
        raise ValueError(f"not a subject code: {code!r}")
    return (len(code) - 1) // 2


def parent_code(code: str) -> str | None:
    """The code one level up (2010101 → 20101 → 201 → None)."""
    return code[:-2] if level(code) > 1 else None


def ancestors(code: str) -> list[str]:
    """Codes above this one, nearest last: 2010101 → [201, 20101]."""
    result = []
    parent = parent_code(code)
    while parent:
        result.insert(0, parent)
        parent = parent_code(parent)
    return result


# One year's catalogue of one kind, and the one judge of a code against it ------------

KIND_NAMES = {"function": "支出功能分类", "economic": "经济分类"}


def valid_code(kind: str, code: str) -> bool:
    """Whether `code` has the shape of a code of this kind (economic has no 项)."""
    return (is_economic_code if kind == "economic" else is_function_code)(code)


def missing_message(year: int, earlier: int | None, which: str = "") -> str:
    """What to do about a year that has no catalogue (of the kinds `which` names) yet."""
    remedy = f"请导入，或从 {earlier} 年复制" if earlier else "请导入"
    return f"{year} 年的科目目录尚未载入{which}：{remedy}"


@dataclass
class Catalogue:
    """The official names of one year's function or economic catalogue, by code, and
    whether the bureau has loaded it and marked it complete (CatalogueYear).

    Every door that takes a subject code (the admin, the flat import, the workbook
    import) asks `problem` here, so a code is judged and refused in one way:

    - no catalogue of the kind for the year: every code is refused with one message
      saying to import it or copy it from the newest earlier year that has one;
    - a code of the wrong shape, or outside a complete catalogue: refused;
    - a well-formed code outside an incomplete catalogue: accepted (`unknown` says so),
      and the checks warn that the bureau should add it.
    """

    kind: str
    year: int
    names: dict[str, str]
    complete: bool = False
    budgets: dict[str, str] = field(default_factory=dict)  # function: code → Budget
    basic: frozenset[str] = frozenset()  # function: the basic-spending subjects
    earlier: int | None = None  # when none is loaded: the newest earlier year with one

    @classmethod
    def of(cls, kind: str, year: int) -> "Catalogue":
        """One query while the year has a catalogue of the kind; two when it has none."""
        from disclosures.models import CatalogueYear, EconomicSubject, FunctionSubject

        model = EconomicSubject if kind == "economic" else FunctionSubject
        complete = CatalogueYear.objects.filter(kind=kind, year=year, complete=True)
        fields = ["budget", "basic"] if model is FunctionSubject else []
        rows = list(
            model.objects.filter(year=year)
            .annotate(complete=Exists(complete))
            .values("code", "name", "complete", *fields)
        )
        if not rows:
            earlier = (
                model.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True)
            ).first()
            return cls(kind, year, {}, earlier=earlier)
        return cls(
            kind,
            year,
            {row["code"]: row["name"] for row in rows},
            complete=rows[0]["complete"],
            budgets={row["code"]: row["budget"] for row in rows if "budget" in row},
            basic=frozenset(row["code"] for row in rows if row.get("basic")),
        )

    def __contains__(self, code: str) -> bool:
        return code in self.names

    @property
    def loaded(self) -> bool:
        return bool(self.names)

    @property
    def missing(self) -> str:
        """The message for a year without this catalogue."""
        return missing_message(self.year, self.earlier)

    def name(self, code: str) -> str:
        return self.names.get(code, "")

    def problem(self, code: str) -> str | None:
        """Why `code` cannot name a row of this catalogue's tables, or None."""
        if not self.loaded:
            return self.missing
        if not valid_code(self.kind, code) or (code not in self.names and self.complete):
            return f"科目编码 {code} 不在 {self.year} 年{KIND_NAMES[self.kind]}科目中。"
        return None

    def unknown(self, code: str) -> bool:
        """A well-formed code this incomplete catalogue lacks: accepted, with a warning."""
        return self.loaded and code not in self.names and self.problem(code) is None

    def warning(self, code: str) -> str:
        """What the clerk is told about an `unknown` code."""
        return (
            f"科目编码 {code} 不在 {self.year} 年{KIND_NAMES[self.kind]}科目目录中（目录尚未完整）："
            f"请财政局管理员将其补入 {self.year} 年科目目录；在此之前按所填名称保存。"
        )
