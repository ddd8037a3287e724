import os
from pathlib import Path

import pytest

from disclosures.fixtures.demo.loader import load_demo

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # MD5 for speed; PBKDF2 too, for the demo accounts load_demo made before this fixture.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with no cached page: the database a cached page was made
    from is rolled back after each test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


# Browser tests (Debian's chromium driven by Playwright) ---------------------------------


@pytest.fixture
def browser(monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the live server's ORM calls are in its own.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
        # Queries made while Playwright runs use connections of their own (its greenlet has
        # its own context); close them here, or PostgreSQL cannot drop the test database.
        connections.close_all()


def clerk_page(browser, live_server):
    """A page in Chinese, logged in to the admin as the Linxia clerk."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "linxia_clerk")
    page.fill("#id_password", "demo-pass-2024")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


@pytest.fixture
def demo_loaded(transactional_db):
    """The demo, for tests that commit (a live server must see the data). pytest-django runs
    them after all other tests and empties the database after each; so each loads the demo
    again when an earlier one left the database empty."""
    import importlib

    from django.apps import apps

    from disclosures.models import Disclosure, FunctionSubject

    if not FunctionSubject.objects.exists():  # a data migration loaded it; flush emptied it
        importlib.import_module("disclosures.migrations.0002_catalogue_2024").load(apps, None)
    if not Disclosure.objects.exists():
        load_demo()


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def complete_catalogues(db):
    """The 2024 catalogues marked complete, so that a code outside them is an error (while
    a catalogue is incomplete such a code is only a warning: subjects.Catalogue)."""
    from disclosures.models import CatalogueYear

    CatalogueYear.objects.filter(year=2024).update(complete=True)
