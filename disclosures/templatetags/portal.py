"""Template filters of the public site: one place that formats money and translates
the texts that come from data (table titles, header cells)."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext

from disclosures import money
from disclosures.checks.anchors import page_anchor
from disclosures.site import queries

register = template.Library()


@register.filter
def tr(value: str) -> str:
    """Translate a text that comes from data, such as a table title or header cell."""
    return gettext(str(value)) if value else value


@register.filter
def amount(value: Decimal | None) -> str:
    """990.07; an em dash where there is no figure."""
    return money.format_amount(value) if value is not None else "—"


@register.filter
def percent(value: Decimal | None) -> str:
    return f"{value:.2f}%" if value is not None else "—"


@register.simple_tag
def table_heading(table) -> str:
    """表一、部门收支总体情况表 in Chinese; Table 1. … in English (titles translated)."""
    if get_language() == "en" and table.number:
        return f"Table {table.number}. {gettext(table.title)}"
    if get_language() == "en":
        return gettext(table.heading)
    return table.heading


@register.filter
def change_from(value: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Year-on-year change in per cent."""
    return queries.change(value, before)


@register.filter
def csv_url(disclosure, key: str) -> str:
    return disclosure.public_url("csv", revision=disclosure.revision, key=key)


@register.filter
def finding_anchor(finding, present: set[str]) -> str:
    """The id of the row (else the table or form) a finding is about, among the ids the
    page has."""
    return page_anchor(finding.cell, present)
