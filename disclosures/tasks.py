"""Background work of Django's tasks framework (immediate in development and tests,
django-tasks-db's database backend and db_worker in production)."""

from django.tasks import task

from disclosures.pdf import store_pdf


@task
def render_disclosure_pdf(disclosure_id: int) -> str:
    """Render and keep the PDF of a newly published revision; returns its SHA-256."""
    return store_pdf(disclosure_id).sha256
