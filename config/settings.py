"""Uptake settings, all read from environment variables.

Defaults are safe for local development (SQLite, DEBUG on, a pseudonym key under var/).
Set UPTAKE_PRODUCTION=1 to get the hardened settings that pass `manage.py check --deploy`.
"""

import json
import os
import tempfile
from pathlib import Path

import dj_database_url
import yaml
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


# The site's facts that reports and the cost model need (institution, staff, on-premises costs,
# reference prices, threshold) live in one YAML file that the web server, the task worker and the
# command line all read (UPTAKE_SITE_FILE; docs/reports.md, "Site file"). An environment variable
# of the same name overrides one value; a report says which facts are missing.
SITE_KEYS = {
    "institution_name", "institution_logo", "colours", "suppression_threshold", "staff_count", "cost_group_item",
    "onprem_hardware_eur", "onprem_hardware_years", "onprem_power_kw", "onprem_eur_per_kwh",
    "onprem_staff_eur_per_year", "onprem_tokens_per_s_input", "onprem_tokens_per_s_output",
    "onprem_eur_per_m_input", "onprem_eur_per_m_output", "reference_prices",
}


def read_site_file(path):
    """The site file's values by key; {} without a file. Unknown keys are refused (a typo would drop a fact)."""
    if not path:
        return {}
    try:
        values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ImproperlyConfigured(f"UPTAKE_SITE_FILE {path}: cannot be read as YAML: {error}") from None
    if not isinstance(values, dict):
        raise ImproperlyConfigured(f"UPTAKE_SITE_FILE {path}: expected a mapping of site facts")
    unknown = sorted(set(values) - SITE_KEYS)
    if unknown:
        raise ImproperlyConfigured(f"UPTAKE_SITE_FILE {path}: unknown key {unknown[0]!r}; expected one of "
                                   f"{', '.join(sorted(SITE_KEYS))}")
    return values


UPTAKE_SITE_FILE = env("UPTAKE_SITE_FILE", "")
SITE_FILE_VALUES = read_site_file(UPTAKE_SITE_FILE)


def site(name, default=""):
    """A site fact as text: the environment variable, else the site file's key, else the default."""
    if name in os.environ:
        return os.environ[name]
    value = SITE_FILE_VALUES.get(name.removeprefix("UPTAKE_").lower())
    if value is None:
        return default
    if isinstance(value, (dict, list)):
        return ",".join(map(str, value)) if isinstance(value, list) else json.dumps(value)
    return str(value)


PRODUCTION = env_bool("UPTAKE_PRODUCTION")
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when UPTAKE_PRODUCTION=1.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-4f9a1c7e2b8d"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "surveys",
    "platform_logs",
    "reports",
    "studies",
    "coding",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.faults.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# Production keeps each worker thread's connection open (a new PostgreSQL connection costs more than
# a whole respondent request) and checks it before reuse, so a restarted database or a terminated
# backend costs a reconnect, not an error page.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'uptake.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock at BEGIN so concurrent saves wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # A file, not shared-cache memory, so tests see the same locking as a real deployment.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"uptake-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Respondents sign in through the institution's Keycloak (OpenID Connect); researchers may also
# use Django accounts for the admin. Local sign-up is closed: identities come from the IdP.
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "surveys.auth.ClosedSignupAccountAdapter"
SOCIALACCOUNT_ADAPTER = "surveys.auth.IdentityProviderSignupAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_STORE_TOKENS = False
OIDC_PROVIDER_ID = env("OIDC_PROVIDER_ID", "keycloak")
OIDC_SERVER_URL = env("OIDC_SERVER_URL", "")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": env("OIDC_PROVIDER_NAME", "Keycloak"),
                    "client_id": env("OIDC_CLIENT_ID", "uptake"),
                    "secret": env("OIDC_CLIENT_SECRET", ""),
                    "settings": {"server_url": OIDC_SERVER_URL},
                }
            ]
            if OIDC_SERVER_URL
            else []
        ),
    }
}

LANGUAGE_CODE = env("LANGUAGE_CODE", "de")
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else CONSOLE_EMAIL_BACKEND)
if PRODUCTION and EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
    # Password-reset and invitation mails printed to a server console reach nobody and leak their links.
    raise ImproperlyConfigured("EMAIL_BACKEND must not be the console backend when UPTAKE_PRODUCTION=1; set EMAIL_HOST etc.")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "uptake@localhost")

# Pseudonyms are HMAC-SHA256 under a key that lives in a file outside the database, so a
# database dump alone cannot be re-identified by hashing a staff list.
UPTAKE_PSEUDONYM_KEY_FILE = Path(env("UPTAKE_PSEUDONYM_KEY_FILE", BASE_DIR / "var" / "pseudonym.key"))
# A consortium site signs its aggregate bundles (docs/consortium.md) with an Ed25519 private key
# kept, like the pseudonym key, in a file outside the database; the first export creates it.
UPTAKE_SIGNING_KEY_FILE = Path(env("UPTAKE_SIGNING_KEY_FILE", BASE_DIR / "var" / "site_signing.key"))
# Which identity-provider attribute links a person across waves and to usage logs:
# "subject" (the OIDC sub) or "email" (lower-cased).
UPTAKE_PSEUDONYM_IDENTIFIER = env("UPTAKE_PSEUDONYM_IDENTIFIER", "subject")
# Ollama's Gin request lines carry no time zone; its container usually runs in UTC.
UPTAKE_OLLAMA_TIME_ZONE = env("UPTAKE_OLLAMA_TIME_ZONE", "UTC")
# The provider in Open WebUI's user.oauth whose subject is the site's login (Keycloak is "oidc").
UPTAKE_OPENWEBUI_OAUTH_PROVIDER = env("UPTAKE_OPENWEBUI_OAUTH_PROVIDER", "oidc")
# Cost model (docs/platform-logs.md): the site's own EUR per 1M input/output tokens (empty: not
# costed), and reference cloud prices as JSON text or a path to a JSON file (empty: built-in list).
# The annual cost of the on-premises service (hardware written off over its years, power, staff)
# and its measured full-load throughput give the on-premises price at observed and at full use.
UPTAKE_ONPREM_HARDWARE_EUR = site("UPTAKE_ONPREM_HARDWARE_EUR")
UPTAKE_ONPREM_HARDWARE_YEARS = site("UPTAKE_ONPREM_HARDWARE_YEARS")
UPTAKE_ONPREM_POWER_KW = site("UPTAKE_ONPREM_POWER_KW")
UPTAKE_ONPREM_EUR_PER_KWH = site("UPTAKE_ONPREM_EUR_PER_KWH")
UPTAKE_ONPREM_STAFF_EUR_PER_YEAR = site("UPTAKE_ONPREM_STAFF_EUR_PER_YEAR")
UPTAKE_ONPREM_TOKENS_PER_S_INPUT = site("UPTAKE_ONPREM_TOKENS_PER_S_INPUT")
UPTAKE_ONPREM_TOKENS_PER_S_OUTPUT = site("UPTAKE_ONPREM_TOKENS_PER_S_OUTPUT")
# A fixed own price per 1M tokens instead (e.g. an internal charge rate); overrides the derived one.
UPTAKE_ONPREM_EUR_PER_M_INPUT = site("UPTAKE_ONPREM_EUR_PER_M_INPUT")
UPTAKE_ONPREM_EUR_PER_M_OUTPUT = site("UPTAKE_ONPREM_EUR_PER_M_OUTPUT")
UPTAKE_REFERENCE_PRICES = site("UPTAKE_REFERENCE_PRICES")
# The survey item whose answers group costs in platform_summary (e.g. the respondent's role).
UPTAKE_COST_GROUP_ITEM = site("UPTAKE_COST_GROUP_ITEM", "role")
# Public base URL used when printing invitation links.
UPTAKE_BASE_URL = env("UPTAKE_BASE_URL", "http://127.0.0.1:8000")

# Invitations by e-mail (docs/invitations.md): participant addresses are Fernet-encrypted under a key
# file outside the database and deleted when the wave closes; mail is throttled to UPTAKE_MAIL_RATE
# messages per second (0: unthrottled); reminders go out the given days after the invitations.
UPTAKE_ADDRESS_KEY_FILE = Path(env("UPTAKE_ADDRESS_KEY_FILE", BASE_DIR / "var" / "address.key"))
UPTAKE_MAIL_RATE = float(env("UPTAKE_MAIL_RATE", "5"))
UPTAKE_REMINDER_DAYS = [int(days) for days in env_list("UPTAKE_REMINDER_DAYS", "7,14")]
UPTAKE_MAIL_CONTACT = env("UPTAKE_MAIL_CONTACT", "")  # who answers questions, for the {contact} placeholder
UPTAKE_OPENWEBUI_DB = env("UPTAKE_OPENWEBUI_DB", "")  # Open WebUI's webui.db: invite its active accounts

# Reports (docs/reports.md): background jobs through django-tasks with the database backend
# (`manage.py db_worker` runs them); institution branding and the small-cell threshold.
TASKS = {"default": {"BACKEND": env("UPTAKE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
UPTAKE_INSTITUTION_NAME = site("UPTAKE_INSTITUTION_NAME", "Universitätsklinikum (Demo)")
UPTAKE_INSTITUTION_LOGO = site("UPTAKE_INSTITUTION_LOGO", "")  # path to an SVG or PNG; empty: no logo
UPTAKE_COLOURS = [c.strip() for c in site("UPTAKE_COLOURS", "#1f4e79,#0f7b6c,#d9822b").split(",") if c.strip()]  # primary, secondary, accent
UPTAKE_SUPPRESSION_THRESHOLD = int(site("UPTAKE_SUPPRESSION_THRESHOLD", "5"))
UPTAKE_STAFF_COUNT = int(site("UPTAKE_STAFF_COUNT", "0")) or None  # staff who could use the platform
UPTAKE_ANALYSIS_PLAN = Path(env("UPTAKE_ANALYSIS_PLAN", BASE_DIR / "analysis" / "plans" / "demo.yaml"))
UPTAKE_REPORTS_DIR = Path(env("UPTAKE_REPORTS_DIR", BASE_DIR / "var" / "reports"))

# Coding open answers with the site's own model (docs/coding.md). Free text goes only to these hosts.
UPTAKE_CODING_ENDPOINT = env("UPTAKE_CODING_ENDPOINT", "http://127.0.0.1:8090/v1")
UPTAKE_CODING_MODEL = env("UPTAKE_CODING_MODEL", "smollm2-135m-instruct")
UPTAKE_CODING_API_KEY_FILE = Path(env("UPTAKE_CODING_API_KEY_FILE", "")) if env("UPTAKE_CODING_API_KEY_FILE") else None
UPTAKE_CODING_HOSTS = env_list("UPTAKE_CODING_HOSTS", "127.0.0.1,localhost")
UPTAKE_CODING_TEMPERATURE = float(env("UPTAKE_CODING_TEMPERATURE", "0"))
UPTAKE_CODING_SEED = int(env("UPTAKE_CODING_SEED", "2026"))
UPTAKE_CODING_MAX_TOKENS = int(env("UPTAKE_CODING_MAX_TOKENS", "200"))

# Sessions stay in the database: they hold which invitation a browser opened (and a researcher's
# login), which a signed cookie would hand to the browser and could not end on the server. The cost
# is one primary-key read per request; the row is written when the session changes (and its expiry
# is pushed forward at most every five minutes).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# A respondent's session (invitation or sign-in) ends after this long without a request, and at the thank-you page.
UPTAKE_RESPONDENT_SESSION_SECONDS = int(env("UPTAKE_RESPONDENT_SESSION_SECONDS", str(2 * 60 * 60)))
# Every questionnaire or participant file, uploaded or imported, is refused above this size before it is
# parsed (surveys/file_limits.py); the web server's body limit (docs/deploy.md) should match it.
UPTAKE_UPLOAD_MAX_BYTES = int(env("UPTAKE_UPLOAD_MAX_BYTES", str(5 * 2**20)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2**20  # larger uploads wait in a temporary file, not in the worker's memory
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Invitation and opt-out links are credentials: 403s, 404s and 500s must not write them to the log.
    "filters": {"redact_invitation_tokens": {"()": "surveys.log_redaction.RedactInvitationTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_invitation_tokens"]}},
    "loggers": {
        "django.request": {"filters": ["redact_invitation_tokens"]},
        "django.server": {"filters": ["redact_invitation_tokens"]},
        "django.security.csrf": {"filters": ["redact_invitation_tokens"]},  # the 403 of a mail client's opt-out POST
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
