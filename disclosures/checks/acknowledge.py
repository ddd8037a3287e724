from django.core.exceptions import ValidationError
from django.db import transaction

from disclosures.models import Disclosure, FindingAcknowledgement

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
        table=finding.table,
        location=finding.location,
        defaults={"reason": reason.strip(), "acknowledged_by": user},
    )
    return acknowledgement
