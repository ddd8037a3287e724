"""The one rule (disclosures/roles.py) gives the same answer for one disclosure (may) as for
a queryset (disclosures_for), for every persona, action and state."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from disclosures import roles, workflow
from disclosures.models import Disclosure, Region

PERSONAS = ("linxia_clerk", "zengcheng_clerk", "reviewer", "publisher", "region_admin", "admin")


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
        "region_admin": {"view"},
        "admin": {"view", "acknowledge", "approve", "return"},
    }
    for name, actions in expected.items():
        user = get_user_model().objects.get(username=name)
        assert {a.value for a in roles.Action if roles.may(user, a, submitted)} == actions, name


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["reviewer", "publisher", "region_admin"])
def test_region_roles_act_only_in_their_regions_and_below(in_every_state, name):
    staff = user(name)
    linxia = Region.objects.get(code="622901")  # two levels below 甘肃省 620000
    zengcheng = Region.objects.get(code="440118")
    assert {linxia, zengcheng} <= set(roles.managed_regions(staff))

    staff.assigned_regions.set([Region.objects.get(code="440000")])  # 广东省 only
    seen = set(roles.disclosures_for(staff).values_list("department__region__code", flat=True))
    assert seen == {"440118"}
    for disclosure in in_every_state:
        inside = disclosure.department.region_id == zengcheng.pk
        for action in roles.Action:
            if not inside:
                assert not roles.may(staff, action, disclosure), (action, disclosure)

    staff.assigned_regions.clear()  # a reviewer nobody gave a region sees nothing
    assert not roles.disclosures_for(staff).exists()
    assert not roles.visible_departments(staff).exists()


@pytest.mark.django_db
def test_a_reviewer_outside_the_region_finds_nothing_in_the_admin(client, in_every_state):
    reviewer = user("reviewer")
    reviewer.assigned_regions.set([Region.objects.get(code="440000")])
    client.force_login(reviewer)
    submitted = next(d for d in in_every_state if d.status == Disclosure.Status.SUBMITTED)
    assert client.get(f"/admin/disclosures/disclosure/{submitted.pk}/change/").status_code == 404
    listed = client.get("/admin/disclosures/disclosure/").content.decode()
    assert "临夏市" not in listed and "增城区" in listed
    response = client.post(f"/admin/disclosures/disclosure/{submitted.pk}/workflow/approve/")
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Disclosure.Status.SUBMITTED


@pytest.mark.django_db
def test_region_administrators_keep_their_regions_only():
    region_admin, reviewer, superuser = user("region_admin"), user("reviewer"), user("admin")
    gansu, linxia = Region.objects.get(code="620000"), Region.objects.get(code="622901")
    assert roles.administers(region_admin, linxia)
    assert not roles.administers(reviewer, linxia)  # reviewers read, they keep no roster
    region_admin.assigned_regions.set([Region.objects.get(code="440000")])
    assert not roles.administers(region_admin, gansu)
    assert not roles.administers(region_admin, linxia)
    assert roles.administers(superuser, linxia)


@pytest.mark.django_db
def test_regions_below_follows_the_tree_to_the_bottom():
    gansu = Region.objects.get(code="620000")
    below = roles.regions_below([gansu.pk])
    codes = set(Region.objects.filter(pk__in=below).values_list("code", flat=True))
    assert codes == {"620000", "622900", "622901"}


@pytest.mark.django_db
def test_the_upgrade_keeps_existing_reviewers_and_publishers_seeing_every_region():
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    migration = importlib.import_module("disclosures.migrations.0011_season")
    old = get_user_model().objects.create_user("old_reviewer", is_staff=True)
    old.groups.add(Group.objects.get(name="reviewer"))
    clerk = get_user_model().objects.create_user("old_clerk", is_staff=True)
    clerk.groups.add(Group.objects.get(name="clerk"))
    assert not roles.disclosures_for(old).exists()
    migration.keep_reviewers_and_publishers_seeing_everything(apps, None)
    assert set(old.assigned_regions.values_list("code", flat=True)) == {"620000", "440000"}
    assert roles.disclosures_for(old).count() == Disclosure.objects.count()
    assert not clerk.assigned_regions.exists()
