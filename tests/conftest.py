import pytest

from disclosures.demo.loader import load_demo


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the demo data, loaded once, as `make run` loads it."""
    with django_db_blocker.unblock():
        load_demo()
