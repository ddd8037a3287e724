from django.core.exceptions import ValidationError
from django.db import transaction

from disclosures.models import Disclosure, FindingAcknowledgement

from . import check_disclosure
from .registry import Finding, Severity


@transaction.atomic
def acknowledge(
    disclosure: Disclosure, finding: Finding, reason: str, user=None
) -> FindingAcknowledgement:
    """Accept a warning with a written reason. Errors cannot be acknowledged: they are fixed."""
    if finding.severity != Severity.WARNING:
        raise ValidationError(f"“{finding.message}”是错误，不能确认，只能更正。")
    if not reason.strip():
        raise ValidationError("确认警告须写明理由。")
    acknowledgement, _ = FindingAcknowledgement.objects.update_or_create(
        disclosure=disclosure,
        code=finding.code,
        table_key=finding.cell.table,
        row_key=finding.cell.row,
        column_key=finding.cell.column,
        defaults={
            "table": finding.table,
            "location": finding.location,
            "reason": reason.strip(),
            "acknowledged_by": user,
            "acknowledged_by_name": user.get_username() if user is not None else "",
        },
    )
    return acknowledgement


def acknowledge_key(
    disclosure: Disclosure, key: tuple[str, str, str, str], reason: str, user=None
) -> FindingAcknowledgement:
    """Acknowledge the current finding with this (code, table, row, column) key."""
    found = [
        f
        for f in check_disclosure(Disclosure.objects.with_contents().get(pk=disclosure.pk))
        if f.key == key
    ]
    if not found:
        raise ValidationError("该检查结果已不存在，无需确认。")
    return acknowledge(disclosure, found[0], reason, user)
