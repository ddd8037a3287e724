"""Background work of Django's tasks framework (immediate in development and tests,
django-tasks-db's database backend and db_worker in production)."""

from django.tasks import task

from disclosures.rendering.pdf import store_pdf
from disclosures.workbook import store_workbook


@task
def render_published_files(disclosure_id: int) -> dict[str, str]:
    """Render and keep the PDF and the workbook of a newly published revision; returns
    their SHA-256s."""
    return {
        "pdf": store_pdf(disclosure_id).sha256,
        "xlsx": store_workbook(disclosure_id).sha256,
    }
