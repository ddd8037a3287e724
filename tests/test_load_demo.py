import io

import pytest
from django.core import serializers
from django.core.management import call_command

from disclosures.models import Disclosure, Project, ProjectIndicator

pytestmark = pytest.mark.django_db


def snapshot() -> str:
    """Every row of the app and the users, in a stable order."""
    from django.apps import apps

    objects = []
    for model in [*apps.get_app_config("disclosures").get_models(), apps.get_model("auth", "User")]:
        objects.extend(model.objects.order_by("pk"))
    return serializers.serialize("json", objects)


def test_both_seeds_are_published_revision_one():
    disclosures = Disclosure.objects.order_by("department__name")
    assert [(d.department.name, d.fiscal_year, d.revision, d.status) for d in disclosures] == [
        ("临夏市人民代表大会常务委员会办公室", 2024, 1, "published"),
        ("广州市增城区人民代表大会常务委员会办公室", 2024, 1, "published"),
    ]


def test_project_and_indicator_counts():
    linxia = Disclosure.objects.get(department__name__startswith="临夏")
    zengcheng = Disclosure.objects.get(department__name__startswith="广州")
    assert linxia.projects.count() == 5
    assert zengcheng.projects.count() == 12
    assert ProjectIndicator.objects.filter(project__disclosure=linxia).count() == 26
    assert ProjectIndicator.objects.filter(project__disclosure=zengcheng).count() == 17
    assert linxia.department_form.indicators.count() == 6
    assert Project.objects.get(name="2024 年度人大会议经费").key_description.implementer


def test_running_it_twice_changes_nothing():
    before = snapshot()
    out = io.StringIO()
    # pytest-django runs with DEBUG off, which load_demo takes for production.
    call_command("load_demo", "--i-know-this-is-not-production", stdout=out)
    assert snapshot() == before
    assert "已存在，未改动" in out.getvalue()
