"""Deployment: error pages are the portal's, in Chinese, with no detail; load_demo refuses
a production server; `check --deploy` is clean with the production variables the README
lists."""

import io
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import include, path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "secret-detail-4411"


# Error pages ----------------------------------------------------------------------------


def server_error(request):
    raise RuntimeError(SECRET)


def permission_denied(request):
    raise PermissionDenied(SECRET)


def bad_request(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("raise/500/", server_error),
    path("raise/403/", permission_denied),
    path("raise/400/", bad_request),
    path("", include("budgetportal.urls")),
]


@pytest.fixture
def production_client(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def assert_portal_error_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert 'class="site-header"' in page
    assert "css/portal.css" in page
    # The header's language switch links back to the page; the page itself says nothing.
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert SECRET not in main
    assert "Traceback" not in page


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/raise/500/", 500, "服务器出错"),
        ("/raise/403/", 403, "无权访问"),
        ("/raise/400/", 400, "请求有误"),
        (f"/departments/999999/2024/{SECRET}/", 404, "页面不存在"),
    ],
)
def test_error_pages_are_the_portals_in_chinese_without_detail(
    production_client, url, status, heading
):
    assert_portal_error_page(production_client.get(url), status, heading)


@pytest.mark.django_db
def test_an_unknown_host_and_a_forbidden_admin_page_get_the_portals_pages(production_client):
    assert_portal_error_page(
        production_client.get("/", HTTP_HOST=f"{SECRET}.example"), 400, "请求有误"
    )
    production_client.force_login(get_user_model().objects.get(username="linxia_clerk"))
    response = production_client.get("/admin/axes/accesslog/")
    assert_portal_error_page(response, 403, "无权访问")


# load_demo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_refuses_when_debug_is_off(settings, django_assert_num_queries):
    settings.DEBUG = False
    with django_assert_num_queries(0), pytest.raises(CommandError, match="未载入任何数据"):
        call_command("load_demo")


def test_load_demo_exits_non_zero_on_a_production_server(tmp_path):
    database = tmp_path / "production.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "DEBUG 已关闭" in result.stderr
    assert "--i-know-this-is-not-production" in result.stderr
    # The system checks open the file; nothing is written to it.
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


@pytest.mark.django_db
def test_load_demo_runs_when_told_it_is_not_production(settings):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("load_demo", "--i-know-this-is-not-production", stdout=out)
    assert "已存在，未改动" in out.getvalue()


# check --deploy --------------------------------------------------------------------------


def documented_production_environment() -> dict[str, str]:
    """The variables in the README's Production section's `production.env` block, each
    <placeholder> filled with a random value as the operator is told to."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh production\.env\n(.*?)```", section, re.DOTALL)
    assert block, "README's Production section lists no production.env block"
    variables = {}
    for line in block.group(1).splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            variables[name] = re.sub(r"<[^>]*>", lambda _: secrets.token_urlsafe(50), value)
    return variables


def check_deploy(variables: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**variables, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# What `check --deploy` needs; each must be in the README's list.
NEEDED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def test_check_deploy_passes_with_the_documented_production_variables():
    variables = documented_production_environment()
    assert set(NEEDED) <= set(variables)
    result = check_deploy(variables)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", NEEDED)
def test_check_deploy_fails_when_a_variable_is_missing(missing):
    variables = documented_production_environment()
    del variables[missing]
    assert check_deploy(variables).returncode != 0


def test_compose_and_env_example_carry_the_production_variables():
    documented = set(documented_production_environment())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    environment = compose["x-portal"]["environment"]
    assert documented <= set(environment)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    in_example = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    # docker-compose sets these itself, from POSTGRES_PASSWORD for the database.
    assert documented - {"DEBUG", "DATABASE_URL", "TASKS_BACKEND"} <= in_example


def test_compose_publishes_the_web_port_on_the_loopback_only():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in compose["services"]["db"]
