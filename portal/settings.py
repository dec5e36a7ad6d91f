"""One env-driven settings module, in a fixed order.

Defaults make a fresh checkout run with no service: SQLite under var/, Celery tasks executed
in-process, mail written as files under var/mail/. DATABASE_URL, REDIS_URL and EMAIL_URL switch to
the real services. Every variable read here is listed in .env.example (a test checks it).

The order: environment helpers, then core, apps, middleware, templates, database, cache/broker/
Celery, mail, storage, security, API, feature settings. Each setting is written once, in its
section; a setting that depends on another comes after it. The helpers fail loudly on bad values.
"""

import os
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

import dj_database_url
import xstatic.pkg.leaflet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# --- Environment helpers --------------------------------------------------------------------------
# Every variable is read through one of these, with its default written as the string it would be in
# the environment, so .env.example can show it the same way.


def env(name: str, default: str) -> str:
    return os.getenv(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")
    return value in ("true", "1", "yes")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    """A comma-separated list; blanks around and between items are dropped."""
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envrate(name: str, default: str) -> str:
    """A DRF throttle rate such as 120/minute."""
    value = os.getenv(name, default)
    number, _, period = value.partition("/")
    if not number.isdigit() or period[:1] not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (per second, minute, hour or day), got {value!r}")
    return value


class SmtpServer(NamedTuple):
    host: str
    port: int
    user: str
    password: str
    use_ssl: bool
    use_tls: bool


def parse_email_url(url: str) -> SmtpServer:
    """smtp:// (plain), smtps:// (TLS from the start) or submission:// (STARTTLS); user and password
    URL-encoded. Anything else is refused: a typo must not turn mail off."""
    parts = urlparse(url)
    if parts.scheme not in ("smtp", "smtps", "submission"):
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be smtp, smtps or submission, got {parts.scheme!r}")
    return SmtpServer(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme],
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_ssl=parts.scheme == "smtps",
        use_tls=parts.scheme == "submission",
    )


# --- Core -----------------------------------------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", "true")
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Blue Alert Network")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = env("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Apps -----------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "audit",
    "outbox",
    "agencies",
    "alerts",
    "notifications",
    "portal",
]

# --- Middleware -----------------------------------------------------------------------------------

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Keeps public responses free of cookies and of Vary: Cookie, so it must wrap SessionMiddleware.
    "alerts.http.PublicResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Templates ------------------------------------------------------------------------------------

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL", "")
DATABASES: dict[str, dict[str, Any]]
if DATABASE_URL:
    DATABASES = {"default": dict(dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", "60")))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default must run from a fresh checkout
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

# --- Cache, broker, Celery ------------------------------------------------------------------------
# Without REDIS_URL the cache is per process and tasks run in-process, at the call.

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# "priority" carries planning, updates, cancellations, workflow mail and the periodic jobs, and should
# have its own worker so they never wait behind "bulk", the first fan-out of an alert.
CELERY_TASK_DEFAULT_QUEUE = "bulk"
CELERY_TASK_ROUTES = {
    "notifications.tasks.message_distribute": {"queue": "priority"},
    "notifications.tasks.messages_plan_check": {"queue": "priority"},
    "outbox.tasks.deliveries_sweep": {"queue": "priority"},
    "outbox.tasks.deliveries_send": {"queue": "bulk"},
}
# How often beat runs the outbox sweeper (and how long one sweep may wait in the queue).
NOTIFICATIONS_SWEEP_SECONDS = envint("NOTIFICATIONS_SWEEP_SECONDS", "60")
CELERY_BEAT_SCHEDULE = {
    "outbox-deliveries-sweep": {
        "task": "outbox.tasks.deliveries_sweep",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
        "options": {"queue": "priority", "expires": NOTIFICATIONS_SWEEP_SECONDS},
    },
    # Messages whose planning task was lost are planned again.
    "notifications-messages-plan-check": {
        "task": "notifications.tasks.messages_plan_check",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
        "options": {"queue": "priority", "expires": NOTIFICATIONS_SWEEP_SECONDS},
    },
    # Expiry, the reminder one hour before, escalation of submissions pending over 10 minutes.
    "alerts-expire": {
        "task": "alerts.tasks.alerts_expire",
        "schedule": 60.0,
        "options": {"queue": "priority", "expires": 60},
    },
    "alerts-remind-expiry": {
        "task": "alerts.tasks.alerts_remind_expiry",
        "schedule": 60.0,
        "options": {"queue": "priority", "expires": 60},
    },
    "alerts-escalate": {
        "task": "alerts.tasks.alerts_escalate",
        "schedule": 60.0,
        "options": {"queue": "priority", "expires": 60},
    },
    "alerts-withdraw-photos": {
        "task": "alerts.tasks.alerts_withdraw_photos",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
}

# --- Mail -----------------------------------------------------------------------------------------

_email_url = env("EMAIL_URL", "")  # lower case: it may carry a password, so it is no setting itself
if _email_url:
    _smtp = parse_email_url(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.host
    EMAIL_PORT = _smtp.port
    EMAIL_HOST_USER = _smtp.user
    EMAIL_HOST_PASSWORD = _smtp.password
    EMAIL_USE_SSL = _smtp.use_ssl
    EMAIL_USE_TLS = _smtp.use_tls
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Blue Alert Network <alerts@example.org>")
# The on-call desk told of every live approval and cancellation; empty: nobody.
OPERATIONS_EMAIL = env("OPERATIONS_EMAIL", "")

# --- Storage: static files, uploads, the publish root ---------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static", ("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
PUBLISH_ROOT = Path(env("PUBLISH_ROOT", str(VAR_DIR / "public")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "publish": {
        "BACKEND": env("PUBLISH_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(PUBLISH_ROOT), "base_url": "/"},
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/IP pair is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:home"
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600))
INVITATION_MAX_AGE = envint("INVITATION_MAX_AGE", str(7 * 24 * 3600))
# Approve, deny, cancel and role changes need the password (and code) entered this recently.
REAUTH_MAX_AGE = 15 * 60
OTP_TOTP_ISSUER = SITE_NAME

# Sessions: idle 30 minutes, at most 12 hours (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Sign-in throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "accounts.ip.client_ip"
# How many reverse proxies (nginx, a load balancer) append to X-Forwarded-For in front of Django.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): no inline script or style on any page. The map tile server
# is the one outside origin a page loads from, so its URL lives here. Swagger UI uses the sidecar's
# split view, whose init script is a separate file.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_tiles = urlparse(MAP_TILE_URL.replace("{s}", "*"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", f"{_tiles.scheme}://{_tiles.netloc}"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- API ------------------------------------------------------------------------------------------
# Errors as one JSON shape, JSON in and out, throttling per user and per IP.

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api_errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api_common.AnonThrottle", "portal.api_common.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envrate("API_THROTTLE_ANON", "120/minute"),
        "user": envrate("API_THROTTLE_USER", "1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Blue Alert Network API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The Blue Alert Network portal's REST API. Authenticate with `Authorization: Token <key>` (create a "
        "token on your account page, or `manage.py drf_create_token <email>`), or a signed-in browser session. "
        'Every error is JSON: `{"detail": ..., "code": ..., "fields": {field: [messages]}}`.'
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AgencyStatusEnum": "agencies.models.Agency.Status",
        "AgencyRoleEnum": "agencies.api.AGENCY_ROLE_CHOICES",
        "RoleEnum": "agencies.models.Role",
        "AlertStatusEnum": "alerts.models.Alert.Status",
        "PublicAlertStatusEnum": "alerts.api.public.PUBLIC_STATUS_CHOICES",
    },
}

# --- Feature settings -----------------------------------------------------------------------------

# CAP messages: the sender of every message this installation publishes, and the PEM files of the
# XML signature (unset: a demo pair generated under var/ on first use).
CAP_SENDER = env("CAP_SENDER", "bluealert@example.org")
if any(c in CAP_SENDER for c in " ,<&"):
    raise ImproperlyConfigured("CAP_SENDER must not contain spaces, commas, '<' or '&'")
CAP_SIGNING_KEY = env("CAP_SIGNING_KEY", "")
CAP_SIGNING_CERT = env("CAP_SIGNING_CERT", "")
CAP_CIRCLE_RADIUS_KM = envint("CAP_CIRCLE_RADIUS_KM", "40")

# Public pages: the map's attribution (the tile URL is under Security, for the CSP) and how long
# after an alert ends its suspect photos are withdrawn.
MAP_ATTRIBUTION = env("MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors")
PUBLIC_PHOTO_WITHDRAW_DAYS = envint("PUBLIC_PHOTO_WITHDRAW_DAYS", "30")

# Distribution: the outbox's chunks, its sweeper (NOTIFICATIONS_SWEEP_SECONDS is with the beat
# schedule), retries and webhooks.
NOTIFICATIONS_CHUNK_SIZE = envint("NOTIFICATIONS_CHUNK_SIZE", "200")
# Outbox rows are planned and committed this many at a time, so sending starts after the first page.
NOTIFICATIONS_PLAN_PAGE = envint("NOTIFICATIONS_PLAN_PAGE", "1000")
NOTIFICATIONS_STUCK_SECONDS = envint("NOTIFICATIONS_STUCK_SECONDS", "600")
if NOTIFICATIONS_STUCK_SECONDS <= CELERY_TASK_TIME_LIMIT and not DEBUG:
    # A row claimed by a task still running within its time limit is not stuck.
    raise ImproperlyConfigured("NOTIFICATIONS_STUCK_SECONDS must exceed CELERY_TASK_TIME_LIMIT")
NOTIFICATIONS_QUEUED_STALE_SECONDS = envint("NOTIFICATIONS_QUEUED_STALE_SECONDS", "900")
NOTIFICATIONS_SWEEP_LIMIT = envint("NOTIFICATIONS_SWEEP_LIMIT", "20000")
NOTIFICATIONS_MAX_ATTEMPTS = envint("NOTIFICATIONS_MAX_ATTEMPTS", "10")
NOTIFICATIONS_RETRY_BASE_SECONDS = envint("NOTIFICATIONS_RETRY_BASE_SECONDS", "30")
NOTIFICATIONS_RETRY_MAX_SECONDS = envint("NOTIFICATIONS_RETRY_MAX_SECONDS", "1800")
NOTIFICATIONS_WEBHOOK_TIMEOUT = envint("NOTIFICATIONS_WEBHOOK_TIMEOUT", "10")
NOTIFICATIONS_WEBHOOK_ALLOW_HTTP = envbool("NOTIFICATIONS_WEBHOOK_ALLOW_HTTP", "true" if DEBUG else "false")
# A message still without a distribution plan this long after approval lost its planning task.
NOTIFICATIONS_REPLAN_AFTER_SECONDS = envint("NOTIFICATIONS_REPLAN_AFTER_SECONDS", "120")
NOTIFICATIONS_REPLAN_HOURS = envint("NOTIFICATIONS_REPLAN_HOURS", "48")
SUBSCRIBER_CONFIRM_MAX_AGE = envint("SUBSCRIBER_CONFIRM_MAX_AGE", str(3 * 24 * 3600))
