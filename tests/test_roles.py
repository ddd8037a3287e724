"""The one rule (disclosures/roles.py) gives the same answer for one disclosure (may) as for
a queryset (disclosures_for), for every persona, action and state."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from disclosures import roles, workflow
from disclosures.models import Disclosure

PERSONAS = ("linxia_clerk", "zengcheng_clerk", "reviewer", "publisher", "admin")


@pytest.fixture
def in_every_state(clean_draft):
    """Linxia's revisions published, submitted and draft; Zengcheng's published and draft."""
    User = get_user_model()
    workflow.submit(clean_draft, User.objects.get(username="linxia_clerk"))
    zengcheng = Disclosure.objects.get(department__name__startswith="广州", revision=1)
    workflow.correct(zengcheng, User.objects.get(username="publisher"), "测试")
    return list(Disclosure.objects.all())


@pytest.mark.django_db
def test_may_and_disclosures_for_agree(in_every_state):
    users = [get_user_model().objects.get(username=name) for name in PERSONAS]
    for user in [AnonymousUser(), *users]:
        for action in roles.Action:
            allowed = set(roles.disclosures_for(user, action).values_list("pk", flat=True))
            for disclosure in in_every_state:
                assert roles.may(user, action, disclosure) == (disclosure.pk in allowed), (
                    user,
                    action,
                    disclosure,
                )


@pytest.mark.django_db
def test_who_may_do_what_to_a_submitted_draft(in_every_state):
    submitted = next(d for d in in_every_state if d.status == Disclosure.Status.SUBMITTED)
    expected = {
        "linxia_clerk": {"view", "acknowledge"},
        "zengcheng_clerk": set(),
        "reviewer": {"view", "acknowledge", "approve", "return"},
        "publisher": {"view", "return"},
        "admin": {"view", "acknowledge", "approve", "return"},
    }
    for name, actions in expected.items():
        user = get_user_model().objects.get(username=name)
        assert {a.value for a in roles.Action if roles.may(user, a, submitted)} == actions, name
