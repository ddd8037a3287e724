"""Roles as groups, and who may do what to which disclosure.

- 财务人员 (clerk): enters and edits the disclosures of the departments assigned to them
  (Department.clerks), explains (acknowledges) warnings, submits them.
- 审核人 (reviewer): reads every disclosure, approves or returns it with a reason,
  acknowledges warnings.
- 公开管理员 (publisher): publishes approved disclosures and starts corrections.
- superusers may do everything.

The groups and their permissions are kept in step after every migrate (apps.py).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CLERK, REVIEWER, PUBLISHER = "clerk", "reviewer", "publisher"

# Models whose rows make up a disclosure: clerks add, change and delete them.
CONTENT_MODELS = (
    "disclosure",
    "passage",
    "tableexplanation",
    "prioryearfigure",
    "changereason",
    "procurementbudget",
    "assetholdings",
    "departmentsummaryrow",
    "departmentincomerow",
    "departmentexpenserow",
    "fiscalsummaryrow",
    "fiscalbyunitrow",
    "generalexpenserow",
    "generalbasicrow",
    "threepublicrow",
    "officerunningrow",
    "fundexpenserow",
    "capitalexpenserow",
    "departmentperformanceform",
    "departmentindicator",
    "project",
    "projectindicator",
    "keyproject",
)
REFERENCE_MODELS = ("region", "department", "unit", "functionsubject", "economicsubject")
EVERYTHING = (*CONTENT_MODELS, *REFERENCE_MODELS, "workflowevent", "findingacknowledgement")


def _codenames(actions: tuple[str, ...], models: tuple[str, ...]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


ROLE_PERMISSIONS = {
    CLERK: [
        *_codenames(("add", "change", "delete", "view"), CONTENT_MODELS),
        *_codenames(("view",), (*REFERENCE_MODELS, "workflowevent")),
        *_codenames(("add", "change", "view"), ("findingacknowledgement",)),
        "submit_disclosure",
    ],
    REVIEWER: [
        *_codenames(("view",), EVERYTHING),
        *_codenames(("add", "change"), ("findingacknowledgement",)),
        "review_disclosure",
    ],
    PUBLISHER: [*_codenames(("view",), EVERYTHING), "publish_disclosure"],
}


def ensure_roles(**_kwargs) -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            Q(content_type__app_label="disclosures"), codename__in=codenames
        )
        group.permissions.set(permissions)


def editable_departments(user):
    """The departments whose drafts the user may edit (and import into): every one for a
    superuser, a clerk's assigned ones, none for anybody else."""
    from disclosures.models import Department

    if not user.is_active:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    if not user.has_perm("disclosures.change_disclosure"):
        return Department.objects.none()
    return Department.objects.filter(clerks=user)


def may_edit(user, disclosure) -> bool:
    """Clerks edit drafts of their own departments; nobody edits anything else."""
    if disclosure.status != disclosure.Status.DRAFT:
        return False
    return editable_departments(user).filter(pk=disclosure.department_id).exists()
