"""The checks on the demo data: exactly the seeds' real inconsistencies, nothing else.

Each pinned finding says which printed figures disagree and why it is a real error of
the published document. Everything else in the seeds adds up, and no check says
otherwise.
"""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from disclosures.checks import Facts, check_disclosure
from disclosures.checks.acknowledge import acknowledge
from disclosures.models import Disclosure, FindingAcknowledgement
from disclosures.models.frozen import PublishedRevisionError

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"


def findings_of(name):
    disclosure = Disclosure.objects.with_contents().get(department__name=name)
    return check_disclosure(disclosure)


def pinned(findings):
    return [(f.severity, f.code, f.table, f.location, f.expected, f.found) for f in findings]


def project_form(name):
    return f"项目支出绩效目标表（{name}）"


LINXIA_FINDINGS = [
    # 部门整体支出绩效目标表 prints 基本支出 合计 721.07 over 人员经费 714.75 and 公用经费
    # 106.32, which make 821.07 — the figure 表七 and 表六 print for 基本支出. A typo of 100
    # 万元; 支出预算合计 990.07 = 714.75 + 106.32 + 169 confirms the parts are right.
    ("error", "DEPARTMENT_FORM", "部门整体支出绩效目标表", "“基本支出 合计”", "821.07", "721.07"),
    # The five project forms print their money in 元 (750000, 100000, 40000, 500000,
    # 300000) under the header 项目资金（万元）: read as printed they claim 169 万 万元. The
    # goals say 75万元, 10 万元 … and the projects sum to 表三's 项目支出 169.00 only in 万元.
    (
        "error",
        "MONEY_UNIT",
        project_form("2024 年度人大代表履职补助"),
        "“项目资金（万元）”",
        "75.00",
        "750000",
    ),
    (
        "error",
        "MONEY_UNIT",
        project_form("临夏市人大预算联网监督系统（省集中模式）建设"),
        "“项目资金（万元）”",
        "10.00",
        "100000",
    ),
    (
        "error",
        "MONEY_UNIT",
        project_form("临夏市人民代表大会常务委员会办公室 5G+智慧人大云平台云服务器 2台"),
        "“项目资金（万元）”",
        "4.00",
        "40000",
    ),
    (
        "error",
        "MONEY_UNIT",
        project_form("2024 年度人大代活动费"),
        "“项目资金（万元）”",
        "50.00",
        "500000",
    ),
    (
        "error",
        "MONEY_UNIT",
        project_form("2024 年度人大会议经费"),
        "“项目资金（万元）”",
        "30.00",
        "300000",
    ),
    # 表七 names 301 工作福利支出; the 2024 catalogue's 301 is 工资福利支出 (as the text's own
    # list of 人员经费 items, 基本工资 … 其他工资福利支出, shows).
    (
        "error",
        "CATALOGUE",
        "表七（一般公共预算基本支出情况表）",
        "“工作福利支出”（301）行",
        "工资福利支出",
        "工作福利支出",
    ),
    # 表四 names 207 by its name before 2019, 文化体育与传媒支出; 表一 of the same document
    # prints the current name, 文化旅游体育与传媒支出.
    (
        "error",
        "CATALOGUE",
        "表四（财政拨款收支总体情况表）",
        "“文化体育与传媒支出”（207）行",
        "文化旅游体育与传媒支出",
        "文化体育与传媒支出",
    ),
    # 表四 lists 29 function 类 where 表一 lists all 30: 转移性支出 is missing. No figure is
    # wrong (it is zero), so a warning.
    (
        "warning",
        "FIXED_ITEMS",
        "表四（财政拨款收支总体情况表）",
        "支出方“转移性支出”",
        "转移性支出",
        "",
    ),
]
# Every project form leaves 主管部门及代码 blank (the form prints the label, then 实施单位
# straight after it). Incomplete rather than wrong: warnings.
LINXIA_FINDINGS[6:6] = [
    ("warning", "FORM_FIELDS", project_form(name), "“主管部门及代码”", "", "")
    for name in (
        "2024 年度人大代表履职补助",
        "临夏市人大预算联网监督系统（省集中模式）建设",
        "临夏市人民代表大会常务委员会办公室 5G+智慧人大云平台云服务器 2台",
        "2024 年度人大代活动费",
        "2024 年度人大会议经费",
    )
]


def test_linxia_findings_are_exactly_the_seeds_inconsistencies():
    assert pinned(findings_of(LINXIA)) == LINXIA_FINDINGS


def test_linxia_messages_name_table_row_column_and_both_figures():
    finding = findings_of(LINXIA)[0]
    assert finding.message == (
        "部门整体支出绩效目标表“基本支出 合计”应为 821.07（人员经费＋公用经费），实为 721.07，"
        "相差 -100.00 万元（按各数四舍五入录入计，允许误差 ±0.015 万元）。"
    )


PLACEHOLDER_PROJECTS = (
    "广州市增城区人民代表大会常务委员会办公室2024年信息化设备运维项目",
    "广州市增城区人民代表大会常务委员会办公室2024年预算联网监督系统运维项目",
    "广州市增城区人民代表大会常务委员会办公室2023年预算联网监督系统运维项目",
)
MISSING_BENEFIT = {
    "补选区人大代表经费",
    "其他机构运行经费",
    "2024年编外人员聘用经费",
    "建造增城宪法馆及增城人大发展历程展馆",
    "区人大代表、政协委员书法美术摄影文化活动经费",
    *PLACEHOLDER_PROJECTS,
}


def test_zengcheng_findings():
    findings = findings_of(ZENGCHENG)
    # No project of seed 000 has a 满意度 indicator, and eight have no 效益 indicator
    # either: all twelve lists are incomplete. Warnings: the list is as published.
    warnings = [f for f in findings if f.severity == "warning"]
    assert [f.code for f in warnings] == ["INDICATORS"] * 12
    for f in warnings:
        name = f.table.removeprefix("项目支出绩效目标表（").removesuffix("）")
        expected_missing = "效益指标、满意度指标" if name in MISSING_BENEFIT else "满意度指标"
        assert f.message.endswith(f"缺少{expected_missing}。"), f.message
    # 待单位补充... stands where three indicators should be: in the 三级指标 of all three
    # 运维 projects, and in both targets of the 信息化设备 one. Never publishable.
    errors = [f for f in findings if f.severity == "error"]
    assert pinned(errors) == [
        (
            "error",
            "PLACEHOLDER",
            project_form(PLACEHOLDER_PROJECTS[0]),
            f"第1项指标“{field}”",
            "",
            "待单位补充",
        )
        for field in ("三级指标", "实施周期指标值", "年度指标值")
    ] + [
        ("error", "PLACEHOLDER", project_form(name), "第1项指标“三级指标”", "", "待单位补充")
        for name in PLACEHOLDER_PROJECTS[1:]
    ]


def test_check_disclosures_report_and_exit_status():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_disclosures", "--department", LINXIA, stdout=out)
    assert exit_info.value.code == 1
    report = out.getvalue()
    assert "错误 8 项，警告 6 项" in report
    assert "[错误 CATALOGUE] 表七（一般公共预算基本支出情况表）“工作福利支出”（301）行" in report


def test_check_disclosures_json():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_disclosures", "--year", "2024", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == len(LINXIA_FINDINGS) + 12 + 5  # Linxia, then Zengcheng
    assert set(rows[0]) >= {
        "disclosure",
        "code",
        "severity",
        "table",
        "location",
        "expected",
        "found",
        "message",
    }


def test_check_disclosures_exits_zero_without_errors():
    out = io.StringIO()
    call_command("check_disclosures", "--year", "2023", stdout=out)  # nothing to check
    assert "没有找到2023 年的部门预算公开" in out.getvalue()


def draft_findings(draft):
    return check_disclosure(Disclosure.objects.with_contents().get(pk=draft.pk))


def test_a_warning_is_acknowledged_with_a_reason_and_shown(linxia_draft):
    warning = draft_findings(linxia_draft)[-1]
    acknowledge(linxia_draft, warning, "甘肃省 2024 年表四样式不含转移性支出。")
    acknowledged = draft_findings(linxia_draft)[-1]
    assert acknowledged.acknowledged == "甘肃省 2024 年表四样式不含转移性支出。"
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_disclosures", "--department", LINXIA, stdout=out)
    assert "已确认：甘肃省 2024 年表四样式不含转移性支出。" in out.getvalue()


def test_errors_cannot_be_acknowledged_and_warnings_need_a_reason(linxia_draft):
    error, *_rest, warning = draft_findings(linxia_draft)
    with pytest.raises(ValidationError, match="是错误，不能确认"):
        acknowledge(linxia_draft, error, "理由")
    with pytest.raises(ValidationError, match="须写明理由"):
        acknowledge(linxia_draft, warning, "  ")
    assert not FindingAcknowledgement.objects.exists()


def test_a_published_revisions_warnings_cannot_be_acknowledged_any_more():
    published = Disclosure.objects.get(department__name=LINXIA)
    with pytest.raises(PublishedRevisionError):
        acknowledge(published, findings_of(LINXIA)[-1], "太迟了")


def test_benchmark_command_prints_its_figures():
    out = io.StringIO()
    call_command("benchmark_checks", "--count", "5", "--repeat", "2", stdout=out)
    report = out.getvalue()
    assert f"{len(LINXIA_FINDINGS)} 项结果" in report
    assert "随机生成 5 个公开" in report
    assert "结果 0 项" in report


def test_next_year_compares_with_this_years_published_disclosure():
    linxia = Disclosure.objects.get(department__name=LINXIA)
    draft = Disclosure.objects.create(department=linxia.department, fiscal_year=2025)
    facts = Facts.of(Disclosure.objects.with_contents().get(pk=draft.pk))
    # Last year's figures come from the published 2024 tables.
    assert facts.prior("basic") == Decimal("821.07")
    assert facts.prior("office_running") == Decimal("112.54")
    assert facts.prior("function_class", "201") == Decimal("866.07")
    # 2025 has no catalogue loaded: one clear finding, not one per subject.
    catalogue = [
        f
        for f in check_disclosure(Disclosure.objects.with_contents().get(pk=draft.pk))
        if f.code == "CATALOGUE"
    ]
    assert [f.message for f in catalogue] == ["2025 年的科目目录尚未载入：请导入，或从 2024 年复制"]


def test_check_disclosures_checks_each_departments_newest_revision():
    linxia = Disclosure.objects.get(department__name=LINXIA)
    newer = Disclosure.objects.create(department=linxia.department, fiscal_year=2024, revision=3)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_disclosures", "--department", LINXIA, stdout=out)
    assert str(newer) in out.getvalue()
    assert str(linxia) not in out.getvalue()


def test_benchmark_refuses_a_count_of_zero():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="须为正整数"):
        call_command("benchmark_checks", "--count", "0")
