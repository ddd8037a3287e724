"""What must hold is enforced by the database itself, not only by forms."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from disclosures.models import (
    ChangeReason,
    Department,
    DepartmentSummaryRow,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    GeneralBasicRow,
    GeneralExpenseRow,
    Project,
    ThreePublicRow,
    Unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    department = Department.objects.get(name="临夏市人民代表大会常务委员会办公室")
    return Disclosure.objects.create(department=department, fiscal_year=2025)


def rejected():
    """The database refuses the write: a constraint (IntegrityError) or, for a value longer
    than its column, PostgreSQL's DataError (SQLite has no length limit; the format check
    catches it there)."""
    return pytest.raises(DatabaseError)


def test_a_negative_amount_is_rejected(draft):
    with rejected(), transaction.atomic():
        GeneralExpenseRow.objects.create(
            disclosure=draft,
            position=1,
            code="201",
            name="一般公共服务支出",
            total=Decimal("-0.01"),
        )


def test_a_negative_project_amount_is_rejected(draft):
    with rejected(), transaction.atomic():
        Project.objects.create(
            disclosure=draft,
            position=1,
            name="项目",
            total=Decimal("10"),
            other_funds=Decimal("-1"),
        )


def test_a_zero_amount_is_accepted(draft):
    GeneralExpenseRow.objects.create(
        disclosure=draft, position=1, code="201", name="一般公共服务支出"
    )


def test_a_duplicate_disclosure_revision_is_rejected(draft):
    with rejected(), transaction.atomic():
        Disclosure.objects.create(department=draft.department, fiscal_year=2025, revision=1)
    # The next revision, or another kind, is fine.
    Disclosure.objects.create(department=draft.department, fiscal_year=2025, revision=2)
    Disclosure.objects.create(
        department=draft.department, fiscal_year=2025, kind=Disclosure.Kind.FINAL_ACCOUNTS
    )


def test_revision_zero_is_rejected(draft):
    with rejected(), transaction.atomic():
        Disclosure.objects.create(department=draft.department, fiscal_year=2026, revision=0)


@pytest.mark.parametrize("code", ["2011", "20", "2010101X", "20A01", "201010101"])
def test_malformed_function_codes_are_rejected(draft, code):
    with rejected(), transaction.atomic():
        GeneralExpenseRow.objects.create(disclosure=draft, position=1, code=code, name="x")


@pytest.mark.parametrize("code", ["3010", "3020101", "30x01"])
def test_malformed_economic_codes_are_rejected(draft, code):
    with rejected(), transaction.atomic():
        GeneralBasicRow.objects.create(disclosure=draft, position=1, code=code, name="x")


def test_catalogue_codes_have_the_format_of_their_classification():
    with rejected(), transaction.atomic():
        EconomicSubject.objects.create(year=2030, code="3010101", name="x")
    with rejected(), transaction.atomic():
        FunctionSubject.objects.create(year=2030, code="2010", name="x")
    with rejected(), transaction.atomic():
        FunctionSubject.objects.create(year=2024, code="201", name="重复")


def test_one_total_row_and_one_row_per_subject(draft):
    GeneralExpenseRow.objects.create(disclosure=draft, position=1, code="", name="总计")
    with rejected(), transaction.atomic():
        GeneralExpenseRow.objects.create(disclosure=draft, position=2, code="", name="总计")
    GeneralExpenseRow.objects.create(
        disclosure=draft, position=3, code="201", name="一般公共服务支出"
    )
    with rejected(), transaction.atomic():
        GeneralExpenseRow.objects.create(disclosure=draft, position=4, code="201", name="again")
    with rejected(), transaction.atomic():
        GeneralExpenseRow.objects.create(
            disclosure=draft, position=3, code="208", name="same place"
        )


def test_unit_rows_name_a_unit_exactly_when_they_are_unit_rows(draft):
    unit = Unit.objects.get(department=draft.department)
    ThreePublicRow.objects.create(
        disclosure=draft, position=1, kind="unit", unit=unit, label=unit.name
    )
    with rejected(), transaction.atomic():
        ThreePublicRow.objects.create(disclosure=draft, position=2, kind="unit", label="no unit")
    with rejected(), transaction.atomic():
        ThreePublicRow.objects.create(
            disclosure=draft, position=3, kind="total", unit=unit, label="总计"
        )


def test_summary_items_stay_on_their_side(draft):
    with rejected(), transaction.atomic():
        DepartmentSummaryRow.objects.create(
            disclosure=draft, position=1, side="expense", item="business", label="事业收入"
        )
    with rejected(), transaction.atomic():
        DepartmentSummaryRow.objects.create(
            disclosure=draft, position=2, side="expense", item="function_class", label="无编码"
        )


def test_change_reason_names_a_class_only_for_function_classes(draft):
    with rejected(), transaction.atomic():
        ChangeReason.objects.create(disclosure=draft, item="basic", subject_code="201", text="x")
    ChangeReason.objects.create(
        disclosure=draft, item="function_class", subject_code="201", text="x"
    )


def test_a_units_parent_belongs_to_the_same_department(draft):
    from django.core.exceptions import ValidationError

    other = Unit.objects.get(department__name__startswith="广州")
    unit = Unit(department=draft.department, parent=other, name="下属单位")
    with pytest.raises(ValidationError, match="不属于本部门"):
        unit.full_clean()
