"""Settings, all from the environment.

With no environment variables at all the project runs embedded: SQLite, Celery tasks run
in-process (eager), a development secret key and DEBUG on. Production sets at least
``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` and
``REDIS_URL``.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off; refusing to start."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# reverse proxies whose X-Forwarded-For is believed, for limits per client address
# (addresses or networks); see rebalancer/client_address.py
TRUSTED_PROXIES = _env_list("DJANGO_TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "firms",
    "accounts",
    "models_library",
    "trading",
    "pages",
    "demo",
    "backtest",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rebalancer.security.SecurityHeadersMiddleware",
    "rebalancer.request_guard.UnstorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "firms.middleware.FirmMiddleware",
    "firms.mfa_middleware.FirmRequiresMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rebalancer.urls"

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
                "firms.context_processors.firm",
            ],
        },
    },
]

WSGI_APPLICATION = "rebalancer.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# PostgreSQL in production: DATABASE_URL is the application's role, which owns no table and
# is bound by row-level security; DATABASE_OWNER_URL, when set, is the tables' owner, used by
# ``manage.py migrate`` only (see rebalancer/rowsecurity.py). DATABASE_APP_ROLE names the role
# that migrate grants rights to, when it is not DATABASE_URL's user.
DATABASE_OWNER = (
    dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])
    if os.environ.get("DATABASE_OWNER_URL")
    else None
)
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Writers take the lock when their transaction begins, so concurrent requests wait
    # for each other instead of failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "firms.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["firms.api.throttling.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE_LIMIT", "1200/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rebalancer.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rebalancer.api.problems.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}

# The API's bulk endpoints take up to 20,000 rows per call: several MB of JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_BYTES", str(32 * 1024 * 1024)))
# A steward's close that moves more than this fraction from the last accepted close, with no
# split to explain it, is held until a steward releases it (models_library.services.price_review).
PRICE_REVIEW_THRESHOLD = os.environ.get("PRICE_REVIEW_THRESHOLD", "0.25")

_API_GUIDE = BASE_DIR / "rebalancer" / "api" / "guide.md"
SPECTACULAR_SETTINGS = {
    "TITLE": "Rebalancer API",
    "DESCRIPTION": _API_GUIDE.read_text(encoding="utf-8") if _API_GUIDE.exists() else "",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "trading.models.ProposalStatus",
        "BlotterStatusEnum": "trading.models.BlotterStatus",
        "RunStatusEnum": "trading.models.RunStatus",
        "VersionStatusEnum": "models_library.models.VersionStatus",
        "SideEnum": "trading.models.TransactionType",
        "ModelKindEnum": "models_library.selectors.model_defaults.ModelKind",
        "CorporateActionKindEnum": "models_library.models.corporate_actions.CorporateActionKind",
        "HouseholdProposalStatusEnum": "trading.models.HouseholdProposalStatus",
    },
    "TAGS": [
        {"name": "Reference data", "description": "The shared security master and prices."},
        {"name": "Book", "description": "Households, clients, accounts, model assignment."},
        {"name": "Preferences", "description": "Clients' wishes, read and updated (audited)."},
        {"name": "Ledger", "description": "Transactions in; lots, positions and cash."},
        {"name": "Models", "description": "Model portfolios and their versions."},
        {"name": "Proposals", "description": "Optimize, review, approve or reject."},
        {"name": "Runs", "description": "The nightly run, started or read."},
        {"name": "Trading", "description": "Blotters, order export and fills."},
        {"name": "API keys", "description": "Issued and revoked by firm admins."},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rebalancer.api.schema.add_problems_and_idempotency",
    ],
}

# Offline API docs: with drf-spectacular-sidecar installed, Redoc is served from here.
if importlib.util.find_spec("drf_spectacular_sidecar") is not None:
    INSTALLED_APPS.append("drf_spectacular_sidecar")
    SPECTACULAR_SETTINGS["REDOC_DIST"] = "SIDECAR"

# The API's rate limits count in this cache: per process by default; set CACHE_URL (e.g.
# redis://host:6379/2) to share the counts between processes and machines.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

# Celery: eager (in-process) unless a broker is configured.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "rebalancer")
# A message whose worker died unacknowledged is delivered again after this many seconds.
# kombu looks for such messages on its own cadence: by default one real sweep every tenth
# 10-second tick, so a chunk could come back up to 100 s after its timeout (seen when a
# worker is killed: tests/trading/test_worker_kill.py). Every tick sweeps here, a tick at
# most every 10 s and at least twice per timeout, so it comes back within about that.
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 2)),
    "unacked_restore_throttle": 1,
}

# Production hardening; `manage.py check --deploy` is clean when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
# Sessions end after this much idle time: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

CELERY_BEAT_SCHEDULE = {
    # the day's risk model, from the shared closes, before any firm's nightly run reads it
    # (a run uses the latest model on or before its date, so a late build costs one day)
    "build-risk-model": {
        "task": "models_library.build_risk_model",
        "schedule": crontab(
            hour=int(os.environ.get("RISK_MODEL_HOUR_UTC", "22")),
            minute=int(os.environ.get("RISK_MODEL_MINUTE_UTC", "30")),
        ),
    },
    "start-due-nightly-runs": {
        "task": "trading.start_due_nightly_runs",
        "schedule": float(os.environ.get("NIGHTLY_CHECK_SECONDS", "300")),
    },
}

# the demo's simulated closes up to today (does nothing without the demo firm), before the
# risk model and the nightly runs read them
CELERY_BEAT_SCHEDULE["extend-demo-prices"] = {
    "task": "demo.extend_prices",
    "schedule": float(os.environ.get("DEMO_PRICE_FEED_SECONDS", "3600")),
}

# a 403 is one line in the server's log, not a traceback
LOGGING["filters"] = {"one_line_forbidden": {"()": "rebalancer.log_filters.OneLineForbidden"}}
LOGGING["loggers"]["django.request"] = {"filters": ["one_line_forbidden"]}  # type: ignore[index]
