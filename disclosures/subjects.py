"""Code hierarchy of the classification catalogues (政府收支分类科目).

支出功能分类: 类/款/项 codes of 3/5/7 digits (201 → 20101 → 2010101).
部门预算支出经济分类: 类/款 codes of 3/5 digits (301 → 30101).
"""

import re

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


# One year's catalogue of one kind, and the one message for a code outside it -----------

KIND_NAMES = {"function": "支出功能分类", "economic": "经济分类"}


class Catalogue:
    """The official names of one year's function or economic catalogue, by code.

    Every door that takes a subject code (the admin, the flat import, the workbook
    import) asks `problem` here, so a code is judged and refused in one way.
    """

    def __init__(self, kind: str, year: int, names: dict[str, str]):
        self.kind, self.year, self.names = kind, year, names

    @classmethod
    def of(cls, kind: str, year: int) -> "Catalogue":
        from disclosures.models import EconomicSubject, FunctionSubject

        model = EconomicSubject if kind == "economic" else FunctionSubject
        return cls(kind, year, model.objects.names(year))

    def __contains__(self, code: str) -> bool:
        return code in self.names

    def name(self, code: str) -> str:
        return self.names.get(code, "")

    def problem(self, code: str) -> str | None:
        """Why `code` cannot name a row of this catalogue's tables, or None."""
        valid = is_economic_code if self.kind == "economic" else is_function_code
        if not valid(code) or code not in self.names:
            return f"科目编码 {code} 不在 {self.year} 年{KIND_NAMES[self.kind]}科目中。"
        return None
