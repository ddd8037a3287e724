"""dump_disclosure on 增城区人大常委会办公室 2024, held against seed 000 itself.

Seed 000 is one list: title, department, unit line, header, the 合计 line, the unit's
subtotal and its twelve projects with goal and indicators. The list rendered from the
project records must be that document, character for character once white space (the
extractor's line breaks) is removed.
"""

import json

import pytest
from django.core.management import call_command
from seed_documents import squash, zengcheng_text

pytestmark = pytest.mark.django_db

ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"


@pytest.fixture
def dump(capsys):
    call_command("dump_disclosure", "--department", ZENGCHENG, "--year", "2024")
    return json.loads(capsys.readouterr().out)


def listed_text(project_list: dict) -> str:
    parts = [project_list["title"], *project_list["captions"]]
    parts += [cell["text"] for row in project_list["header"] for cell in row]
    parts += [cell for row in project_list["rows"] for cell in row]
    return "".join(parts)


def test_project_list_is_seed_000(dump):
    assert squash(listed_text(dump["performance"]["project_list"])) == squash(zengcheng_text())


def test_twelve_projects_with_amounts_by_source(dump):
    rows = dump["performance"]["project_list"]["rows"]
    assert rows[0][:5] == ["合计", "420.05", "420.05", "0.00", "0.00"]
    assert rows[1][:5] == [ZENGCHENG, "420.05", "420.05", "0.00", "0.00"]
    projects = rows[2:]
    assert len(projects) == 12
    assert projects[0][:5] == ["补选区人大代表经费", "20.00", "20.00", "0.00", "0.00"]
    assert projects[2][0] == "2024年编外人员聘用经费"
    assert projects[2][1] == "90.80"


def test_indicators_keep_codes_and_both_targets(dump):
    rows = dump["performance"]["project_list"]["rows"]
    assert rows[5][6] == (
        "1、1-产出指标；11-数量指标；支出及时率；实施周期指标值:制定预算时的计划数；年度指标值:支出完成率。"
        "2、2-效益指标；22-社会效益；保障工作正常开展；实施周期指标值:顺利召开区人民代表大会；"
        "年度指标值:完成代表大会既定任务。"
    )


def test_placeholders_are_loaded_as_published(dump):
    indicator_cells = [row[6] for row in dump["performance"]["project_list"]["rows"][2:]]
    with_placeholder = [cell for cell in indicator_cells if "待单位补充..." in cell]
    assert len(with_placeholder) == 3
    assert with_placeholder[0].count("待单位补充...") == 3


def test_no_statutory_tables_in_this_layout(dump):
    assert dump["layout"] == "performance-only"
    assert dump["tables"] == []
    assert dump["performance"]["department_form"] is None
    # The same records also render as seed 004's one-form-per-project layout.
    forms = dump["performance"]["project_forms"]
    assert len(forms) == 12
    assert ["项目资金（万元）", "年度资金总额：", "20"] in forms[0]["rows"]
