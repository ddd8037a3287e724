"""WSGI entry point (gunicorn budgetportal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budgetportal.settings")

application = get_wsgi_application()
