import pytest

from disclosures.demo.loader import load_demo


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # MD5 for speed; PBKDF2 too, for the demo accounts load_demo made before this fixture.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(scope="session", autouse=True)
def media_in_a_temporary_folder(tmp_path_factory):
    """Rendered files go to a temporary folder, not the project's media/."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, media_in_a_temporary_folder):
    """The test database holds the demo data, loaded once, as `make run` loads it."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def linxia_draft(db):
    """A correction draft of the published Linxia 2024 revision: the demo content, editable."""
    from django.contrib.auth import get_user_model

    from disclosures.models import Disclosure
    from disclosures.workflow import correct

    published = Disclosure.objects.get(
        department__name="临夏市人民代表大会常务委员会办公室", revision=1
    )
    return correct(published, get_user_model().objects.get(username="publisher"), "测试用更正")


@pytest.fixture
def clean_draft(linxia_draft):
    """The correction draft with the seed's mistakes fixed: no errors left."""
    from decimal import Decimal

    from disclosures.models import DepartmentPerformanceForm, Project

    form = DepartmentPerformanceForm.objects.get(disclosure=linxia_draft)
    form.basic_total = Decimal("821.07")
    form.save()
    Project.objects.filter(disclosure=linxia_draft).update(figures_unit="wan")
    for model, name, official in (
        ("generalbasicrow", "工作福利支出", "工资福利支出"),
        ("fiscalsummaryrow", "文化体育与传媒支出", "文化旅游体育与传媒支出"),
    ):
        rows = getattr(linxia_draft, f"{model}_set")
        field = "name" if model == "generalbasicrow" else "label"
        rows.filter(**{field: name}).update(**{field: official})
    return linxia_draft
