"""The set-up the README's commands and docker-compose rely on."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent
FIND_PYTHON = ROOT / "scripts" / "find-python"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FIND_PYTHON), *args], env=env, capture_output=True, text=True, check=False
    )


def test_find_python_takes_a_suitable_interpreter_from_python():
    result = run(PYTHON=sys.executable, PATH="/usr/bin:/bin", HOME="/nonexistent")
    assert result.returncode == 0, result.stderr
    found = result.stdout.strip()
    version = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"


def test_find_python_says_what_is_missing(tmp_path):
    # A PATH with the shell tools the script uses and only an old python3 on it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "ls", "grep", "sort"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    old = bin_dir / "python3"
    old.write_text('#!/bin/sh\necho "3.11.2"\nexit 1\n')
    old.chmod(0o755)
    result = run(PATH=str(bin_dir), HOME=str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "Django 6.1 needs one" in result.stderr
    assert "pyenv install" in result.stderr


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [
        line.split("#")[0].strip() for line in readme.splitlines() if line.startswith("make ")
    ]
    assert commands[:2] == ["make run", "make test"]


def test_ci_runs_make_test_on_both_databases():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    assert 'DATABASE_URL="$server/$database" make test' in ci


@pytest.mark.parametrize("command", ["load_demo", "dump_disclosure", "db_worker"])
def test_commands_the_readme_and_compose_use_exist(command):
    assert command in get_commands()


def test_production_task_backend_and_wsgi_import():
    assert import_string("django_tasks_db.DatabaseBackend")
    assert import_string("budgetportal.wsgi.application")
