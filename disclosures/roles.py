"""Roles as groups, and the one rule of who may do what to which disclosure.

- 财务人员 (clerk): enters and edits the drafts of the departments assigned to them
  (Department.clerks), explains (acknowledges) warnings, submits them.
- 审核人 (reviewer): reads the disclosures of the regions assigned to them (Region.staff)
  and the regions below, approves or returns them with a reason, acknowledges warnings.
- 公开管理员 (publisher): publishes approved disclosures of their regions and starts
  corrections.
- 财政局管理员 (region administrator): keeps the roster of their regions (regions,
  departments, units, accounts), the catalogues and their completeness, and 批复日期;
  reads their regions' disclosures and compliance.
- superusers may do everything, everywhere.

Every door asks this module: the admin (its own views and those django-simple-history and
django-import-export add), the staff pages, the workflow functions, the imports, and the
choices of every form that names a disclosure. `may()` answers for one disclosure,
`disclosures_for()` gives the same answer as a queryset. The groups and their permissions
are kept in step after every migrate (apps.py).
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, TextChoices
from django.utils.translation import gettext_lazy as _

CLERK, REVIEWER, PUBLISHER, REGION_ADMIN = "clerk", "reviewer", "publisher", "region_admin"
ROLE_NAMES = {
    CLERK: _("财务人员"),
    REVIEWER: _("审核人"),
    PUBLISHER: _("公开管理员"),
    REGION_ADMIN: _("财政局管理员"),
}
# Roles that act on regions (Region.staff) rather than on departments (Department.clerks).
REGION_ROLES = (REVIEWER, PUBLISHER, REGION_ADMIN)

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
CATALOGUE_MODELS = ("catalogueyear", "functionsubject", "economicsubject")
ROSTER_MODELS = ("region", "department", "unit", "budgetapproval")
REFERENCE_MODELS = (*ROSTER_MODELS, *CATALOGUE_MODELS)
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
    REGION_ADMIN: [
        *_codenames(("view",), EVERYTHING),
        *_codenames(("add", "change"), (*ROSTER_MODELS, *CATALOGUE_MODELS)),
        *_codenames(("delete",), ("unit", "budgetapproval", "functionsubject", "economicsubject")),
        "manage_roster",
    ],
}


def ensure_roles(**_kwargs) -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            Q(content_type__app_label="disclosures"), codename__in=codenames
        )
        group.permissions.set(permissions)


class Action(TextChoices):
    """What a user may do to a disclosure. The workflow steps share their names with
    WorkflowEvent.Action."""

    VIEW = "view", _("查看")
    EDIT = "edit", _("修改")
    ACKNOWLEDGE = "acknowledge", _("确认警告")
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回修改")
    PUBLISH = "publish", _("公开")
    CORRECT = "correct", _("发起更正")


DRAFT, SUBMITTED, APPROVED, PUBLISHED = "draft", "submitted", "approved", "published"


@dataclass(frozen=True)
class Rule:
    statuses: tuple[str, ...]  # the disclosure's status allows the action
    permissions: tuple[str, ...]  # any one of them, besides seeing the disclosure
    own_departments: bool = False  # only in the departments the user is assigned to


RULES = {
    Action.VIEW: Rule((DRAFT, SUBMITTED, APPROVED, PUBLISHED), ()),
    Action.EDIT: Rule((DRAFT,), ("change_disclosure",), own_departments=True),
    Action.ACKNOWLEDGE: Rule((DRAFT, SUBMITTED, APPROVED), ("add_findingacknowledgement",)),
    Action.SUBMIT: Rule((DRAFT,), ("submit_disclosure",), own_departments=True),
    Action.APPROVE: Rule((SUBMITTED,), ("review_disclosure",)),
    Action.RETURN: Rule((SUBMITTED, APPROVED), ("review_disclosure", "publish_disclosure")),
    Action.PUBLISH: Rule((APPROVED,), ("publish_disclosure",)),
    Action.CORRECT: Rule((PUBLISHED,), ("publish_disclosure",)),
}
WORKFLOW_STEPS = (Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.PUBLISH, Action.CORRECT)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_every_department(user) -> bool:
    """Superusers act everywhere; everybody else within their regions or departments."""
    return _active(user) and user.is_superuser


def regions_below(region_ids) -> list[int]:
    """These regions and every region under them (the tree is small: one query a level)."""
    from disclosures.models import Region

    found, level = set(), set(region_ids)
    while level:
        found |= level
        level = set(
            Region.objects.filter(parent__in=level)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
    return sorted(found)


def managed_regions(user):
    """The regions a reviewer, publisher or region administrator acts in: those assigned to
    them (Region.staff) and every region below; every region for a superuser."""
    from disclosures.models import Region

    if sees_every_department(user):
        return Region.objects.all()
    if not _active(user):
        return Region.objects.none()
    assigned = Region.objects.filter(staff=user).values_list("pk", flat=True)
    return Region.objects.filter(pk__in=regions_below(assigned))


def administers(user, region=None) -> bool:
    """May the user keep the roster, 批复日期 and catalogues (of this region)?"""
    if not _active(user) or not user.has_perm("disclosures.manage_roster"):
        return False
    if sees_every_department(user) or region is None:
        return True
    return managed_regions(user).filter(pk=region.pk).exists()


def keeps_catalogues(user) -> bool:
    """May the user change the classification catalogues? They are one per year for every
    region, so only superusers and the administrators of a top-level region (a province's
    finance department) keep them; a county's administrator reads them."""
    if not administers(user):
        return False
    if sees_every_department(user):
        return True
    from disclosures.models import Region

    return Region.objects.filter(staff=user, parent=None).exists()


def accounts_in_scope(user):
    """The accounts a region administrator may assign and update (the roster): those
    working within their regions (as clerks or region staff) and accounts assigned nowhere
    yet, never a superuser; every account for a superuser."""
    from django.contrib.auth import get_user_model

    from disclosures.models import Region

    User = get_user_model()
    if sees_every_department(user):
        return User.objects.all()
    if not administers(user):
        return User.objects.none()
    elsewhere = Region.objects.exclude(pk__in=managed_regions(user))
    outside = User.objects.filter(
        Q(assigned_regions__in=elsewhere) | Q(assigned_departments__region__in=elsewhere)
    )
    return User.objects.filter(is_superuser=False).exclude(pk__in=outside)


def editable_departments(user):
    """The departments whose drafts the user may edit (and import into): every one for a
    superuser, a clerk's assigned ones, none for anybody else."""
    from disclosures.models import Department

    if not _active(user) or not user.has_perm("disclosures.change_disclosure"):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(clerks=user)


def visible_departments(user):
    """The departments whose disclosures, drafts included, the user may read: a clerk's
    own, and every department of the regions a reviewer, publisher or region
    administrator acts in."""
    from disclosures.models import Department

    if sees_every_department(user):
        return Department.objects.all()
    if not _active(user):
        return Department.objects.none()
    return Department.objects.filter(
        Q(clerks=user) | Q(region__in=managed_regions(user))
    ).distinct()


def _has_any(user, permissions: tuple[str, ...]) -> bool:
    return not permissions or any(user.has_perm(f"disclosures.{p}") for p in permissions)


def _scope(user, rule: Rule):
    """The departments a rule lets this user act in: None for every one."""
    if rule.own_departments:
        return editable_departments(user)
    if sees_every_department(user):
        return None
    return visible_departments(user)


def permitted(user, action: str, disclosure) -> bool:
    """The user's role and departments allow the action on this disclosure, whatever its
    status now (the workflow tells a wrong state apart from a missing right)."""
    rule = RULES[Action(action)]
    if not _active(user) or not _has_any(user, rule.permissions):
        return False
    departments = _scope(user, rule)
    return departments is None or departments.filter(pk=disclosure.department_id).exists()


def status_allows(action: str, disclosure) -> bool:
    return disclosure.status in RULES[Action(action)].statuses


def may(user, action: str, disclosure) -> bool:
    """May this user do this to this disclosure now? The one answer every door asks."""
    return status_allows(action, disclosure) and permitted(user, action, disclosure)


def may_edit(user, disclosure) -> bool:
    """Clerks edit drafts of their own departments; nobody edits anything else."""
    return may(user, Action.EDIT, disclosure)


def disclosures_for(user, action: str = Action.VIEW):
    """The disclosures this user may do this to now, as a queryset: the same answer as
    may(), for lists and for the choices of forms."""
    from disclosures.models import Disclosure

    rule = RULES[Action(action)]
    if not _active(user) or not _has_any(user, rule.permissions):
        return Disclosure.objects.none()
    found = Disclosure.objects.filter(status__in=rule.statuses)
    departments = _scope(user, rule)
    return found if departments is None else found.filter(department__in=departments)


def steps_for(user, disclosure) -> list[str]:
    """The workflow steps this user may take on this disclosure now (the page's buttons;
    each step asks again when taken)."""
    return [step for step in WORKFLOW_STEPS if may(user, step, disclosure)]
