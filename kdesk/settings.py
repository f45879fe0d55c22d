"""kdesk settings: every value is read from the environment once, here.

The README's "Configuration" section lists every variable. Defaults suit `make run` on a laptop
(SQLite, in-memory channel layer, database task queue); production sets DATABASE_URL, REDIS_URL
and SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kdesk.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The environment variable SECRET_KEY must be set when DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "kdesk",
    "customers",
    "conversations",
    "klasses",
    "timeline",
    "mail",
    "apps_directory",
    "workflows",
]

MIDDLEWARE = [
    "kdesk.middleware.ProductNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kdesk.middleware.ApiBodyLimitMiddleware",
    "kdesk.middleware.MalformedSessionCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kdesk.middleware.SignedOutPartialMiddleware",
    "kdesk.middleware.ContentSecurityPolicyMiddleware",
    "kdesk.middleware.OriginTabMiddleware",
    "kdesk.middleware.NulInputMiddleware",
    # Last, as axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kdesk.urls"
# API paths answer with and without a trailing slash themselves; a redirect would lose a POST.
APPEND_SLASH = False

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
                "conversations.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "kdesk.asgi.application"

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL)
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(
        f"The environment variable DATABASE_URL is malformed: {exc}"
    ) from exc
if not _db.get("ENGINE"):
    raise ImproperlyConfigured("The environment variable DATABASE_URL names an unknown database.")
# The hottest lookups (kdesk/prepared.py) are prepared statements on PostgreSQL, planned once per
# connection; false for a connection pooler that does not keep them (PgBouncer in transaction
# mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request may run on a different thread, so persistent per-thread connections
    # leak; a process-wide psycopg pool keeps connections warm instead.
    if env_bool("DATABASE_POOL", True):
        _db["CONN_MAX_AGE"] = 0
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=1),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
        }
    else:
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    # A database host that does not answer fails the connection in seconds, not minutes.
    _db.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
    )
    if DATABASE_PREPARED_STATEMENTS:
        # Django turns psycopg's prepared statements off (None); kdesk/prepared.py asks for them
        # explicitly. Django's own queries are never prepared either way: they are bound on the
        # client, and psycopg prepares only statements bound on the server.
        _db["OPTIONS"].setdefault("prepare_threshold", 5)
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES = {"default": _db}
# A streaming read replica of the same PostgreSQL database: page-numbered searches read from it
# (kdesk/db_routing.py). Same pool settings as the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    try:
        _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"The environment variable DATABASE_REPLICA_URL is malformed: {exc}"
        ) from exc
    if _replica.get("ENGINE") != _db["ENGINE"]:
        raise ImproperlyConfigured(
            "The environment variable DATABASE_REPLICA_URL must name the same kind of database "
            "as DATABASE_URL (a replica of it)."
        )
    _replica["CONN_MAX_AGE"] = _db["CONN_MAX_AGE"]
    _replica["OPTIONS"] = dict(_db.get("OPTIONS", {}))
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["kdesk.db_routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and shared cache (rate limits) ------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "The environment variable REDIS_URL must start with redis://, rediss:// or unix://."
        )
    # Redis pub/sub: no per-process queue to overflow or race, so group messages are not
    # silently dropped the way the list-based layer can drop them under load.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000, minimum=10),
                    }
                ],
                "prefix": env_str("CHANNEL_PREFIX", "kdesk"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "kdesk"),
            # An unreachable Redis must fail fast: callers fall back (kdesk/sharedcache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (django-tasks interface; database queue by default) --------------------
TASK_BACKEND = env_choice("TASK_BACKEND", "database", ["database", "immediate", "dummy"])
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASK_BACKEND]
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "kdesk.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/inbox/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out attempt before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Runs the hasher for unknown accounts too, so a miss costs what a wrong password costs.
    "django.contrib.auth.backends.ModelBackend",
]

# --- Sign-in throttling (django-axes; kdesk/login_throttle.py) --------------------------------
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Failures per account, and separately per client address, before sign-in pauses for that key.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The database handler: attempts are shared by every process in every deployment (the cache
# is per process without REDIS_URL, and a Redis outage must not open or break sign-in), survive
# restarts, and admins see and clear lockouts in the Django admin. A failure costs a few small
# writes, on a path that is never hot for anyone but an attacker, who is stopped at the limit.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# A refused attempt while locked does not move the end of the lockout: the time the page
# shows is the time it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not clear the address's failures (one's own account must not reset the count
# of guesses at others).
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kdesk.login_throttle.username"
AXES_CLIENT_IP_CALLABLE = "kdesk.login_throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "kdesk.login_throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Proxies in front of kdesk that append the client's address to X-Forwarded-For (0: none, the
# socket's peer is the client).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

PASSWORD_HASHERS_FAST = env_bool("PASSWORD_HASHERS_FAST", False)
if PASSWORD_HASHERS_FAST:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded files (email attachments). Local files by default; S3-compatible storage through
# django-storages: set STORAGES["default"] to "storages.backends.s3.S3Storage" (README).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served as is: attachments go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not env_bool("STATIC_MANIFEST", not DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MANIFEST_STRICT = False

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come from load balancers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Origins an iframe KView card may embed (Content-Security-Policy frame-src).
IFRAME_ALLOWED_ORIGINS = env_list("IFRAME_ALLOWED_ORIGINS", [])
# Outbound requests (webhooks, iframe checks) refuse private addresses unless this is on.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", False)

# --- Integrations: outbound webhooks and inbound hooks ---------------------------------------
WEBHOOK_MAX_PER_ORG = env_int("WEBHOOK_MAX_PER_ORG", 5, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Seconds between attempts (so one more attempt than entries): 10 attempts over about 80
# minutes; each wait is jittered by up to a fifth either way.
_RETRY_DEFAULT = "5,30,120,300,600,900,900,900,1080"
_retry_raw = env_str("WEBHOOK_RETRY_SCHEDULE", _RETRY_DEFAULT)
try:
    WEBHOOK_RETRY_SCHEDULE = [int(x) for x in _retry_raw.split(",") if x.strip() != ""]
except ValueError:
    raise ImproperlyConfigured(
        "The environment variable WEBHOOK_RETRY_SCHEDULE must be comma-separated whole seconds, "
        f"got {_retry_raw!r}."
    ) from None
if any(x < 0 for x in WEBHOOK_RETRY_SCHEDULE):
    raise ImproperlyConfigured("WEBHOOK_RETRY_SCHEDULE may not hold negative seconds.")
# How often the worker looks for deliveries a killed worker left half-done (and retries due).
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 30, minimum=1)
# Deliveries (and events recorded while a webhook is off) are kept this long.
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 7, minimum=1)
HOOK_WEB_MAX_BYTES = env_int("HOOK_WEB_MAX_BYTES", 1024 * 1024, minimum=1024)
HOOK_EMAIL_MAX_BYTES = env_int("HOOK_EMAIL_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
HOOK_RATE_LIMIT_PER_MINUTE = env_int("HOOK_RATE_LIMIT_PER_MINUTE", 600, minimum=1)
# Workflows that trigger each other stop this many runs deep, with an error on the last run.
WORKFLOW_MAX_DEPTH = env_int("WORKFLOW_MAX_DEPTH", 5, minimum=1)
# How often the worker's scheduler looks for cron workflows due and snoozes that ended.
WORKFLOW_TICK_SECONDS = env_int("WORKFLOW_TICK_SECONDS", 20, minimum=1)
# Runs (with their step log) are kept this long.
WORKFLOW_RUN_RETENTION_DAYS = env_int("WORKFLOW_RUN_RETENTION_DAYS", 30, minimum=1)

# --- Email channel (mail/) -------------------------------------------------------------------
# Fernet key for mailbox passwords at rest; unset: derived from SECRET_KEY (mail/crypto.py).
MAIL_ENCRYPTION_KEY = env_str("MAIL_ENCRYPTION_KEY", "")
if MAIL_ENCRYPTION_KEY:
    try:
        from cryptography.fernet import Fernet

        Fernet(MAIL_ENCRYPTION_KEY.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "MAIL_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None
# Mailboxes set to "the server's email backend" send through Django's: SMTP from these, or any
# backend by dotted path (an anymail provider, say).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
MAIL_ATTACHMENT_MAX_BYTES = env_int("MAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
MAIL_ATTACHMENT_MAX_COUNT = env_int("MAIL_ATTACHMENT_MAX_COUNT", 20, minimum=0)
# Uploaded files no message took (an API upload never sent, a reply whose transaction rolled
# back) are deleted by the worker's sweep once this old.
ATTACHMENT_ORPHAN_MINUTES = env_int("ATTACHMENT_ORPHAN_MINUTES", 60, minimum=1)
MAIL_POLL_SECONDS = env_int("MAIL_POLL_SECONDS", 60, minimum=5)
MAIL_FETCH_BATCH = env_int("MAIL_FETCH_BATCH", 200, minimum=1)
MAIL_FETCH_LEASE_SECONDS = env_int("MAIL_FETCH_LEASE_SECONDS", 600, minimum=30)
MAIL_TIMEOUT_SECONDS = env_int("MAIL_TIMEOUT_SECONDS", 30, minimum=1)
# Seconds before each retry of a send that failed for a passing reason (4xx, no connection).
_mail_retry_raw = env_str("MAIL_RETRY_SCHEDULE", "60,300,1800,7200")
try:
    MAIL_RETRY_SCHEDULE = [int(x) for x in _mail_retry_raw.split(",") if x.strip() != ""]
except ValueError:
    raise ImproperlyConfigured(
        "The environment variable MAIL_RETRY_SCHEDULE must be comma-separated whole seconds."
    ) from None
if any(x < 0 for x in MAIL_RETRY_SCHEDULE):
    raise ImproperlyConfigured("MAIL_RETRY_SCHEDULE may not hold negative seconds.")

# --- API ------------------------------------------------------------------------------------
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 1000, minimum=1)
API_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kdesk.api.auth.ApiKeyAuthentication",
        "kdesk.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kdesk.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["kdesk.api.renderers.JsonApiRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kdesk.api.parsers.JsonParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kdesk.api.negotiation.JsonNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "kdesk.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "kdesk.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "kdesk API",
    "DESCRIPTION": "Kustomer-compatible REST API of kdesk. See API.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [
        "kdesk.api.auth.ApiKeyAuthentication",
        "kdesk.api.auth.SessionAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: full JSON Schema, so attribute names can be documented (patternProperties)
    "OAS_VERSION": "3.1.0",
    "PREPROCESSING_HOOKS": ["kdesk.api.schema.drop_trailing_slash_twins"],
    # several resources have a `status` with its own values: name each set
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": ["open", "snoozed", "done"],
        "MessageStatusEnum": ["received", "sent", "delivered", "read", "failed", "queued"],
        "MailSecurityEnum": ["starttls", "ssl", "none"],
        "WorkflowRunStatusEnum": ["pending", "running", "succeeded", "failed", "skipped"],
        "HookKindEnum": ["web", "email"],
        "AppInstallationStatusEnum": ["active", "inactive"],
        "AppFeatureKindEnum": ["klass", "kview", "hook", "webhook", "workflow"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "klasses.openapi.org_klasses.org_klasses_hook",
        "klasses.openapi.attribute_bodies.attribute_names_hook",
        # last: constraints, statuses and links on every operation, the org's Klasses' too
        "kdesk.api.schema.conformance_hook",
    ],
}

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
