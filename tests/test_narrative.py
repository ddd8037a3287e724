"""The computed 情况说明 of Linxia 2024 states every figure correctly.

Expected figures are computed here from the seed itself: this year's figures from its
tables, last year's from what its text states (this year's figure and the change), and
percentages as (this year − last year) ÷ last year — the formula the seed got wrong by
dividing by this year instead.
"""

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from seed_documents import linxia_tables, linxia_text, squash

from disclosures.checks import Facts, check_disclosure
from disclosures.models import ChangeReason, Disclosure
from disclosures.rendering.narrative import narrative

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


@pytest.fixture
def text():
    disclosure = Disclosure.objects.with_contents().get(department__name=LINXIA)
    return "\n".join(narrative(Facts.of(disclosure)))


def plain(value: Decimal) -> str:
    """As the text prints figures: two decimals at most, no trailing zeros."""
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def percent(part: Decimal, whole: Decimal) -> str:
    return plain(part / whole * 100)


def seed_figures(pattern: str) -> tuple[Decimal, ...]:
    match = re.search(pattern, squash(linxia_text()))
    assert match, pattern
    return tuple(Decimal(group) for group in match.groups())


def table_line(number: int, start: str) -> list[Decimal]:
    line = next(line for line in linxia_tables()[number].splitlines() if line.startswith(start))
    return [Decimal(x) for x in re.findall(r"\d+\.\d\d", line)]


# (label in the text, this year, change as the text states it, direction)
STATED_CHANGES = {
    "基本支出": r"基本支出([\d.]+)万元，比2023年预算减少([\d.]+)万元",
    "项目支出": r"项目支出预算([\d.]+)万元，比2023年预算减少([\d.]+)万元",
    "一般公共服务支出": r"一般公共服务支出2024年预算数为([\d.]+)万元，比2023年预算减少([\d.]+)万元",
    "社会保障和就业支出": r"社会保障和就业支出2024年预算数为([\d.]+)万元，比2023年预算减少([\d.]+)万元",
    "卫生健康支出": r"卫生健康支出2024年预算数为([\d.]+)万元，比2023年预算减少([\d.]+)万元",
    "培训费": r"培训费([\d.]+)万元，较2023年预算减少([\d.]+)万元",
}


@pytest.mark.parametrize("label", list(STATED_CHANGES))
def test_year_on_year_changes_use_last_years_figure(text, label):
    this_year, decrease = seed_figures(STATED_CHANGES[label])
    last_year = this_year + decrease
    expected = f"比2023年预算减少{plain(decrease)}万元，下降{percent(decrease, last_year)}%"
    assert expected in text


def test_office_running_increase(text):
    this_year, increase = seed_figures(r"机关运行经费([\d.]+)万元，较2023年预算增加([\d.]+)万元")
    assert this_year == table_line(9, "总计")[0]
    last_year = this_year - increase
    assert f"机关运行经费{plain(this_year)}万元，比2023年预算增加{plain(increase)}万元，" in text
    assert f"增长{percent(increase, last_year)}%" in text
    # The seed printed 30.22% = 34.01 ÷ 112.54: divided by this year, not last year.
    assert percent(increase, last_year) == "43.31"


def test_shares_of_the_budget(text):
    total, basic, project = table_line(3, "总计")
    assert f"2024年部门收支总预算{plain(total)}万元" in text
    assert f"基本支出{plain(basic)}万元，占{percent(basic, total)}%" in text
    assert f"项目支出{plain(project)}万元，占{percent(project, total)}%" in text
    assert f"一般公共预算收入{plain(total)}万元，占100%" in text


def test_general_budget_by_class(text):
    total = table_line(6, "总计")[0]
    classes = {
        name: table_line(6, code)[0]
        for code, name in (
            ("201 ", "一般公共服务支出"),
            ("208 ", "社会保障和就业支出"),
            ("210 ", "卫生健康支出"),
        )
    }
    assert (
        f"2024年一般公共预算当年支出{plain(total)}万元，包括："
        + "、".join(f"{name}{plain(amount)}万元" for name, amount in classes.items())
        in text
    )


def test_three_public_training_meeting(text):
    three_public, reception, operation, meeting, training = table_line(8, "总计")
    assert f"“三公”经费预算{plain(three_public)}万元，与2023年预算持平。" in text
    assert f"2.公务接待费{plain(reception)}万元，与2023年预算持平。" in text
    assert f"公务用车运行维护费{plain(operation)}万元），与2023年预算持平。" in text
    assert f"会议费{plain(meeting)}万元，与2023年预算持平。" in text
    assert f"培训费{plain(training)}万元，比2023年预算减少8万元" in text


def test_personnel_and_running(text):
    _total, personnel, running = table_line(7, "总计")
    assert f"其中：人员经费支出{plain(personnel)}万元，主要包括：基本工资、津贴补贴" in text
    assert f"公用经费支出{plain(running)}万元，主要包括：办公费、印刷费" in text


def test_procurement_assets_and_key_project(text):
    assert (
        "部门政府采购预算总额24.7万元，其中：政府采购货物预算17.8万元，政府采购工程预算0万元，政府采购服务预算6.9万元。"
        in text
    )
    assert "预算部门共有公务用车2辆，价值36.04万元。" in text
    assert "6、年度预算安排：30万元" in text
    assert "4、实施周期：2024年1月1日至2024年12月31日。" in text


def test_counts_of_projects_and_indicators(text):
    # Counted from the forms: the department form has 6 indicator rows in 6 (一级, 二级)
    # pairs; the five project forms have 4 + 5 + 7 + 5 + 5 = 26 rows, each its own pair.
    assert "纳入部门预算绩效目标管理的项目5个" in text
    assert (
        "部门整体支出绩效目标围绕部门管理、履职效果、能力建设三个维度，设置二级指标6个、三级指标6个"
        in text
    )
    assert (
        "项目支出绩效目标围绕成本指标、产出指标、效益指标、满意度指标四个维度，设置二级指标26个、三级指标26个"
        in text
    )
    assert (
        "保障运转经费1个，项目是临夏市人民代表大会常务委员会办公室 5G+智慧人大云平台云服务器 2台。"
        in text
    )
    assert "经济社会发展项目0个。" in text


def test_every_clerk_passage_is_in_the_text(text):
    disclosure = Disclosure.objects.get(department__name=LINXIA)
    for passage in disclosure.passages.all():
        assert squash(passage.text) in squash(text), passage.section


def test_empty_tables_are_explained(text):
    assert "（一）政府性基金预算支出情况\n未安排预算，政府性基金预算支出情况表为空表。" in text


def test_a_missing_reason_is_a_finding_and_is_left_out(linxia_draft):
    ChangeReason.objects.filter(disclosure=linxia_draft, item="training").delete()
    disclosure = Disclosure.objects.with_contents().get(pk=linxia_draft.pk)
    findings = [f for f in check_disclosure(disclosure) if f.code == "CHANGE_REASON"]
    assert [f.message for f in findings] == [
        "情况说明：培训费较上年减少 8.00 万元，须说明减少的主要原因。"
    ]
    text = "\n".join(narrative(Facts.of(disclosure)))
    assert "培训费36万元，比2023年预算减少8万元，下降18.18%。" in text


def test_narrative_is_in_the_dump(capsys):
    call_command("dump_disclosure", "--department", LINXIA, "--year", "2024")
    document = json.loads(capsys.readouterr().out)
    assert document["narrative"][:2] == [LINXIA, "2024年部门预算公开情况说明"]
    assert "十一、名词解释" in document["narrative"]


def test_no_narrative_for_a_layout_without_one(capsys):
    call_command(
        "dump_disclosure",
        "--department",
        "广州市增城区人民代表大会常务委员会办公室",
        "--year",
        "2024",
    )
    assert json.loads(capsys.readouterr().out)["narrative"] == []


def test_a_class_with_money_last_year_only_is_still_explained(linxia_draft):
    from disclosures.models import PriorYearFigure

    PriorYearFigure.objects.create(
        disclosure=linxia_draft, item="function_class", subject_code="221", amount=Decimal("12.5")
    )
    disclosure = Disclosure.objects.with_contents().get(pk=linxia_draft.pk)
    text = "\n".join(narrative(Facts.of(disclosure)))
    assert "4.住房保障支出2024年预算数为0万元，比2023年预算减少12.5万元，下降100%。" in text
    reasons = [f for f in check_disclosure(disclosure) if f.code == "CHANGE_REASON"]
    assert [f.location for f in reasons] == ["“住房保障支出”增减原因"]
