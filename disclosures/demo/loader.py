"""Load the two seed documents as published disclosures (python manage.py load_demo).

Idempotent: reference data is created only where missing, and a disclosure that
already exists is left untouched (a published revision never changes).
"""

from collections.abc import Iterable
from decimal import Decimal
from types import ModuleType

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from disclosures.models import (
    AssetHoldings,
    CapitalExpenseRow,
    ChangeReason,
    Department,
    DepartmentExpenseRow,
    DepartmentIncomeRow,
    DepartmentIndicator,
    DepartmentPerformanceForm,
    DepartmentSummaryRow,
    Disclosure,
    FiscalByUnitRow,
    FiscalSummaryRow,
    FundExpenseRow,
    GeneralBasicRow,
    GeneralExpenseRow,
    KeyProject,
    OfficeRunningRow,
    Passage,
    PriorYearFigure,
    ProcurementBudget,
    Project,
    ProjectIndicator,
    Region,
    TableExplanation,
    ThreePublicRow,
    Unit,
    UnitRow,
    WorkflowEvent,
)
from disclosures.models.tables import money_fields
from disclosures.roles import CLERK, PUBLISHER, REVIEWER
from disclosures.tasks import render_published_files

from . import linxia_2024, zengcheng_2024

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 — demo-only accounts, listed in the README


def D(value: str | None) -> Decimal:
    """A transcribed amount: "" (a blank cell) is zero."""
    return Decimal(value) if value else Decimal("0")


def load_demo() -> list[str]:
    """Load both demo disclosures and the demo admin; returns what was done, line by line."""
    with transaction.atomic():
        done = [
            load_disclosure(linxia_2024, _fill_linxia),
            load_disclosure(zengcheng_2024, _fill_zengcheng),
            _demo_accounts(),
        ]
    # Published revisions have their PDF and workbook, as publishing would have rendered them.
    missing = Q(pdf__isnull=True) | Q(workbook__isnull=True)
    for disclosure in Disclosure.objects.published().filter(missing):
        render_published_files.enqueue(disclosure.pk)
        done.append(f"已生成 PDF 和 Excel 工作簿：{disclosure}")
    return done


def load_disclosure(source: ModuleType, fill) -> str:
    department = _reference_data(source)
    meta = source.DISCLOSURE
    existing = Disclosure.objects.filter(
        department=department,
        fiscal_year=meta["fiscal_year"],
        kind=meta["kind"],
        revision=meta["revision"],
    ).first()
    if existing is not None:
        return f"已存在，未改动：{existing}"
    # Entered from a published document, whose figures are rounded to 0.01 万元. Filled as
    # a draft, then marked published as it was in reality: the seeds were published with
    # their mistakes, which the workflow (disclosures/workflow.py) would now refuse.
    disclosure = Disclosure.objects.create(department=department, amounts_rounded=True, **meta)
    fill(disclosure, source)
    Disclosure.objects.filter(pk=disclosure.pk).update(
        status=Disclosure.Status.PUBLISHED, printed_names=disclosure.names_now()
    )
    # The record says what happened: loaded from the printed document, not reviewed here.
    WorkflowEvent.objects.create(
        disclosure=disclosure,
        action=WorkflowEvent.Action.PUBLISH,
        from_status=Disclosure.Status.DRAFT,
        to_status=Disclosure.Status.PUBLISHED,
        username="load_demo",
        reason="演示数据：按已印发的文件原样录入并标为已公开，原文的错误保留，供检查发现。",
    )
    disclosure.refresh_from_db()
    return f"已载入：{disclosure}"


def _reference_data(source: ModuleType) -> Department:
    for code, name, parent_code in source.REGIONS:
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": Region.objects.get(code=parent_code) if parent_code else None,
            },
        )
    department, _ = Department.objects.get_or_create(
        region=Region.objects.get(code=source.REGION), name=source.DEPARTMENT
    )
    for position, (name, is_headquarters) in enumerate(source.UNITS, start=1):
        Unit.objects.get_or_create(
            department=department,
            name=name,
            defaults={"is_headquarters": is_headquarters, "position": position},
        )
    return department


def _positioned(model, disclosure: Disclosure, rows: Iterable[dict]) -> None:
    model.objects.bulk_create(
        model(disclosure=disclosure, position=position, **row)
        for position, row in enumerate(rows, start=1)
    )


def _unit_rows(
    model, disclosure: Disclosure, rows: Iterable[tuple], fields: tuple[str, ...]
) -> None:
    headquarters = disclosure.department.units.get(is_headquarters=True)
    _positioned(
        model,
        disclosure,
        (
            {
                "kind": kind,
                "label": label,
                "unit": headquarters if kind == UnitRow.Kind.UNIT else None,
                **{field: D(value) for field, value in zip(fields, values, strict=True)},
            }
            for kind, label, *values in rows
        ),
    )


def _subject_rows(
    model, disclosure: Disclosure, rows: Iterable[tuple], fields: tuple[str, ...]
) -> None:
    _positioned(
        model,
        disclosure,
        (
            {"code": code, "name": name, **{f: D(v) for f, v in zip(fields, values, strict=True)}}
            for code, name, *values in rows
        ),
    )


def _fill_linxia(disclosure: Disclosure, source: ModuleType) -> None:
    Passage.objects.bulk_create(
        Passage(disclosure=disclosure, section=section, text=text)
        for section, text in source.PASSAGES.items()
    )
    TableExplanation.objects.bulk_create(
        TableExplanation(disclosure=disclosure, table=table, text=text)
        for table, text in source.TABLE_EXPLANATIONS.items()
    )
    for item, code, amount, reason in source.PRIOR_YEAR:
        PriorYearFigure.objects.create(
            disclosure=disclosure, item=item, subject_code=code, amount=D(amount)
        )
        if reason:
            ChangeReason.objects.create(
                disclosure=disclosure, item=item, subject_code=code, text=reason
            )
    ProcurementBudget.objects.create(
        disclosure=disclosure, **{k: D(v) for k, v in source.PROCUREMENT.items()}
    )
    AssetHoldings.objects.create(
        disclosure=disclosure,
        **{k: v if isinstance(v, int) else D(v) for k, v in source.ASSETS.items()},
    )

    summary = ("side", "item", "subject_code", "label")
    _positioned(
        DepartmentSummaryRow,
        disclosure,
        (
            {**dict(zip(summary, row[:4], strict=True)), "amount": D(row[4])}
            for row in source.TABLE_1
        ),
    )
    _positioned(
        DepartmentIncomeRow,
        disclosure,
        (
            {"item": item, "label": label, "amount": D(value)}
            for item, label, value in source.TABLE_2
        ),
    )
    _positioned(
        FiscalSummaryRow,
        disclosure,
        (
            {**dict(zip(summary, row[:4], strict=True)), "amount": D(row[4])}
            for row in source.TABLE_4
        ),
    )
    _subject_rows(
        DepartmentExpenseRow,
        disclosure,
        source.TABLE_3,
        ("total", "basic", "project", "carried_forward"),
    )
    _unit_rows(
        FiscalByUnitRow,
        disclosure,
        source.TABLE_5,
        ("total", "general_total", "general_basic", "general_project"),
    )
    _subject_rows(GeneralExpenseRow, disclosure, source.TABLE_6, money_fields(GeneralExpenseRow))
    _subject_rows(GeneralBasicRow, disclosure, source.TABLE_7, money_fields(GeneralBasicRow))
    _unit_rows(ThreePublicRow, disclosure, source.TABLE_8, money_fields(ThreePublicRow))
    _subject_rows(OfficeRunningRow, disclosure, source.TABLE_9, money_fields(OfficeRunningRow))
    _subject_rows(FundExpenseRow, disclosure, source.TABLE_10, money_fields(FundExpenseRow))
    _subject_rows(CapitalExpenseRow, disclosure, source.TABLE_11, money_fields(CapitalExpenseRow))

    spec = dict(source.DEPARTMENT_FORM)
    indicators = spec.pop("indicators")
    goals = spec.pop("goals")
    form = DepartmentPerformanceForm.objects.create(
        disclosure=disclosure, goals=goals, **{k: D(v) for k, v in spec.items()}
    )
    DepartmentIndicator.objects.bulk_create(
        DepartmentIndicator(form=form, position=n, level1=l1, level2=l2, level3=l3, target=target)
        for n, (l1, l2, l3, target) in enumerate(indicators, start=1)
    )

    unit = disclosure.department.units.get(is_headquarters=True)
    for position, spec in enumerate(source.PROJECTS, start=1):
        project = Project.objects.create(
            disclosure=disclosure,
            position=position,
            unit=unit,
            name=spec["name"],
            category=spec["category"],
            total=D(spec["total"]),
            current_appropriation=D(spec["total"]),
            figures_unit=Project.FiguresUnit.YUAN,
            goal=spec["goal"],
        )
        ProjectIndicator.objects.bulk_create(
            ProjectIndicator(
                project=project, position=n, level1=l1, level2=l2, level3=l3, annual_target=target
            )
            for n, (l1, l2, l3, target) in enumerate(spec["indicators"], start=1)
        )
        if "key" in spec:
            KeyProject.objects.create(project=project, **spec["key"])


def _fill_zengcheng(disclosure: Disclosure, source: ModuleType) -> None:
    unit = disclosure.department.units.get(is_headquarters=True)
    for position, spec in enumerate(source.PROJECTS, start=1):
        total, appropriation, special_account, other = (D(v) for v in spec["amounts"])
        project = Project.objects.create(
            disclosure=disclosure,
            position=position,
            unit=unit,
            name=spec["name"],
            total=total,
            current_appropriation=appropriation,
            special_account=special_account,
            other_funds=other,
            goal=spec["goal"],
        )
        ProjectIndicator.objects.bulk_create(
            ProjectIndicator(
                project=project,
                position=n,
                level1_code=level1[0],
                level1=level1[1],
                level2_code=level2[0],
                level2=level2[1],
                level3=level3,
                period_target=period,
                annual_target=annual,
            )
            for n, (level1, level2, level3, period, annual) in enumerate(
                spec["indicators"], start=1
            )
        )


# Demo accounts, demo only (the README lists them): username, role, department assigned.
DEMO_ACCOUNTS = (
    ("linxia_clerk", CLERK, linxia_2024.DEPARTMENT),
    ("zengcheng_clerk", CLERK, zengcheng_2024.DEPARTMENT),
    ("reviewer", REVIEWER, None),
    ("publisher", PUBLISHER, None),
)


def _demo_accounts() -> str:
    """The demo users with their roles; existing accounts are left as they are."""
    User = get_user_model()
    created = []
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)
        created.append("admin")
    for username, role, department in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username, f"{username}@example.invalid", DEMO_PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        if department:
            Department.objects.get(name=department).clerks.add(user)
        created.append(username)
    if not created:
        return "演示账号已存在，未改动"
    return f"已创建演示账号（仅供演示，密码 {DEMO_PASSWORD}）：{'、'.join(created)}"
