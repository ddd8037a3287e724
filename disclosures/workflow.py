"""The disclosure workflow: draft → submitted → approved → published, and back to draft
with a reason. Each transition is a plain function in one transaction, recorded with
who, when and why (WorkflowEvent). A correction copies a published revision into a new
draft revision; the published one never changes.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from disclosures import roles
from disclosures.checks import Severity, check_disclosure
from disclosures.models import (
    DepartmentPerformanceForm,
    Disclosure,
    DisclosurePDF,
    DisclosureWorkbook,
    Project,
    WorkflowEvent,
)
from disclosures.tasks import render_published_files

Status = Disclosure.Status
Action = WorkflowEvent.Action


class WorkflowError(ValidationError):
    """A transition the disclosure's state or content does not allow."""


def _locked(disclosure: Disclosure) -> Disclosure:
    return Disclosure.objects.select_for_update().get(pk=disclosure.pk)


def _authorize(user, action: str, disclosure: Disclosure) -> None:
    """The one rule (roles.py), asked of the locked row: a missing right is refused as
    such, a right taken in the wrong state says which state the disclosure is in."""
    if not roles.permitted(user, action, disclosure):
        raise PermissionDenied(f"您没有对“{disclosure}”执行“{Action(action).label}”的权限。")
    if not roles.status_allows(action, disclosure):
        raise WorkflowError(
            f"“{disclosure}”当前状态为“{disclosure.get_status_display()}”，"
            f"不能{Action(action).label}。"
        )


def _refuse_errors(disclosure: Disclosure, doing: str) -> None:
    errors = [
        f
        for f in check_disclosure(Disclosure.objects.with_contents().get(pk=disclosure.pk))
        if f.severity == Severity.ERROR
    ]
    if errors:
        shown = "前 5 项：" if len(errors) > 5 else ""
        listed = "".join(f.message for f in errors[:5])
        raise WorkflowError(f"检查发现 {len(errors)} 项错误，不能{doing}。{shown}{listed}")


def _move(disclosure, user, action, to_status, reason="", refuse_errors=False, **fields):
    locked = _locked(disclosure)
    _authorize(user, action, locked)
    if refuse_errors:
        _refuse_errors(locked, Action(action).label)
    from_status = locked.status
    locked.status = to_status
    for name, value in fields.items():
        setattr(locked, name, value(locked) if callable(value) else value)
    locked._workflow_step = action
    locked.save()
    WorkflowEvent.objects.create(
        disclosure=locked,
        action=action,
        from_status=from_status,
        to_status=to_status,
        user=user,
        username=user.get_username(),
        reason=reason,
    )
    disclosure.refresh_from_db()
    return disclosure


def available_steps(disclosure: Disclosure, user) -> list[str]:
    """The workflow steps this user may take on this disclosure now (for buttons; each
    step checks again when taken)."""
    return roles.steps_for(user, disclosure)


@transaction.atomic
def submit(disclosure: Disclosure, user) -> Disclosure:
    """A clerk submits a draft of their department for review; refused while errors remain."""
    return _move(disclosure, user, Action.SUBMIT, Status.SUBMITTED, refuse_errors=True)


@transaction.atomic
def approve(disclosure: Disclosure, user) -> Disclosure:
    return _move(disclosure, user, Action.APPROVE, Status.APPROVED)


@transaction.atomic
def return_to_draft(disclosure: Disclosure, user, reason: str) -> Disclosure:
    """A reviewer (or publisher) sends a submitted or approved disclosure back, saying why."""
    if not reason.strip():
        raise WorkflowError("退回须写明理由。")
    return _move(disclosure, user, Action.RETURN, Status.DRAFT, reason.strip())


@transaction.atomic
def publish(disclosure: Disclosure, user) -> Disclosure:
    """Publish an approved revision; refused while errors remain. It never changes again,
    and it keeps the names it prints (department, region, units) as they are now."""
    published = _move(
        disclosure,
        user,
        Action.PUBLISH,
        Status.PUBLISHED,
        refuse_errors=True,
        published_at=timezone.now(),
        printed_names=lambda locked: locked.names_now(),
    )
    # The statutory PDF and workbook are rendered once, in the background, after the commit.
    transaction.on_commit(lambda: render_published_files.enqueue(published.pk))
    return published


# Rows below a disclosure's own rows, copied with their parent: (parent model, accessor, fk).
NESTED = {
    DepartmentPerformanceForm: (("indicators", "form"),),
    Project: (("indicators", "project"), ("key_description", "project")),
}


def _nested(instance):
    """(foreign key, rows) for the rows below `instance` that are copied with it."""
    for name, fk in NESTED.get(type(instance), ()):
        related = getattr(instance, name, None)
        if related is None:
            continue
        yield fk, list(related.all()) if hasattr(related, "all") else [related]


def _copy(instance, **changes):
    instance.pk = None
    instance.id = None
    instance._state.adding = True
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()
    return instance


@transaction.atomic
def correct(disclosure: Disclosure, user, note: str) -> Disclosure:
    """Start a correction (更正): a new draft revision holding a copy of the published one.

    Once the new revision is published it supersedes the old one, with `note` as its
    public correction note; the old revision stays as it was, readable.
    """
    if not note.strip():
        raise WorkflowError("更正须写明更正说明。")
    source = (
        Disclosure.objects.with_contents().select_for_update(of=("self",)).get(pk=disclosure.pk)
    )
    if source.status != Status.PUBLISHED and roles.permitted(user, Action.CORRECT, source):
        raise WorkflowError(f"“{source}”尚未公开，直接修改即可，无需更正。")
    _authorize(user, Action.CORRECT, source)
    newest = Disclosure.objects.filter(
        department=source.department_id, fiscal_year=source.fiscal_year, kind=source.kind
    ).aggregate(Max("revision"))["revision__max"]
    draft = Disclosure(
        department=source.department,
        fiscal_year=source.fiscal_year,
        kind=source.kind,
        revision=newest + 1,
        layout=source.layout,
        signed_on=source.signed_on,
        amounts_rounded=source.amounts_rounded,
        correction_note=note.strip(),
    )
    draft.save()
    for relation in Disclosure._meta.related_objects:
        if relation.related_model in (WorkflowEvent, DisclosurePDF, DisclosureWorkbook):
            continue  # the new revision has its own history and, once published, its own files
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            child = getattr(source, accessor, None)
            children = [child] if child is not None else []
        else:
            children = list(getattr(source, accessor).all())
        for child in children:
            below = list(_nested(child))
            copy = _copy(child, disclosure=draft)
            for fk, grandchildren in below:
                for grandchild in grandchildren:
                    _copy(grandchild, **{fk: copy})
    WorkflowEvent.objects.create(
        disclosure=draft,
        action=Action.CORRECT,
        from_status=Status.PUBLISHED,
        to_status=Status.DRAFT,
        user=user,
        username=user.get_username(),
        reason=note.strip(),
    )
    return draft


def take_step(disclosure: Disclosure, user, action: str, reason: str = "") -> Disclosure:
    """A workflow step by its name (the admin's buttons); returns the disclosure it leaves,
    which for a correction is the new draft revision."""
    steps = {
        Action.SUBMIT: lambda: submit(disclosure, user),
        Action.APPROVE: lambda: approve(disclosure, user),
        Action.RETURN: lambda: return_to_draft(disclosure, user, reason),
        Action.PUBLISH: lambda: publish(disclosure, user),
        Action.CORRECT: lambda: correct(disclosure, user, reason),
    }
    if action not in steps:
        raise Http404(f"no workflow step {action!r}")
    return steps[action]()
