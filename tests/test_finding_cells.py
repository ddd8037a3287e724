"""Findings point at cells by keys: the JSON report, links to the row, and acknowledgements
that survive a reworded message (and were migrated from the printed text)."""

import importlib
import io
import json
import re
from dataclasses import replace

import pytest
from django.apps import apps
from django.core.management import call_command

from disclosures.checks import REGISTRY, check_disclosure
from disclosures.checks.acknowledge import acknowledge
from disclosures.checks.registry import Cell
from disclosures.models import Disclosure, FindingAcknowledgement

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
TRANSFER = Cell("fiscal_summary", "expense:function_class:230", "amount")


def findings(disclosure):
    return check_disclosure(Disclosure.objects.with_contents().get(pk=disclosure.pk))


def test_check_disclosures_json_carries_the_cell_keys():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_disclosures", "--department", LINXIA, "--json", stdout=out)
    rows = json.loads(out.getvalue())
    keyed = {(r["code"], r["table_key"], r["row_key"], r["column_key"]) for r in rows}
    assert ("CATALOGUE", "general_basic", "301", "name") in keyed
    assert ("CATALOGUE", "fiscal_summary", "expense:function_class:207", "label") in keyed
    assert ("FIXED_ITEMS", *TRANSFER.__dict__.values()) in keyed
    assert ("DEPARTMENT_FORM", "department_form", "", "basic_total") in keyed
    assert ("FORM_FIELDS", "project_form", "project:1", "supervisor") in keyed
    assert all(r["table_key"] for r in rows)


def test_an_acknowledgement_survives_a_reworded_message(linxia_draft, monkeypatch):
    (warning,) = [f for f in findings(linxia_draft) if f.code == "FIXED_ITEMS"]
    assert warning.cell == TRANSFER
    acknowledge(linxia_draft, warning, "甘肃省表四样式不列转移性支出")
    check = REGISTRY["FIXED_ITEMS"]

    def reworded(facts):
        for finding in check.function(facts):
            yield replace(finding, message="表中没有转移性支出。", location="转移性支出（230）")

    monkeypatch.setitem(REGISTRY, "FIXED_ITEMS", replace(check, function=reworded))
    (again,) = [f for f in findings(linxia_draft) if f.code == "FIXED_ITEMS"]
    assert again.message == "表中没有转移性支出。"
    assert again.acknowledged == "甘肃省表四样式不列转移性支出"


@pytest.mark.parametrize(
    "code, table, location",
    [
        ("FIXED_ITEMS", "表四（财政拨款收支总体情况表）", "支出方“转移性支出”"),
        (
            "FORM_FIELDS",
            "项目支出绩效目标表（2024 年度人大代表履职补助）",
            "“主管部门及代码”",
        ),
    ],
)
def test_acknowledgements_kept_by_text_were_migrated_to_their_cells(
    linxia_draft, code, table, location
):
    """Migration 0010 reads an acknowledgement's printed table and location back into the
    cell keys that today's finding carries."""
    migration = importlib.import_module("disclosures.migrations.0010_finding_cells")
    old = FindingAcknowledgement(
        disclosure=linxia_draft, code=code, table=table, location=location, reason="旧的确认"
    )
    (finding,) = [
        f
        for f in findings(linxia_draft)
        if (f.code, f.table, f.location) == (code, table, location)
    ]
    assert (code, *migration.cell_of(apps, old)) == finding.key


def test_the_public_page_links_a_finding_to_its_row(client):
    disclosure = Disclosure.objects.get(department__name=LINXIA, revision=1)
    html = client.get(disclosure.public_url("disclosure")).content.decode()
    assert 'href="#general_basic--301"' in html  # the CATALOGUE finding on 301's name
    assert 'id="general_basic--301"' in html
    assert 'id="fiscal_summary--expense-function_class-207"' in html


@pytest.mark.parametrize("name", [LINXIA, "广州市增城区人民代表大会常务委员会办公室"])
def test_every_finding_link_on_the_public_page_lands_on_the_page(client, name):
    disclosure = Disclosure.objects.get(department__name=name, revision=1)
    html = client.get(disclosure.public_url("disclosure")).content.decode()
    findings = html[html.index('id="findings"') :]
    links = re.findall(r'<a href="#([^"]+)" lang="zh-Hans">', findings)
    assert links  # both demo documents have findings
    for anchor in links:
        assert f'id="{anchor}"' in html, anchor
    # A missing fixed item links to its table, since its row is not printed.
    if name == LINXIA:
        assert "fiscal_summary--expense-function_class-230" not in html
        assert 'href="#fiscal_summary"' in findings
