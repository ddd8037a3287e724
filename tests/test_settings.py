"""Settings come from the environment; importing them needs no service."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST'), "
    "'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'lang': settings.LANGUAGE_CODE, "
    "'tz': settings.TIME_ZONE, 'i18n': settings.USE_I18N, "
    "'storage': settings.STORAGES['default']['BACKEND'], "
    "'bucket': settings.STORAGES['default'].get('OPTIONS', {}).get('bucket_name'), "
    "'session_age': settings.SESSION_COOKIE_AGE, "
    "'session_every_request': settings.SESSION_SAVE_EVERY_REQUEST, "
    "'failure_limit': settings.AXES_FAILURE_LIMIT, "
    "'cooloff': settings.AXES_COOLOFF_TIME.total_seconds(), "
    "'proxies': settings.TRUSTED_PROXY_COUNT, "
    "'hsts': [settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD]}))"
)
# Variables a developer's shell may have set, which would change what the defaults look like.
CONFIGURATION = {
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "SESSION_IDLE_MINUTES",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}


def settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    clean.update(env, DJANGO_SETTINGS_MODULE="budgetportal.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def loaded(**env: str) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_work_on_a_fresh_checkout():
    s = loaded()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(ROOT / "db.sqlite3")
    assert s["debug"] is True
    assert (s["lang"], s["tz"], s["i18n"]) == ("zh-hans", "Asia/Shanghai", True)


def test_database_url_switches_to_postgresql():
    s = loaded(DATABASE_URL="postgres://postgres@db.example:5432/budgets")
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["name"], s["host"]) == ("budgets", "db.example")


def test_database_url_can_name_another_sqlite_file(tmp_path):
    s = loaded(DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert s["name"] == f"{tmp_path}/other.sqlite3"


def test_production_needs_a_secret_key():
    result = settings_with(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_from_the_environment():
    s = loaded(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="budget.example.gov.cn, localhost")
    assert s["debug"] is False
    assert s["hosts"] == ["budget.example.gov.cn", "localhost"]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_refused(value):
    result = settings_with(DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_rendered_files_can_go_to_an_s3_compatible_store():
    assert loaded()["storage"] == "django.core.files.storage.FileSystemStorage"
    s3 = loaded(S3_BUCKET="disclosures", S3_ENDPOINT_URL="http://minio.internal:9000")
    assert (s3["storage"], s3["bucket"]) == ("storages.backends.s3.S3Storage", "disclosures")


def test_logins_and_sessions_by_default():
    s = loaded()
    assert (s["failure_limit"], s["cooloff"], s["proxies"]) == (5, 30 * 60, 0)
    assert (s["session_age"], s["session_every_request"]) == (30 * 60, True)
    assert s["hsts"] == [False, False]


def test_logins_sessions_and_hsts_from_the_environment():
    s = loaded(
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        TRUSTED_PROXY_COUNT="1",
        SESSION_IDLE_MINUTES="15",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert (s["failure_limit"], s["cooloff"], s["proxies"]) == (3, 60 * 60, 1)
    assert s["session_age"] == 15 * 60
    assert s["hsts"] == [True, True]
