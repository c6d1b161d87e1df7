"""Settings, read from the environment (12-factor).

Development needs no variables at all: SQLite in the project folder, DEBUG on, a random key.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL=postgres://...
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-insecure-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.admin_site.PlannerAdminConfig",  # django.contrib.admin with the planner's home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "config",
    "items",
    "inventory",
    "manufacturing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.api.middleware.ApiNoStoreMiddleware",
    "config.api.middleware.ReleaseRenderedBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Separate test databases for test runs side by side (e.g. TEST_DB_SUFFIX=_inv).
_TEST_SUFFIX = os.environ.get("TEST_DB_SUFFIX", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: writers take the write lock at BEGIN (IMMEDIATE) and queue
    # behind each other (busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db{_TEST_SUFFIX}.sqlite3")}
elif _TEST_SUFFIX:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_TEST_SUFFIX}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process and host (the action throttle's counters live here): never process
# memory. The database by default, in the table `django_cache` that `migrate` creates
# (config/migrations/0003_cache_table.py); Redis when REDIS_URL is set (redis://host:6379/0).
# CACHE_KEY_PREFIX keeps deployments that share one Redis apart.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
            # One entry per user active in the last rate period; past this many rows, expired
            # ones are culled first.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Background jobs' files: uploaded imports and finished exports (docs/jobs.md). Workers and
    # web servers on several hosts need one shared storage here (a shared folder, or an S3
    # backend of django-storages).
    "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("JOBS_STORAGE_DIR", str(MEDIA_ROOT / "jobs"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production) ------------------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy ----------------------------------------------------------------
# django-csp (Mozilla's; Django 6's built-in CSP follows its design): every response says that
# scripts, styles, images, fonts and requests come from this origin only, with no inline script
# or style anywhere (the admin has none; the API docs pages get their few extra sources in
# config/docs.py). CSP_REPORT_ONLY=1 sends the same policy as report-only, to try a change.
INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Reverse proxy --------------------------------------------------------------------------
# Only a proxy we run may say the request came over HTTPS: X-Forwarded-Proto from anyone else is
# a client's claim (it would make request.is_secure() true on plain HTTP). BEHIND_PROXY=1 when
# the app is reachable only through a TLS-terminating proxy that sets (overwrites) the header.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- API ------------------------------------------------------------------------------------
# The largest request body read (Django's default, 2.5 MiB, made explicit): a bigger one is
# refused before it is read, 413 `payload_too_large` under /api/ (docs/api.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.BearerTokenAuthentication",
        "config.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.FilterBackend",
        "config.api.filters.SearchFilter",
        "config.api.filters.SortFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.JSONRenderer"],
    # JSON only (API.md): a form body has no types, so it could not be held to the schema.
    # camelCase keys, numbers as int / Decimal, nesting and surrogates bounded (docs/api.md).
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.ActionThrottle"],
    "DEFAULT_THROTTLE_RATES": {"actions": os.environ.get("API_ACTION_RATE", "600/min")},
    "EXCEPTION_HANDLER": "config.api.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Manufacturing back office API",
    "DESCRIPTION": "Item master, stock, bills of materials, production orders and work orders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api",
    "PREPROCESSING_HOOKS": ["config.api.schema.canonical_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "BOMStatusEnum": "manufacturing.boms.models.BOMStatus",
        "OrderStatusEnum": "manufacturing.orders.models.OrderStatus",
        "WorkOrderStatusEnum": "manufacturing.orders.models.WorkOrderStatus",
        "HistoryChangeEnum": ["created", "changed", "deleted"],
        "KindEnum": "inventory.models.MoveKind",  # the name it had before planning came
        "DemandKindEnum": "manufacturing.planning.models.DemandKind",
        "ProcurementEnum": "manufacturing.planning.models.Procurement",
        "PlanExceptionKindEnum": "manufacturing.planning.models.ExceptionKind",
        "PlanningRunStatusEnum": "manufacturing.planning.models.RunStatus",
    },
}

# --- Background tasks (docs/jobs.md) -------------------------------------------------------
# Django's Tasks framework (the django-tasks backport on Django 5.2) with its database backend:
# the queue is a table of this database, so any number of `manage.py db_worker` processes, on
# any number of hosts, share it (row locks, SKIP LOCKED on PostgreSQL). Another backend (RQ,
# Celery, or `django_tasks.backends.immediate.ImmediateBackend` to run tasks inline) is a
# change of TASKS_BACKEND (and of the apps that backend needs), not of the code.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A CSV upload larger than this is refused with 413 `payload_too_large`.
JOBS_UPLOAD_MAX_BYTES = int(os.environ.get("JOBS_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# A job reports progress (and so shows it is alive) at most this often.
JOBS_PROGRESS_INTERVAL = float(os.environ.get("JOBS_PROGRESS_INTERVAL", "0.5"))
# A running job with no sign of life for this long is marked failed by `jobs_reap`.
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", "600"))

# Demo data: `make run` creates this superuser (never when DEBUG is off).
DEMO_SUPERUSER = ("admin", "admin")

# MRP (docs/planning.md): how far ahead demands count, and the working hours of a day that turn
# a BOM's operation minutes into lead-time days.
PLANNING_HORIZON_DAYS = int(os.environ.get("PLANNING_HORIZON_DAYS", "180"))
PLANNING_HOURS_PER_DAY = os.environ.get("PLANNING_HOURS_PER_DAY", "8")
