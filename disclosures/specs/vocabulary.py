"""The words of table headers, captions and notes, marked so that makemessages finds them.

Specs print Chinese (the statutory text); the public site shows these translated when a
visitor switches to English. tests/test_public_i18n.py fails when a table or form prints a
header, caption, note or title that is missing here, or one of these has no English.
"""

from django.utils.translation import gettext_noop

HEADER_WORDS = (
    gettext_noop("“三公”经费"),
    gettext_noop("一般公共预算基本支出"),
    gettext_noop("一般公共预算支出"),
    gettext_noop("上年结转"),
    gettext_noop("人员经费"),
    gettext_noop("会议费"),
    gettext_noop("公务接待费"),
    gettext_noop("公务用车购置和运行费"),
    gettext_noop("公务用车购置费"),
    gettext_noop("公务用车运行费"),
    gettext_noop("公用经费"),
    gettext_noop("其他资金"),
    gettext_noop("功能分类科目"),
    gettext_noop("单位名称"),
    gettext_noop("单位：万元"),
    gettext_noop("合计"),
    gettext_noop("因公出国（境）费用"),
    gettext_noop("国有资本经营预算支出"),
    gettext_noop("培训费"),
    gettext_noop("基本支出"),
    gettext_noop("备注：无内容应公开空表并说明情况。"),
    gettext_noop("序号"),
    gettext_noop("总计"),
    gettext_noop("支 出"),
    gettext_noop("支出合计"),
    gettext_noop("收 入"),
    gettext_noop("政府性基金预算支出"),
    gettext_noop("科目名称"),
    gettext_noop("科目编码"),
    gettext_noop("空表说明："),
    gettext_noop("经济分类科目"),
    gettext_noop("绩效指标"),
    gettext_noop("绩效目标"),
    gettext_noop("财政专户拨款"),
    gettext_noop("财政拨款"),
    gettext_noop("部门整体支出绩效目标表"),
    gettext_noop("项目"),
    gettext_noop("项目名称（资金使用单位）"),
    gettext_noop("项目支出"),
    gettext_noop("项目支出绩效目标表"),
    gettext_noop("项目支出绩效目标表（含转移支付项目）"),
    gettext_noop("预算数"),
)
