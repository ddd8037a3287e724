"""The statutory PDF of a disclosure (WeasyPrint), rendered once per published revision.

The same table partial and specs as the web pages, with print CSS; the same revision
always gives the same bytes (no dates, no random identifiers), so its SHA-256 lets anyone
verify a downloaded file.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML

from disclosures.checks import Facts
from disclosures.models import Disclosure, DisclosurePDF, TableKey
from disclosures.rendering.charts import disclosure_charts
from disclosures.rendering.narrative import narrative
from disclosures.rendering.stored import store
from disclosures.site.queries import three_public_years
from disclosures.specs import performance_forms, statutory_tables

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"


def pdf_filename(disclosure: Disclosure) -> str:
    """2024年临夏市人民代表大会常务委员会办公室部门预算.pdf (a correction says its revision)."""
    return f"{disclosure.file_stem}.pdf"


def render_pdf(disclosure: Disclosure, *, project_list: bool | None = None) -> bytes:
    """The PDF of one revision, fetched with Disclosure.objects.with_contents().

    Projects print one form each, as seed 004 does; `project_list` adds seed 000's list
    of all projects instead (by default only for layouts without the forms).
    """
    with translation.override("zh-hans"):
        facts = Facts.of(disclosure)
        forms = performance_forms(disclosure)
        html = render_to_string(
            "disclosures/pdf/disclosure.html",
            {
                "disclosure": disclosure,
                "narrative": narrative(facts),
                "tables": statutory_tables(disclosure),
                "forms": forms,
                "charts": disclosure_charts(facts, three_public_years(facts))
                if facts.publishes(TableKey.DEPARTMENT_EXPENSE)
                else [],
                # Seed 000's list style is for layouts without the one-form-per-project forms.
                "project_list": forms["project_list"]
                if (project_list if project_list is not None else not facts.has_narrative)
                else None,
            },
        )
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            stylesheets=[CSS(filename=str(PRINT_CSS))]
        )


def store_pdf(disclosure_id: int) -> DisclosurePDF:
    """The stored PDF of a published revision, rendered now if nobody has yet."""
    return store(DisclosurePDF, disclosure_id, render_pdf)
