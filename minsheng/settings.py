"""Minsheng settings: one module, driven by the environment, safe by default.

Environment variables (all optional in development):

- ``MINSHENG_ENV``: ``development`` (default), ``test`` or ``production``.
- ``SECRET_KEY``: required in production; in development a key is generated once into ``var/``.
- ``DEBUG``: ``1`` to turn debug on; off unless set.
- ``ALLOWED_HOSTS``: comma-separated; required in production.
- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/minsheng``; SQLite in ``var/`` by default.
- ``EMAIL_BACKEND`` (console in development, SMTP in production) / ``EMAIL_HOST`` / ``EMAIL_PORT`` /
  ``DEFAULT_FROM_EMAIL``.
- ``SITE_URL``: the platform's address, for the links in e-mails (``http://127.0.0.1:8000`` by default).
- ``MINSHENG_VAR_DIR``: where the SQLite database, uploads and the generated key live (kept private: 0700/0600).
- ``MINSHENG_PROXY_COUNT``: how many reverse proxies stand in front (production: 1 by default); the client's
  address for login limits is then taken from ``X-Forwarded-For``, never from it otherwise.
- ``MINSHENG_TOKEN_DAYS``: how long a new API token is valid (90 days by default).
- Production (``MINSHENG_ENV=production``) assumes a TLS-terminating proxy that sets ``X-Forwarded-Proto``:
  HTTPS redirect, HSTS (``SECURE_HSTS_SECONDS``, one year by default), secure cookies. ``manage.py check
  --deploy`` is clean with these defaults (``docs/admin.md``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


MINSHENG_ENV = os.environ.get("MINSHENG_ENV", "development").strip().lower()
if MINSHENG_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"MINSHENG_ENV must be development, test or production, not {MINSHENG_ENV!r}")
PRODUCTION = MINSHENG_ENV == "production"

VAR_DIR = Path(os.environ.get("MINSHENG_VAR_DIR", BASE_DIR / "var"))
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when MINSHENG_ENV=production.")
    # Development and tests: one random key kept beside the database, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        _private_dir(VAR_DIR)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    _private_file(path)
    return key


def _private_dir(path: Path) -> None:
    """The var directory holds the key, the SQLite database and uploads: only its owner may enter it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except PermissionError:  # a directory owned by someone else (a mounted volume): leave it as it is
        pass


def _private_file(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except (FileNotFoundError, PermissionError):
        pass


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when MINSHENG_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN on an intranet)
    "minsheng.core",
    "minsheng.proposals",
    "minsheng.hotline",
    "minsheng.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minsheng.core.middleware.ApiErrorShapeMiddleware",
    "minsheng.core.middleware.NulCharacterMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "minsheng.core.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minsheng.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minsheng.urls"
WSGI_APPLICATION = "minsheng.wsgi.application"
ASGI_APPLICATION = "minsheng.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "minsheng.core.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'minsheng.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", "") or DEFAULT_SQLITE, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _private_dir(VAR_DIR)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MINSHENG_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_COOLOFF_TIME = 0.5  # hours
# Locked out after AXES_FAILURE_LIMIT failures of one username from one client, and after
# AXES_CLIENT_FAILURE_LIMIT failures from one client whatever the usernames (one password tried on many
# accounts): see minsheng.core.security.
AXES_CLIENT_FAILURE_LIMIT = int(os.environ.get("AXES_CLIENT_FAILURE_LIMIT", "20"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_HANDLER = "minsheng.core.security.LockoutHandler"
# The client's address: REMOTE_ADDR, or from X-Forwarded-For only behind the configured number of proxies.
MINSHENG_PROXY_COUNT = int(os.environ.get("MINSHENG_PROXY_COUNT", "1" if PRODUCTION else "0"))
AXES_CLIENT_IP_CALLABLE = "minsheng.core.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Attachments: what users may upload (the limits are checked by core.services.attachment_add).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
ATTACHMENT_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".txt", ".jpg", ".jpeg", ".png", ".zip", ".ofd", ".wps",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "") or (
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {"host": os.environ.get("EMAIL_HOST", "localhost"), "port": int(os.environ.get("EMAIL_PORT", "25"))}
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "minsheng@localhost")
# Where the platform is reached: links in e-mails are made absolute with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto (docs/admin.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and the orchestrator's plain-HTTP health probe
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # An intranet host name cannot be on the browsers' HSTS preload list, so the preload flag means nothing.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content Security Policy, in every mode: scripts only from the platform itself (inline scripts carry the
# request's nonce), no plugins, no framing. Inline style attributes stay allowed (progress bars, chart
# boxes, ECharts' own); a style cannot run code.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Minsheng's own settings.
MINSHENG_SHARED_DATA = Path(os.environ.get("MINSHENG_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))
MINSHENG_NODE_MODULES = BASE_DIR / "node_modules"
MINSHENG_SITE_NAME = _("Minsheng")
MINSHENG_TOKEN_DAYS = int(os.environ.get("MINSHENG_TOKEN_DAYS", "90"))
