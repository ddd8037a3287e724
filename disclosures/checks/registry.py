"""The checks registry: each check a small function over a disclosure's Facts.

A check yields Findings. It is registered once with a stable code and a severity:
errors block submission and publication, warnings are shown and may be acknowledged
with a written reason.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from disclosures import money
from disclosures.facts import Facts


class Severity(models.TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("警告")


@dataclass(frozen=True)
class Cell:
    """Where a finding points, by stable keys rather than printed text.

    table: a spec key (general_expense), or department_form, project_form, narrative,
    procurement, catalogue. row: the row's key (a subject code, a fixed item such as
    expense:function_class:201, unit:7, department, total; project:2 on a project form,
    with :indicator:3 for one of its indicators). column: a model field. Empty row and
    column: the finding is about the whole table or disclosure.
    """

    table: str = ""
    row: str = ""
    column: str = ""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    table: str
    location: str
    message: str
    expected: str = ""
    found: str = ""
    acknowledged: str = ""  # the reason, once a reviewer has acknowledged the warning
    cell: Cell = Cell()

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What an acknowledgement is kept against: the check and the cell, so a reworded
        message or a renumbered layout does not lose it."""
        return (self.code, self.cell.table, self.cell.row, self.cell.column)

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "table": self.table,
            "location": self.location,
            "table_key": self.cell.table,
            "row_key": self.cell.row,
            "column_key": self.cell.column,
            "expected": self.expected,
            "found": self.found,
            "message": self.message,
            "acknowledged": self.acknowledged,
        }


CheckFunction = Callable[[Facts], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    title: str
    function: CheckFunction


REGISTRY: dict[str, Check] = {}


def register(code: str, severity: str, title: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under a stable code; its findings carry that code and severity."""

    def decorator(function: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"check {code} registered twice")
        REGISTRY[code] = Check(code, severity, title, function)
        return function

    return decorator


@translation.override("zh-hans")  # messages name tables by their Chinese titles
def run_checks(facts: Facts) -> list[Finding]:
    """Every registered check on one disclosure, acknowledged warnings marked."""
    findings = []
    for check in REGISTRY.values():
        for finding in check.function(facts):
            finding = replace(finding, code=check.code, severity=check.severity)
            if check.severity == Severity.WARNING and finding.key in facts.acknowledgements:
                finding = replace(finding, acknowledged=facts.acknowledgements[finding.key])
            findings.append(finding)
    return findings


# Building findings ------------------------------------------------------------------------


def figure(amount: Decimal) -> str:
    return money.format_amount(amount)


def tolerance(facts: Facts, parts: list[Decimal]) -> Decimal:
    """Rounding slack when a sum of figures each rounded to 0.01 万元 is compared with its
    rounded total: the rounding errors of k non-zero parts and of the total add up to at
    most 0.005 × (k + 1), so a difference of whole cents below that can be rounding. A
    single figure compared with the same figure elsewhere has no slack; nor has anything
    in a disclosure whose amounts are exact."""
    nonzero = sum(1 for part in parts if part)
    if not facts.disclosure.amounts_rounded or nonzero < 2:
        return Decimal("0")
    return Decimal("0.005") * (nonzero + 1)


def compare(
    facts: Facts,
    *,
    table: str,
    location: str,
    expected: Decimal | list[Decimal],
    found: Decimal,
    rule: str,
    cell: Cell = Cell(),
) -> Iterator[Finding]:
    """A finding when `found` differs from `expected` (a figure, or the parts it sums) by
    more than the rounding slack."""
    parts = expected if isinstance(expected, list) else [expected]
    total = sum(parts, Decimal("0"))
    slack = tolerance(facts, parts)
    difference = found - total
    if abs(difference) <= slack:
        return
    note = f"（按各数四舍五入录入计，允许误差 ±{slack.normalize():f} 万元）" if slack else ""
    yield Finding(
        code="",
        severity="",
        table=table,
        location=location,
        cell=cell,
        expected=figure(total),
        found=figure(found),
        message=(
            f"{table}{location}应为 {figure(total)}（{rule}），实为 {figure(found)}，"
            f"相差 {figure(difference)} 万元{note}。"
        ),
    )


def finding(
    table: str,
    location: str,
    message: str,
    *,
    cell: Cell = Cell(),
    expected: str = "",
    found: str = "",
) -> Finding:
    return Finding(
        code="",
        severity="",
        table=table,
        location=location,
        cell=cell,
        message=message,
        expected=expected,
        found=found,
    )
