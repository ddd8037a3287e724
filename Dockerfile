# The production image: gunicorn serving the portal, the same image running the task worker.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# CJK fonts and the libraries WeasyPrint renders the statutory PDF with; pg_dump and
# pg_restore (15, as the database's image) for manage.py backup and restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --system --home /app portal \
    && mkdir -p /app/staticfiles /app/media \
    && chown portal /app/staticfiles /app/media
USER portal

EXPOSE 8000
CMD ["gunicorn", "budgetportal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
