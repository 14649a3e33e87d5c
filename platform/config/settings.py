"""Settings for TSZh Portal, read from the environment.

Two profiles, chosen by ``TSZH_ENV``:

* ``development`` (default): embedded defaults, DEBUG on, mail to the console and ``var/mail/``.
* ``production``: every required variable must be set or the process refuses to start, naming
  the missing ones; ``manage.py check --deploy`` is clean.

Tests run the development profile with ``TSZH_ENV=test`` tweaks (fast password hashing).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.beat import BeatSchedule

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("TSZH_VAR_DIR", BASE_DIR / "var"))

TSZH_ENV = os.environ.get("TSZH_ENV", "development")
if TSZH_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"TSZH_ENV must be development, test or production, not {TSZH_ENV!r}"
    )
PRODUCTION = TSZH_ENV == "production"
TESTING = TSZH_ENV == "test"
# `make test` runs the suite in pytest-xdist workers (PYTEST_XDIST_WORKER is gw0, gw1, ...). Each
# worker has a test database of its own (pytest-django suffixes its name with the worker's id)
# and, below, a Redis database, a key store and a private-files directory of its own; a run
# without xdist has TEST_WORKER "". See "Tests" in docs/development.md.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
# A test process makes its scratch directories (key store, private files) once and hands them to
# its subprocesses through the environment, marked with the worker that made them: directories
# inherited from the xdist controller (or another worker) are replaced, never shared.
_SCRATCH_OWNER = "TSZH_TEST_SCRATCH_OWNER"
_INHERITED_SCRATCH = TESTING and os.environ.get(_SCRATCH_OWNER, TEST_WORKER) != TEST_WORKER
_SCRATCH_TAG = f"{TEST_WORKER}-" if TEST_WORKER else ""


def _test_scratch(variable: str) -> bool:
    """Whether this test process makes its own temporary directory for ``variable``."""
    return TESTING and (_INHERITED_SCRATCH or not os.environ.get(variable))


REQUIRED_IN_PRODUCTION = (
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "TSZH_BASE_DOMAIN",
    "EMAIL_HOST",
    "TSZH_MASTER_KEY_OR_VAULT",
)


def _missing_production_variables() -> list[str]:
    missing = [
        name
        for name in REQUIRED_IN_PRODUCTION
        if name != "TSZH_MASTER_KEY_OR_VAULT" and not os.environ.get(name)
    ]
    if not (os.environ.get("VAULT_ADDR") or os.environ.get("TSZH_MASTER_KEY")):
        missing.append("VAULT_ADDR (or TSZH_MASTER_KEY for the local key provider)")
    return missing


if PRODUCTION:
    _missing = _missing_production_variables()
    if _missing:
        raise ImproperlyConfigured(
            "TSZH Portal refuses to start in production: missing environment variable(s): "
            + ", ".join(_missing)
        )


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# A fixed development key is fine: it never reaches production (the production profile
# requires DJANGO_SECRET_KEY).
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-4f0c2b1e9d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION and not TESTING)
# Error pages and reports hide marked views' POST values and locals, DEBUG or not (core/sensitive).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.sensitive.PersonalDataReporterFilter"

# The base domain: the public site lives on it, each association on <slug>.<base>.
BASE_DOMAIN = os.environ.get("TSZH_BASE_DOMAIN", "localhost")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [BASE_DOMAIN, f".{BASE_DOMAIN}"])
if not PRODUCTION:
    ALLOWED_HOSTS += ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]

# --- Applications ---------------------------------------------------------------------------
# django-tenants: SHARED_APPS live in the public schema, TENANT_APPS in every association's
# schema. Users (core.access), auth, sessions and the audit log are in both: operators log into
# the public schema, members into their association's schema, and nothing joins across them.
SHARED_APPS = [
    "django_tenants",
    "associations",
    "signup",
    "console",
    "billing.plans",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "core.crypto",
    "core.access",
    "core.audit",
    "core.relay",
    "core.ui",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "csp",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "core.crypto",
    "core.access",
    "core.audit",
    "core.idempotency",
    "tenants.portal",
    "tenants.residents",
    "tenants.imports",
    "tenants.invitations",
    "tenants.files",
    "tenants.profile",
    "tenants.notifications",
    "tenants.staff",
    "tenants.meters",
    "tenants.ledger",
    "tenants.letters",
    "tenants.documents",
    "tenants.dispatch",
    "tenants.forum",
    "tenants.budget",
    "tenants.voting",
    "billing.payments",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "associations.Association"
TENANT_DOMAIN_MODEL = "associations.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
# An unknown host answers 404; it must never fall back to the public site.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Set search_path once per connection and tenant, not before every query.
TENANT_LIMIT_SET_CALLS = True
# Processes of `migrate_schemas --executor=multiprocessing` (the deploy's tenant migration Job).
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("TSZH_MIGRATION_PROCESSES", "2"))

AUTH_USER_MODEL = "access.User"
# The email is encrypted (randomised ciphertext), so its uniqueness is enforced on its blind
# index (User.email_index, unique) instead of the column Django's check looks at.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "access:login"

MIDDLEWARE = [
    # Health probes answer before tenant routing: Kubernetes probes use the pod's IP as host.
    "core.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Language before tenant routing, so the unknown-host 404 is in the visitor's language too.
    "core.ui.middleware.LanguageMiddleware",
    # A body over the portal's largest upload is refused before anything reads it (core/uploads).
    "core.uploads.RequestBodyCeiling",
    # django-tenants' routing, answered from process memory and Redis (associations/routing.py).
    "associations.routing.CachedTenantMiddleware",
    "core.access.middleware.AssociationContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The session, the user's row and the association's per-page entries (logo, emergencies)
    # read from Redis in one MGET (core.stamped.read_ahead).
    "core.access.middleware.ReadAheadMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # The signed-in user's row from the shared cache, not the database (core.access.usercache).
    "core.access.middleware.CachedAuthenticationMiddleware",
    # Idle and absolute session limits (core/access/sessions.py).
    "core.access.sessions.SessionExpiryMiddleware",
    "core.access.middleware.SecondFactorMiddleware",
    "core.access.suspension.SuspendedAssociationMiddleware",
    # Throttled "last activity" of an association for the operators' console.
    "associations.middleware.LastActivityMiddleware",
    # The plan's payment: the board's overdue banner and, after the grace period, the paid
    # features' changes refused (billing/plans/middleware.py, docs/billing.md).
    "billing.plans.middleware.PlanFeaturesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.crypto.middleware.KeyProviderUnavailableMiddleware",
    # PostgreSQL or Redis unreachable in a view: a 503 page, not a 500 (core/outages.py).
    "core.outages.DependencyUnavailableMiddleware",
    # A change repeated with the same Idempotency-Key is made once (core/idempotency).
    "core.idempotency.middleware.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.access.context_processors.access",
                "tenants.profile.context_processors.branding",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL is set by deploy/services.py for the embedded PostgreSQL, or by the operator.
_database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@localhost:5432/tszh")
# Connections are kept for a minute and checked before a request reuses one: after a restart of
# PostgreSQL the first request of each thread opens a new connection instead of failing on the
# dead one (docs/operations.md, "When a dependency is down").
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TSZH_TEST_DATABASE", "test_tszh")}
# Every request in one transaction: a request that fails half-way (say, the key provider stops
# answering) writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (rate limits), Celery broker and results -----------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6399/0")
if TEST_WORKER:
    # Worker gw<N> uses Redis database N + 1: its cache.clear(), rate-limit counters, Celery
    # queues and results never meet another worker's (the serial run keeps database 0).
    from urllib.parse import urlsplit, urlunsplit

    _redis = urlsplit(REDIS_URL)
    _worker_number = int("".join(ch for ch in TEST_WORKER if ch.isdigit()) or "0")
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{1 + _worker_number}"))
# The cache (sessions, routes, memos) shares the worker's Redis database. Redis down, it answers
# "not cached" and drops writes (core/cache.py): pages serve from the database. Short socket
# timeouts, so a Redis that does not answer costs a request a second, not a minute.
CACHE_URL = REDIS_URL
_REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CACHES = {
    "default": {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": CACHE_URL,
        # Prefix every key with the schema: one association's cache never answers another.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": _REDIS_TIMEOUTS,
    }
}
# Rate-limit counters: the same Redis database and keys, but errors propagate, so a limit fails
# closed while Redis is down (the login refuses with a clear message) rather than letting
# unlimited attempts through.
CACHES["ratelimit"] = {
    **CACHES["default"],
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
}
# Tenant routing (host → association, associations/routing.py): keyed by host, not by schema,
# and by database, so two databases sharing a Redis (tests, benchmarks) never answer each other.
CACHES["routing"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": CACHE_URL,
    "OPTIONS": _REDIS_TIMEOUTS,
    "KEY_PREFIX": "routing:{}:{}".format(
        DATABASES["default"].get("NAME") or "",
        DATABASES["default"]["TEST"]["NAME"] if TESTING else "",
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
# Behind a reverse proxy every request comes from the proxy's address: name how many trusted
# proxies append to X-Forwarded-For, so rate limits count the visitor's own address.
TSZH_PROXY_HOPS = int(os.environ.get("TSZH_PROXY_HOPS", "0"))
if TSZH_PROXY_HOPS:
    RATELIMIT_IP_META_KEY = "core.access.ratelimit.client_ip"
# Login failures allowed per address and per account before a pause.
LOGIN_FAILURE_RATE = os.environ.get("TSZH_LOGIN_FAILURE_RATE", "5/5m")
# Password reset letters per address and per account.
PASSWORD_RESET_RATE = os.environ.get("TSZH_PASSWORD_RESET_RATE", "5/h")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task (SIGKILL, OOM,
# a node lost) leaves its message unacknowledged and another worker runs it again. A task whose
# pool process dies is put back too (reject_on_worker_lost), not acknowledged as failed. Every task
# is written to be run twice (docs/operations.md, "Retries and idempotency").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The Redis broker gives an unacknowledged message to another worker after this many seconds: it
# must exceed the longest task and the longest countdown (one hour); the tests that kill a worker
# lower it so the message comes back in seconds.
# Redis down, queueing a task from a request fails within a second instead of holding the request
# (Celery's result store otherwise retries 20 times a second apart before it gives up). A task
# that could not be queued is not lost: it is kept in the public schema and sent again by the
# every-minute relay (core/relay; the notifications' outbox has its own): docs/architecture.md,
# "Tasks while the broker is down".
_QUICK_FAILURE = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_FAILURE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("TSZH_CELERY_VISIBILITY_TIMEOUT", "3600")),
    "socket_connect_timeout": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": _QUICK_FAILURE,
    "socket_connect_timeout": 1,
}
# Key jobs (rotation, destruction, sweeping) go to their own queue: in production its worker
# alone holds the provisioning credential (docs/security.md).
CELERY_TASK_ROUTES = {
    "core.crypto.tasks.*": {"queue": "keys"},
}
# The platform's own entries; each tenant app's periodic jobs come from its declaration
# (core.extensions), added when beat reads the schedule.
CELERY_BEAT_SCHEDULE = BeatSchedule(
    {
        "sweep-uncommitted-keys": {
            "task": "core.crypto.tasks.sweep_uncommitted_keys",
            "schedule": 3600.0,
        },
        # Sessions are stored in every schema; nothing else clears the expired ones.
        "clear-expired-sessions": {
            "task": "core.tasks.fan_out",
            "schedule": 86400.0,
            "args": ("core.tasks.clear_expired_sessions",),
            "kwargs": {"include_suspended": True},
        },
        "clear-expired-sessions-public": {
            "task": "core.tasks.clear_expired_sessions",
            "schedule": 86400.0,
        },
        # Idempotency-Key rows older than a day (core/idempotency/middleware.py).
        "purge-idempotency-keys": {
            "task": "core.tasks.fan_out",
            "schedule": 3600.0,
            "args": ("core.idempotency.tasks.purge",),
            "kwargs": {"include_suspended": True},
        },
        # Erasures whose key is not confirmed destroyed yet (provider was down): in every
        # association, and in public (deleted associations' keys).
        "destroy-requested-keys": {
            "task": "core.tasks.fan_out",
            "schedule": 900.0,
            "args": ("core.crypto.tasks.destroy_requested_keys",),
            "kwargs": {"include_suspended": True},
        },
        "destroy-requested-keys-public": {
            "task": "core.crypto.tasks.destroy_requested_keys",
            "schedule": 900.0,
        },
        # Tasks the broker refused while Redis was down, sent again once it is back (core/relay;
        # docs/architecture.md, "Tasks while the broker is down"). Public, not fanned out.
        "relay-deferred-tasks": {
            "task": "core.relay.tasks.relay",
            "schedule": 60.0,
        },
        # Public-schema housekeeping (not fanned out): expired data exports are withdrawn.
        "purge-expired-exports": {
            "task": "console.tasks.purge_expired_exports",
            "schedule": 3600.0,
        },
    }
)

# --- Passwords and sessions -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    # Our user has no username or first/last name: compare with the email and the full name.
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    # 8 characters (NIST SP 800-63B's minimum), with the common-password list below.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Host-only cookies: a session of one association never reaches another's subdomain.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS after
# the sign-in whatever happens (core/access/sessions.py); the cookie lives no longer than that.
SESSION_IDLE_SECONDS = int(os.environ.get("TSZH_SESSION_IDLE_SECONDS", str(2 * 60 * 60)))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("TSZH_SESSION_ABSOLUTE_SECONDS", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Sessions read from Redis (schema-prefixed keys), written through to the database: a request
# reads no session row (the second factor's confirmation is in the session too).
# Redis unreachable: the database answers (core/access/session_store.py).
SESSION_ENGINE = "core.access.session_store"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Moscow"

# --- Static files: served by the app itself (WhiteNoise), never a CDN -------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
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
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # WhiteNoise warns about a missing STATIC_ROOT; in development files come from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# --- Private files (tenants.files): never under MEDIA_URL, served by access-checked views ----
# Embedded default: a directory under var/ (0700, files 0600). Production: an S3-compatible
# private bucket through django-storages (in Russia: 152-FZ art. 18 part 5). The bytes are
# sealed either way (tenants/files/sealing.py).
if _test_scratch("TSZH_FILES_DIR"):
    # A test run keeps its files in a temporary directory, never in var/files (one per worker).
    import tempfile

    _test_files = tempfile.mkdtemp(prefix=f"tszh-test-files-{_SCRATCH_TAG}")
    os.environ["TSZH_FILES_DIR"] = os.path.join(_test_files, "files")
    os.environ[_SCRATCH_OWNER] = TEST_WORKER
TSZH_FILES_DIR = Path(os.environ.get("TSZH_FILES_DIR", VAR_DIR / "files"))
if os.environ.get("TSZH_FILES_S3_BUCKET"):
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["TSZH_FILES_S3_BUCKET"],
            "endpoint_url": os.environ.get("TSZH_FILES_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("TSZH_FILES_S3_REGION") or None,
            "location": os.environ.get("TSZH_FILES_S3_PREFIX", "files"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }
else:
    STORAGES["private"] = {"BACKEND": "tenants.files.storage.PrivateFileStorage"}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"noreply@{BASE_DOMAIN}")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # Embedded default: printed to the console and saved under var/mail/.
    EMAIL_BACKEND = "core.mail.ConsoleAndFileEmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    # Every association is a subdomain of the base domain: HSTS must cover them all.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload (docs/security.md, "Hygiene"): on by default, since the platform owns its base
    # domain and serves every subdomain over HTTPS only. An operator whose base domain shares its
    # registrable domain with plain-HTTP services sets DJANGO_HSTS_PRELOAD=false, and the check
    # that asks for preload (security.W021) is then silenced for that reason alone.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- REST API -------------------------------------------------------------------------------
# Uploads: every body is cut off past the portal's largest upload (core/uploads.py); views that
# take files put their own, lower limit in front (``LimitedUpload``). Files over 2.5 MB go to a
# temporary file, never to memory.
FILE_UPLOAD_HANDLERS = [
    "core.uploads.CeilingUpload",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.access.api.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.access.schema.ErrorAnswersSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    # A service's refusal (Django's ValidationError) answers 400 with the fields it names.
    "EXCEPTION_HANDLER": "core.access.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TSZh Portal API",
    "DESCRIPTION": "The API of one association's portal; every call is scoped to its subdomain.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name per choice set that several apps' fields share (a request's category and its
    # suggested category are the same set).
    "ENUM_NAME_OVERRIDES": {"DispatchCategoryEnum": "tenants.dispatch.models.Category"},
}

# --- Keys (see core/crypto and docs/security.md) -------------------------------------------
if _test_scratch("TSZH_KEY_DIR"):
    # A test run's keys live in a key store of their own (one per worker), never the development
    # one; the environment carries it to the run's subprocesses (the import's key maker, a live
    # server).
    import tempfile

    _test_keys = tempfile.mkdtemp(prefix=f"tszh-test-keys-{_SCRATCH_TAG}")
    os.environ["TSZH_KEY_DIR"] = os.path.join(_test_keys, "store")
    os.environ["TSZH_MASTER_KEY_FILE"] = os.path.join(_test_keys, "secrets", "master.key")
    os.environ[_SCRATCH_OWNER] = TEST_WORKER
TSZH_CRYPTO = {
    "PROVIDER": os.environ.get(
        "TSZH_KEY_PROVIDER", "vault" if os.environ.get("VAULT_ADDR") else "local"
    ),
    "KEY_DIR": os.environ.get("TSZH_KEY_DIR", str(VAR_DIR / "keys")),
    # var/secrets/ (0700) holds only the master key; var/ itself stays reachable by the embedded
    # PostgreSQL's own user. A key file left at var/master.key by an earlier release is moved.
    "MASTER_KEY_FILE": os.environ.get(
        "TSZH_MASTER_KEY_FILE", str(VAR_DIR / "secrets" / "master.key")
    ),
    "LEGACY_MASTER_KEY_FILE": (
        "" if os.environ.get("TSZH_MASTER_KEY_FILE") else str(VAR_DIR / "master.key")
    ),
}

# --- Logging: no personal data, ever -------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Lines (messages and tracebacks) scrubbed of e-mails, phones, names, passport numbers.
    "formatters": {
        "plain": {
            "()": "core.observability.PersonalDataFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request logger would print full URLs of 404s; ours carry no personal data, but
        # keep it at WARNING so bodies are never logged.
        "django.request": {"level": "WARNING"},
        # WeasyPrint narrates every layout step at INFO (seven lines a PDF) and fontTools its
        # subsetting: only their warnings are worth a line.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Error reporting (Sentry): local variables off, personal data scrubbed --------------------
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from core.observability import init_sentry

    # Tags: the environment (the chart's `environment`) and the release (the image's tag).
    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", TSZH_ENV),
        release=os.environ.get("SENTRY_RELEASE") or None,
    )

# --- SIGNUP: online signup and fast provisioning (platform/signup, platform/associations) ------
# See docs/provisioning.md. New schemas come from a template schema at migration head: a spare
# schema renamed at signup, or the template's captured DDL replayed in one round trip.
# pg_dump used to capture the template (default: the embedded server's own, else PATH's). It
# must be at least the server's major version.
SIGNUP_PG_DUMP = os.environ.get("TSZH_PG_DUMP", "")
# Spare schemas kept ready by the background job (0: none, every signup replays the DDL).
SIGNUP_SPARE_SCHEMAS = int(os.environ.get("TSZH_SPARE_SCHEMAS", "0" if TESTING else "3"))
# How long the emailed confirmation link works, and the one-time hand-over to the new portal.
SIGNUP_CONFIRMATION_HOURS = int(os.environ.get("TSZH_SIGNUP_CONFIRMATION_HOURS", "48"))
SIGNUP_HANDOVER_SECONDS = 300
# Bot protection without a third-party captcha: a honeypot field, a minimum time to fill the
# form (signed into it), the email confirmation, and rate limits per client address and per email.
SIGNUP_MIN_FILL_SECONDS = float(os.environ.get("TSZH_SIGNUP_MIN_FILL_SECONDS", "3"))
SIGNUP_FORM_MAX_AGE = 60 * 60 * 24
SIGNUP_RATE_PER_IP = os.environ.get("TSZH_SIGNUP_RATE_PER_IP", "10/h")
SIGNUP_RATE_PER_EMAIL = os.environ.get("TSZH_SIGNUP_RATE_PER_EMAIL", "5/h")
SIGNUP_CHECK_RATE = os.environ.get("TSZH_SIGNUP_CHECK_RATE", "60/m")
SIGNUP_CONFIRM_RATE = os.environ.get("TSZH_SIGNUP_CONFIRM_RATE", "20/h")
# Where boards reach the operators (shown when an ИНН is already registered).
SIGNUP_OPERATORS_EMAIL = os.environ.get("TSZH_OPERATORS_EMAIL", f"support@{BASE_DOMAIN}")
CELERY_BEAT_SCHEDULE.update(
    {
        # Template at migration head (rebuilt after a deploy), stale spares dropped, pool filled.
        "maintain-spare-schemas": {
            "task": "associations.tasks.maintain_spare_schemas",
            "schedule": 300.0,
        },
        # Pending signups past their link's expiry, and used or expired hand-over tokens.
        "purge-expired-signups": {
            "task": "signup.tasks.purge_expired_signups",
            "schedule": 3600.0,
        },
    }
)
# --- end of SIGNUP ------------------------------------------------------------------------------

# --- Plans: associations pay the platform (billing/plans, docs/billing.md) ----------------------
# Without STRIPE_SECRET_KEY Stripe is off: operators manage plans by hand, boards pay by invoice.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # localstripe in tests
STRIPE_CHECKOUT_API_BASE = os.environ.get("STRIPE_CHECKOUT_API_BASE", "")
# The platform endpoint's own signing secret (/billing/stripe/webhook/).
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# The platform's Connect endpoint's own signing secret (/billing/stripe/connect/webhook/): the
# events of every association's connected account, routed by ``account`` (docs/payments.md).
STRIPE_CONNECT_WEBHOOK_SECRET = os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET", "")
# Days an overdue association keeps the board's paid features before falling back to free.
TSZH_BILLING_GRACE_DAYS = int(os.environ.get("TSZH_BILLING_GRACE_DAYS", "14"))
# The platform's own legal and bank details on its invoices (JSON; demo values by default).
TSZH_PLATFORM_LEGAL = json.loads(os.environ.get("TSZH_PLATFORM_LEGAL", "{}") or "{}")
