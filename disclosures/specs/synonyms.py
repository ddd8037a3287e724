"""What workbooks print where the specs print something else: header and row-label synonyms.

The specs say how the portal prints a table; clerks' workbooks, filled from older or
other provinces' templates, word the same things differently. The workbook reader reads
these words beside the specs they extend: a summary table's items (tables 1, 2 and 4)
as the spec's blocks list them, a list table's columns as its header cells name them.
"""

from dataclasses import dataclass

from disclosures.models import SummaryItem

I = SummaryItem  # noqa: E741 — short alias keeps the table of words readable


@dataclass(frozen=True)
class Words:
    """A label names the item when it contains one of `within` or ends with one of `endings`
    (compared after normalising: half-width, no spaces)."""

    within: tuple[str, ...]
    endings: tuple[str, ...] = ()

    def name(self, text: str) -> bool:
        return any(word in text for word in self.within) or text.endswith(self.endings)


# Summary items as workbooks print them, in the order they are tried: 本年收入合计 ends
# with 合计 yet is no 总计, 上年结转 is tried before the income items. A function 类 is
# named by its catalogue name or code instead.
SUMMARY_ITEMS: dict[str, Words] = {
    I.CURRENT_TOTAL: Words(("本年",)),
    I.CARRIED_FORWARD: Words(("上年结转",)),
    I.PRIOR_SURPLUS: Words(("上年结余",)),
    I.GENERAL_BUDGET: Words(("一般公共预算",)),
    I.GOVERNMENT_FUND: Words(("政府性基金",)),
    I.STATE_CAPITAL: Words(("国有资本",)),
    I.EDUCATION_ACCOUNT: Words(("教育专户", "财政专户")),
    I.SUPERIOR_SUBSIDY: Words(("上级补助",)),
    I.SUBORDINATE_REMITTANCE: Words(("附属单位",)),
    I.OPERATING: Words(("经营收入",)),
    I.BUSINESS: Words(("事业收入",)),
    I.OTHER: Words(("其他收入",)),
    I.CARRY_TO_NEXT: Words(("结转下年",)),
    I.GRAND_TOTAL: Words(("总计",), endings=("合计",)),
}

# Names a 类 had before the catalogue renamed it, as older templates still print them.
FORMER_CLASS_NAMES = {"文化体育与传媒支出": "207", "医疗卫生与计划生育支出": "210"}

# The first row of a list table's body.
TOTAL_LABELS = frozenset({"总计", "合计"})

# Header texts read as another: some templates head the 合计 column 小计.
HEADER_SYNONYMS = {"小计": "合计"}
# Header rows that label nothing: 栏次 above the column numbers.
IGNORED_HEADERS = frozenset({"栏次"})
# A code column's header ends so: 科目编码, 功能分类科目编码, 科目代码, 科目编号.
CODE_HEADER_ENDINGS = ("编码", "代码", "编号")

# What precedes the department's name in a caption: 编制部门：…, 单位名称：….
CAPTION_PREFIXES = ("编制部门", "编制单位", "部门名称", "单位名称", "部门", "单位")
# Lines under a table that end its body, as 备注 does: notes and the signatures
# (normalised, so "注:" with a half-width colon); the workbook's own 空表说明 too.
NOTE_STARTS = (
    "备注",
    "注:",
    "说明:",
    "单位负责人",
    "财务负责人",
    "负责人:",
    "制表人",
    "制表:",
    "填报人",
    "填表人",
    "审核人",
    "审核:",
    "复核人",
    "经办人",
    "联系电话",
    "联系人",
    "制表日期",
    "填报日期",
    "编制日期",
)
# What introduces a table's explanation when it is empty, besides the workbook's 空表说明：.
EXPLANATION_PREFIXES = ("说明：", "说明:")
