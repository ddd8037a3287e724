"""Settings for the budget disclosure portal.

Everything comes from environment variables with defaults that work on a fresh
checkout: SQLite in the project folder, DEBUG on, no other service needed. Production
sets at least DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (postgres://…).
"""

import contextlib
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "simple_history",
    "import_export",
    "axes",
    "disclosures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "disclosures.middleware.ChosenLanguageMiddleware",
    # Before the session reads its cookie, and inside the middleware that set security
    # headers and the language, so that its 400 carries them too.
    "disclosures.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns django-axes' lockout into its 429 page; axes asks to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "budgetportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "budgetportal.wsgi.application"

# Database: SQLite file by default; DATABASE_URL switches (sqlite:///path or postgres://…).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: a transaction that writes takes the database's write lock
    # when it begins (IMMEDIATE), so of two clerks saving at once the second waits for the
    # first and then sees its edit version (a friendly "someone else saved"), instead of
    # failing with "database is locked". WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The history of every row is for reading: reverting would restore workflow fields too.
SIMPLE_HISTORY_REVERT_DISABLED = True

# The validators judge passwords typed into the admin (user add, password change) and
# changepassword; load_demo creates its demo accounts directly, not through them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins: django-axes counts failed logins per username and per address; either reaching
# AXES_FAILURE_LIMIT within the cool-off period locks it out (429, templates/429.html) until
# the period has passed since the last failure. Every login, failure and lockout is kept
# (AccessLog, AccessFailureLog, AccessAttempt), readable by superusers in the admin only.
# authenticate() must be given the request, which the admin's login form does; the test
# client's login() does not (use force_login, or pass request=HttpRequest()).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Not reset on success: a clerk who logs into their own account between guesses at
# another would otherwise wipe their address's count, and so guess without limit.
AXES_RESET_ON_SUCCESS = False

# The proxies in front that append the client's address to X-Forwarded-For. With none
# (the default) the header is ignored: anybody can send it. Behind one TLS proxy on the
# host (docker-compose.yml) it is 1.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))


def client_address(request: HttpRequest) -> str | None:
    """The address a login came from: the one the outermost trusted proxy saw, read from
    the right of X-Forwarded-For (what lies further left the client wrote itself)."""
    from django.conf import settings

    address = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if count and len(forwarded) >= count:
        with contextlib.suppress(ValueError):  # not an address: the proxy is misconfigured
            address = str(ipaddress.ip_address(forwarded[-count]))
    return address


AXES_CLIENT_IP_CALLABLE = client_address

# Only staff have sessions (the public language choice is a cookie). A session ends after
# SESSION_IDLE_MINUTES without a request: each request saves it with a new expiry.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Chinese is the working language; English is secondary.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Rendered files (the statutory PDFs) go through Django's storage API: local media by
# default, an S3-compatible store (MinIO, OSS, COS, S3 …) when S3_BUCKET is set.
if os.environ.get("S3_BUCKET"):
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": env_bool("S3_SIGNED_URLS", True),
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django's tasks framework: tasks run at once in development and tests; production
# (docker-compose) sets TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs db_worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Off by default: the proxy in front usually redirects and sends HSTS; turn on here if not.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: only our own scripts and styles; an inline script or <style>
# only with the request's nonce (the admin's templates carry it; the portal's have none,
# so the cached public pages hold no nonce). No inline event handlers anywhere (so not
# import-export's SelectableFieldsExportForm, whose template has one).
# No style="…" attributes either: the portal's templates style through its stylesheets.
# tests/test_browser_csp.py watches for violations.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGIN_URL = "admin:login"
# After logging in without ?next=: the admin, where staff work (not /accounts/profile/).
LOGIN_REDIRECT_URL = "admin:index"

# E-mail: the set-password links of new accounts (import_roster). Printed to the console
# unless EMAIL_HOST names an SMTP server; many Chinese providers want port 465 with
# EMAIL_USE_SSL, others 587 with EMAIL_USE_TLS.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 30,
            },
        }
    }
else:
    # No mail server: the links are printed by import_roster and shown on the roster page
    # for the bureau to hand over, so the console backend is deliberate, in production too.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# A set-password link works once, for this many days.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_LINK_DAYS", "7")) * 24 * 60 * 60
# The portal's address as staff reach it, for links in e-mails sent by commands (a page
# builds its links from the request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# A disclosure's admin page posts every row of its eleven tables at once: a few thousand
# fields, beyond Django's default limit of 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        # django-axes: failures and lockouts are WARNINGs; its INFO is a banner on every
        # command and each successful login, which AccessLog keeps anyway.
        "axes": {"level": "WARNING"},
    },
}

# Public pages are cached per publication stamp (disclosures/site/cache.py), so publishing or
# correcting invalidates them in every process. Each gunicorn worker keeps its own memory
# cache unless CACHE_LOCATION names a shared one (a directory for the file-based cache).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
        if os.environ.get("CACHE_LOCATION")
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": os.environ.get("CACHE_LOCATION", "budgetportal"),
    }
}
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "600"))
