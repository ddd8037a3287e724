"""A disclosure as a JSON-ready document (dump_disclosure, the staff JSON preview).

Tables and forms come from the specs, so every figure reads exactly as printed.
"""

from decimal import Decimal
from typing import Any

from django.utils import translation

from disclosures import money
from disclosures.checks import Facts, run_checks
from disclosures.models import Disclosure, Passage
from disclosures.rendering.narrative import narrative
from disclosures.specs import performance_forms, statutory_tables


def _amount(value: Decimal) -> str:
    return money.format_amount(value)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _fields(instance: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: _amount(value) if isinstance(value := getattr(instance, name), Decimal) else value
        for name in names
    }


@translation.override("zh-hans")  # the document's language, whatever the visitor's
def disclosure_document(disclosure: Disclosure, facts: Facts | None = None) -> dict[str, Any]:
    """Metadata, passages, the computed narrative, the statutory tables and the performance
    forms of one revision."""
    facts = facts or Facts.of(disclosure)
    department = disclosure.department
    order = {section: index for index, section in enumerate(Passage.Section.values)}
    passages = sorted(disclosure.passages.all(), key=lambda p: order[p.section])
    procurement = getattr(disclosure, "procurement", None)
    assets = getattr(disclosure, "assets", None)
    forms = performance_forms(disclosure)
    return {
        "department": department.name,
        "region": department.region.full_name,
        "region_code": department.region.code,
        "units": [
            {"name": unit.name, "is_headquarters": unit.is_headquarters}
            for unit in department.units.all()
        ],
        "fiscal_year": disclosure.fiscal_year,
        "kind": disclosure.kind,
        "kind_display": disclosure.get_kind_display(),
        "revision": disclosure.revision,
        "status": disclosure.status,
        "layout": disclosure.layout,
        "title": disclosure.title,
        "approved_on": _date(disclosure.approved_on),
        "signed_on": _date(disclosure.signed_on),
        "published_at": disclosure.published_at.isoformat() if disclosure.published_at else None,
        "correction_note": disclosure.correction_note,
        "passages": [
            {"section": p.section, "title": p.get_section_display(), "text": p.text}
            for p in passages
        ],
        "narrative": narrative(facts),
        "findings": [finding.as_dict() for finding in run_checks(facts)],
        "prior_year_figures": [
            {"item": f.item, "subject_code": f.subject_code, "amount": _amount(f.amount)}
            for f in disclosure.prior_year_figures.all()
        ],
        "change_reasons": [
            {"item": r.item, "subject_code": r.subject_code, "text": r.text}
            for r in disclosure.change_reasons.all()
        ],
        "procurement": procurement
        and _fields(
            procurement, ("total", "goods", "works", "services", "sme_reserved", "micro_reserved")
        ),
        "assets": assets
        and _fields(
            assets,
            (
                "fixed_assets",
                "office_space_area",
                "office_space_value",
                "vehicle_count",
                "vehicle_value",
                "large_equipment_value",
                "planned_purchases",
            ),
        ),
        "tables": [table.as_dict() for table in statutory_tables(disclosure)],
        "performance": {
            "department_form": forms["department_form"] and forms["department_form"].as_dict(),
            "project_forms": [form.as_dict() for form in forms["project_forms"]],
            "project_list": forms["project_list"] and forms["project_list"].as_dict(),
            "key_projects": [
                {
                    "name": project.name,
                    **_fields(
                        project.key_description,
                        ("overview", "basis", "implementer", "plan", "expected_goal"),
                    ),
                    "start_date": _date(project.key_description.start_date),
                    "end_date": _date(project.key_description.end_date),
                    "annual_budget": _amount(project.total),
                }
                for project in sorted(disclosure.projects.all(), key=lambda p: p.position)
                if getattr(project, "key_description", None)
            ],
        },
    }
