"""One env-driven settings module.

Defaults make a fresh checkout run with no service: SQLite under var/, Celery tasks executed
in-process, mail written as files under var/mail/. DATABASE_URL, REDIS_URL and EMAIL_URL switch to
the real services. Every variable is listed in .env.example. The helpers fail loudly on bad values.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))


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


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = [
    h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.getenv("SITE_NAME", "Blue Alert Network")
CAP_SENDER = os.getenv("CAP_SENDER", "bluealert@example.org")
if any(c in CAP_SENDER for c in " ,<&"):
    raise ImproperlyConfigured("CAP_SENDER must not contain spaces, commas, '<' or '&'")
CAP_SIGNING_KEY = os.getenv("CAP_SIGNING_KEY", "")
CAP_SIGNING_CERT = os.getenv("CAP_SIGNING_CERT", "")
OPERATIONS_EMAIL = os.getenv("OPERATIONS_EMAIL", "")

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

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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

DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", "60"))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default must run from a fresh checkout
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
REAUTH_MAX_AGE = 15 * 60

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = os.getenv("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
PUBLISH_ROOT = Path(os.getenv("PUBLISH_ROOT", VAR_DIR / "public"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "publish": {
        "BACKEND": os.getenv("PUBLISH_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(PUBLISH_ROOT), "base_url": "/"},
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REDIS_URL = os.getenv("REDIS_URL", "")
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
CELERY_TASK_DEFAULT_QUEUE = "bulk"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}


def _email_settings(url: str) -> dict:
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": VAR_DIR / "mail",
        }
    parts = urlparse(url)
    if parts.scheme not in ("smtp", "smtps", "submission"):
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be smtp, smtps or submission, got {parts.scheme!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "submission",
        "EMAIL_TIMEOUT": 20,
    }


globals().update(_email_settings(os.getenv("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Blue Alert Network <alerts@example.org>")

# Sessions: idle 30 minutes, at most 12 hours (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600))
OTP_TOTP_ISSUER = SITE_NAME

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

# Content-Security-Policy (django-csp): no inline script anywhere; map tiles from MAP_TILE_HOST.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Blue Alert Network API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Public pages (issue 4): map tiles for the alert page, the photo withdrawal period for ended
# alerts, Leaflet served from the XStatic-Leaflet package, and the middleware that keeps public
# responses free of cookies and of Vary: Cookie (it must wrap SessionMiddleware).
MAP_TILE_URL = os.getenv("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.getenv("MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors")
PUBLIC_PHOTO_WITHDRAW_DAYS = envint("PUBLIC_PHOTO_WITHDRAW_DAYS", "30")
CAP_CIRCLE_RADIUS_KM = envint("CAP_CIRCLE_RADIUS_KM", "40")
import xstatic.pkg.leaflet  # noqa: E402

STATICFILES_DIRS = [*STATICFILES_DIRS, ("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"), "alerts.http.PublicResponseMiddleware"
)

# REST API (issue 6): errors as one JSON shape, JSON in and out, throttling per user and per IP.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "portal.api_errors.api_exception_handler"
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["rest_framework.parsers.JSONParser"]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["portal.api_common.AnonThrottle", "portal.api_common.UserThrottle"]


def _throttle_rate(name: str, default: str) -> str:
    value = os.getenv(name, default)
    number, _, period = value.partition("/")
    if not number.isdigit() or period[:1] not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (per second, minute, hour or day), got {value!r}")
    return value


REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": _throttle_rate("API_THROTTLE_ANON", "120/minute"),
    "user": _throttle_rate("API_THROTTLE_USER", "1200/minute"),
}
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] = True
SPECTACULAR_SETTINGS["DESCRIPTION"] = (
    "The Blue Alert Network portal's REST API. Authenticate with `Authorization: Token <key>` (create a "
    "token on your account page, or `manage.py drf_create_token <email>`), or a signed-in browser session. "
    'Every error is JSON: `{"detail": ..., "code": ..., "fields": {field: [messages]}}`.'
)
SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"] = "/api/v1"
SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = []
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "AgencyStatusEnum": "agencies.models.Agency.Status",
    "AgencyRoleEnum": "agencies.api.AGENCY_ROLE_CHOICES",
    "RoleEnum": "agencies.models.Role",
    "AlertStatusEnum": "alerts.models.Alert.Status",
    "PublicAlertStatusEnum": "alerts.api.public.PUBLIC_STATUS_CHOICES",
}

# Distribution (issue 5): the outbox's queues, its sweeper and its limits. "priority" carries
# updates, cancellations and workflow mail and should have its own worker; "bulk" the first fan-out.
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    "notifications.tasks.message_distribute": {"queue": "priority"},
    "notifications.tasks.messages_plan_check": {"queue": "priority"},
    "outbox.tasks.deliveries_sweep": {"queue": "priority"},
    "outbox.tasks.deliveries_send": {"queue": "bulk"},
}
NOTIFICATIONS_CHUNK_SIZE = envint("NOTIFICATIONS_CHUNK_SIZE", "200")
# Outbox rows are planned and committed this many at a time, so sending starts after the first page.
NOTIFICATIONS_PLAN_PAGE = envint("NOTIFICATIONS_PLAN_PAGE", "1000")
NOTIFICATIONS_SWEEP_SECONDS = envint("NOTIFICATIONS_SWEEP_SECONDS", "60")
NOTIFICATIONS_STUCK_SECONDS = envint("NOTIFICATIONS_STUCK_SECONDS", "600")  # > CELERY_TASK_TIME_LIMIT
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
if NOTIFICATIONS_STUCK_SECONDS <= CELERY_TASK_TIME_LIMIT and not DEBUG:
    raise ImproperlyConfigured("NOTIFICATIONS_STUCK_SECONDS must exceed CELERY_TASK_TIME_LIMIT")
CELERY_BEAT_SCHEDULE["outbox-deliveries-sweep"] = {
    "task": "outbox.tasks.deliveries_sweep",
    "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    "options": {"queue": "priority", "expires": NOTIFICATIONS_SWEEP_SECONDS},
}
CELERY_BEAT_SCHEDULE["notifications-messages-plan-check"] = {
    "task": "notifications.tasks.messages_plan_check",
    "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    "options": {"queue": "priority", "expires": NOTIFICATIONS_SWEEP_SECONDS},
}

# Alerts workflow (issue 3): expiry, the reminder one hour before, escalation after 10 minutes.
CELERY_BEAT_SCHEDULE["alerts-expire"] = {
    "task": "alerts.tasks.alerts_expire",
    "schedule": 60.0,
    "options": {"queue": "priority", "expires": 60},
}
CELERY_BEAT_SCHEDULE["alerts-remind-expiry"] = {
    "task": "alerts.tasks.alerts_remind_expiry",
    "schedule": 60.0,
    "options": {"queue": "priority", "expires": 60},
}
CELERY_BEAT_SCHEDULE["alerts-escalate"] = {
    "task": "alerts.tasks.alerts_escalate",
    "schedule": 60.0,
    "options": {"queue": "priority", "expires": 60},
}
CELERY_BEAT_SCHEDULE["alerts-withdraw-photos"] = {
    "task": "alerts.tasks.alerts_withdraw_photos",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}

# Content-Security-Policy (issue 7): no inline script or style on any page; images may come from the
# map tile server. Swagger UI uses the sidecar's split view, whose init script is a separate file.
from csp.constants import NONE, SELF  # noqa: E402

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
