"""The statutory PDF of a disclosure (WeasyPrint), rendered once per published revision.

The same table partial and specs as the web pages, with print CSS; the same revision
always gives the same bytes (no dates, no random identifiers), so its SHA-256 lets anyone
verify a downloaded file.
"""

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML

from disclosures.charts import disclosure_charts
from disclosures.checks import Facts
from disclosures.models import Disclosure, DisclosurePDF, TableKey
from disclosures.narrative import narrative
from disclosures.public import three_public_years
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


class PdfNotReady(Exception):
    """Another worker is rendering this PDF now; ask again shortly."""

    retry_after = 10


# A claim older than this is taken to be a worker that died while rendering.
CLAIM_EXPIRES = datetime.timedelta(minutes=10)


def _claim(disclosure_id: int) -> DisclosurePDF | None:
    """The stored PDF if it is ready; None if this worker now holds the claim to render
    it; PdfNotReady while another worker holds a live claim."""
    now = timezone.now()
    try:
        with transaction.atomic():
            DisclosurePDF.objects.create(disclosure_id=disclosure_id, claimed_at=now)
        return None
    except IntegrityError:
        pass
    existing = DisclosurePDF.objects.get(disclosure_id=disclosure_id)
    if existing.is_ready:
        return existing
    # Take over a claim whose worker died, unless another worker just did.
    stale = DisclosurePDF.objects.filter(
        pk=existing.pk, sha256="", claimed_at__lt=now - CLAIM_EXPIRES
    )
    if existing.claimed_at is not None and stale.update(claimed_at=now):
        return None
    raise PdfNotReady(disclosure_id)


def store_pdf(disclosure_id: int) -> DisclosurePDF:
    """Render a published revision once and keep the file; later calls return it.

    Exactly one worker renders: it first makes the file's row as a claim (the database's
    unique key on the disclosure decides between concurrent callers), renders outside any
    transaction, then fills the row in. Others get PdfNotReady until then.
    """
    disclosure = Disclosure.objects.with_contents().get(pk=disclosure_id)
    if disclosure.status != Disclosure.Status.PUBLISHED:
        raise ValueError(f"{disclosure} is not published; drafts are previewed, not stored")
    existing = _claim(disclosure_id)
    if existing is not None:
        return existing
    try:
        content = render_pdf(disclosure)
    except BaseException:
        DisclosurePDF.objects.filter(disclosure_id=disclosure_id, sha256="").delete()
        raise
    sha256 = hashlib.sha256(content).hexdigest()
    stored = DisclosurePDF.objects.get(disclosure_id=disclosure_id)
    stored.file.save(f"{disclosure.pk}/{sha256}.pdf", ContentFile(content), save=False)
    stored.sha256, stored.size = sha256, len(content)
    stored.save()
    return stored
