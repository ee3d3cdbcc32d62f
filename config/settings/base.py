"""Settings shared by every deployment. Defaults run the demo on SQLite with no
variable set; ``production.py`` refuses to start on those defaults."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env("SUNSHINE_DATA_DIR", str(BASE_DIR / "var")))

DEFAULT_SECRET_KEY = "insecure-demo-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env("SUNSHINE_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env("SUNSHINE_DEBUG", False, bool)
ALLOWED_HOSTS = env("SUNSHINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"], list)
CSRF_TRUSTED_ORIGINS = env("SUNSHINE_CSRF_TRUSTED_ORIGINS", [], list)
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed (core.throttle.client_address).
SUNSHINE_TRUSTED_PROXIES = env("SUNSHINE_TRUSTED_PROXIES", [], list)

INSTALLED_APPS = [
    "sunshine.accounts.apps.SunshineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "ninja",  # the API docs' Swagger UI served from its vendored static files, not a CDN
    "django_tasks_db",
    "sunshine.core",
    "sunshine.accounts",
    "sunshine.orgs",
    "sunshine.petitions",
    "sunshine.fees",
    "sunshine.disclosure",
    "sunshine.decisions",
    "sunshine.opinion",
    "sunshine.funds",
    "sunshine.enrollment",
    "sunshine.reports",
    "sunshine.oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sunshine.petitions.middleware.ReceiptSessionMiddleware",
    "sunshine.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sunshine.core.audit.AuditRequestMiddleware",
    "sunshine.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sunshine.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

FORM_RENDERER = "sunshine.core.forms.FormRenderer"  # one form style: core/forms/form.html, field.html

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sunshine.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite (WAL) is the embedded default; a city sets DATABASE_URL to PostgreSQL.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sunshine.sqlite3'}"),
        conn_max_age=env("SUNSHINE_DB_CONN_MAX_AGE", 0, int),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
# Each process's memory by default; a city's app servers share Redis (SUNSHINE_REDIS_URL,
# e.g. redis://127.0.0.1:6379/3), which also keeps a copy of each session beside its
# database row (sunshine.core.cache: a Redis that does not answer is a miss, never an error).
# "pages" is always the process's own memory: pages kept whole under a stamp of what they
# were made from (a filer's case page), the same in every process, read without a round trip.
REDIS_URL = env("SUNSHINE_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sunshine"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sunshine-pages",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "sunshine.core.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sunshine",
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts and security --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sunshine.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "core:home"

AXES_FAILURE_LIMIT = env("SUNSHINE_LOGIN_FAILURE_LIMIT", 5, int)
# Locked per account whatever the address (a new address guesses no further); the wait
# starts here and doubles with each further lockout of the account within a day.
SUNSHINE_LOGIN_COOLOFF_MINUTES = env("SUNSHINE_LOGIN_COOLOFF_MINUTES", 15, int)
AXES_COOLOFF_TIME = "sunshine.accounts.lockout.lockout_cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that a lockout without the address lets one address try many accounts:
# deliberate — per-address lockout is what let each new address guess again.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Not reset by a correct password: a password alone must not clear failed 2FA codes.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# How long a one-time enrolment link (after account creation or a reset) stays valid.
SUNSHINE_ENROLMENT_HOURS = env("SUNSHINE_ENROLMENT_HOURS", 72, int)

OTP_TOTP_ISSUER = env("SUNSHINE_OTP_ISSUER", "阳光监督平台")
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env("SUNSHINE_SESSION_HOURS", 8, int) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Paths answered with Cache-Control: no-store whoever asks (a signed-in user's every
# page is no-store anyway; so is any path with /staff/ or /api/ in it).
# How long a shared cache (the city's nginx) may keep a page that is the same for every
# anonymous visitor (core.middleware.NoStoreMiddleware); 0: never.
SUNSHINE_PUBLIC_CACHE_SECONDS = env("SUNSHINE_PUBLIC_CACHE_SECONDS", 10, int)
SUNSHINE_NO_STORE_PATHS = ["/admin/", "/accounts/", "/workbench/", "/staff/", "/files/", "/petitions/follow/"]

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files live outside the web root and are served only through an access check.
PRIVATE_MEDIA_ROOT = Path(env("SUNSHINE_PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
SUNSHINE_UPLOAD_MAX_BYTES = env("SUNSHINE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, int)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Cryptography --------------------------------------------------------------------
# Field-encryption keys: "id:base64key,id2:base64key2"; the first is current.
# The demo default is a fixed, public key; production refuses it.
DEFAULT_FIELD_KEYS = "demo1:ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="
SUNSHINE_FIELD_KEYS = env("SUNSHINE_FIELD_KEYS", DEFAULT_FIELD_KEYS)
SUNSHINE_FIELD_CIPHER = env("SUNSHINE_FIELD_CIPHER", "aes-256-gcm")  # or "sm4-gcm"
# Keyed hashes of secrets a person presents (receipt codes, enrolment links, recovery codes).
DEFAULT_HASH_KEY = "demo-only-keyed-hash-secret"
SUNSHINE_HASH_KEY = env("SUNSHINE_HASH_KEY", DEFAULT_HASH_KEY)
# Blind indexes of personal data (a filer's phone, name, ID number): a separate key.
DEFAULT_INDEX_KEY = "demo-only-blind-index-secret"
SUNSHINE_INDEX_KEY = env("SUNSHINE_INDEX_KEY", DEFAULT_INDEX_KEY)
SUNSHINE_AUDIT_HASH = env("SUNSHINE_AUDIT_HASH", "sha256")  # or "sm3"; always under HMAC
# The audit chain's key (HMAC of every entry, signature of exported anchors): kept
# outside the database, so whoever can write the database cannot recompute the chain.
DEFAULT_AUDIT_KEY = "demo-only-audit-chain-key"
SUNSHINE_AUDIT_KEY = env("SUNSHINE_AUDIT_KEY", DEFAULT_AUDIT_KEY)
# Where the periodic job writes signed anchors of the chain's head (empty: no job
# output); mount storage there that the audit administrator, not the database, controls.
SUNSHINE_AUDIT_ANCHOR_DIR = env("SUNSHINE_AUDIT_ANCHOR_DIR", str(DATA_DIR / "audit-anchors"))
SUNSHINE_AUDIT_ANCHOR_HOURS = env("SUNSHINE_AUDIT_ANCHOR_HOURS", 1, int)
# The key of `manage.py backup` archives (AES-256-GCM): 32 bytes as base64 or hex,
# best from SUNSHINE_BACKUP_KEY_FILE. No default: without it no backup is made.
SUNSHINE_BACKUP_KEY = env("SUNSHINE_BACKUP_KEY", "")

# --- Petitions -----------------------------------------------------------------------
# The API's interactive docs (<mount>/docs); production turns them off.
SUNSHINE_API_DOCS = env("SUNSHINE_API_DOCS", True, bool)
# API keys of integrated systems (hotlines), as SHA-256 hex digests, comma-separated.
SUNSHINE_PETITION_API_KEYS = env("SUNSHINE_PETITION_API_KEYS", "")
SUNSHINE_FILER_NOTIFIERS = env("SUNSHINE_FILER_NOTIFIERS", ["sunshine.petitions.notices.log_only"], list)

# --- Opinion monitoring -------------------------------------------------------------
# Sources on an internal network are refused (SSRF) unless the bureau allows them.
SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES = env("SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES", False, bool)

# --- Background work -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("SUNSHINE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- The site ------------------------------------------------------------------------
SUNSHINE_SITE = {
    "name": env("SUNSHINE_SITE_NAME", "阳光教育监督平台"),
    "sponsor": env("SUNSHINE_SITE_SPONSOR", "示范区教育局"),
    "contact_phone": env("SUNSHINE_SITE_PHONE", "0000-12345678"),
    "contact_address": env("SUNSHINE_SITE_ADDRESS", "示范区教育路 1 号"),
    "site_code": env("SUNSHINE_SITE_CODE", "0000000000"),
    "icp": env("SUNSHINE_SITE_ICP", "示ICP备00000000号"),
    "psb": env("SUNSHINE_SITE_PSB", "示公网安备 00000000000000号"),
    # The bureau the public site speaks for (an organisation code); empty = the top-level bureau.
    "bureau_code": env("SUNSHINE_SITE_BUREAU_CODE", ""),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SUNSHINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
