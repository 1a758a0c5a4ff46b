"""Gongying settings. Every knob is an environment variable listed in the README."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from project.env import env_bool, env_int, env_list, env_proxies, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set DEBUG=1 for development).")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "dev-insecure-gongying-key-only-for-debug-mode-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    "viewflow",
    "viewflow.workflow",
    "django_tasks",
    "django_tasks_db",
    "project",
    "workflows.org",
    "workflows.approvals",
    "workflows.ledger",
    "workflows.expenses",
    "workflows.inquiries",
    "forms.apps.FormsConfig",
    "notifications",
    "spreadsheets",
    # Last: an app listed earlier wins a translation both catalogues hold, so the partner area's
    # labels never change the shared apps' words.
    "workflows.partners",
    "workflows.leases",
    # After every area it reads: its own catalogue never changes their words either.
    "workflows.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "project.limits.RequestLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "project.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
_default_sqlite = DATA_DIR / "gongying.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{_default_sqlite}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))
except Exception as exc:  # dj-database-url raises several types; all mean the same to an operator
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not SQLite's shared in-memory cache: there a second writer thread fails at
    # once with "table is locked" instead of waiting, so concurrency tests would not see the
    # production locking (WAL + BEGIN IMMEDIATE).
    _db["TEST"] = {"NAME": env_str("TEST_SQLITE_PATH", str(DATA_DIR / "test_gongying.sqlite3"))}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "test_gongying")
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_VENDOR = "postgresql" if _db["ENGINE"].endswith("postgresql") else "sqlite"

# --- channels and cache -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # channels-redis 4.3 passes these to redis-py's ConnectionPool.from_url.
                        # The pool must outlast a reconnect storm (redis-py's default is 100).
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000, minimum=10),
                        # redis-py 8 reads with a 5 s socket timeout by default, the same as
                        # channels-redis's 5 s BZPOPMIN: the read then times out and kills the
                        # consumer. Keep the read timeout well above the blocking pop.
                        "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT", 30, minimum=10),
                    }
                ],
                "capacity": env_int("CHANNEL_CAPACITY", 1000, minimum=10),
                "expiry": 60,
                "prefix": env_str("CHANNEL_PREFIX", "gongying"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CHANNEL_PREFIX", "gongying"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background jobs and spreadsheets ---------------------------------------------------------
# Jobs are rows in the database (they survive a restart); `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Imports larger than these are refused outright; exports above EXPORT_SYNC_MAX_ROWS rows and
# imports above IMPORT_SYNC_MAX_BYTES run as background jobs instead of inside the request.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000, minimum=1)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_SYNC_MAX_BYTES = env_int("IMPORT_SYNC_MAX_BYTES", 256 * 1024, minimum=0)
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000, minimum=0)
# Finished spreadsheet jobs (their rows, uploaded files and result workbooks) and the queue's own
# results are deleted this many days after they end (`manage.py prune_jobs`, run by run_timers).
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 14, minimum=1)

# --- uploads (project/uploads.py: one policy for every file a user sends) -------------------------
# A file's kind is read from its content; each kind has its own cap. Zip-based files (xlsx, docx)
# are refused when their parts would unpack past UPLOAD_MAX_UNCOMPRESSED_BYTES or a large part is
# compressed more than UPLOAD_MAX_COMPRESSION_RATIO to 1 (a zip bomb).
UPLOAD_MAX_IMAGE_BYTES = env_int("UPLOAD_MAX_IMAGE_BYTES", 10 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_PDF_BYTES = env_int("UPLOAD_MAX_PDF_BYTES", 20 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_OFFICE_BYTES = env_int("UPLOAD_MAX_OFFICE_BYTES", 10 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024, minimum=1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100, minimum=10)
# A request body declared larger than this is refused from its Content-Length before it is read
# (413); it must exceed the largest file cap above.
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES", max(UPLOAD_MAX_IMAGE_BYTES, UPLOAD_MAX_PDF_BYTES, UPLOAD_MAX_OFFICE_BYTES) + 1024 * 1024,
    minimum=1024 * 1024,
)

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Failed logins within LOGIN_FAILURE_WINDOW seconds: LOGIN_FAILURE_LIMIT for one user name from one
# client address (typos elsewhere never lock a user out), LOGIN_ADDRESS_FAILURE_LIMIT for all names
# from one address (set high: a whole office may share one address), LOGIN_NAME_FAILURE_LIMIT for
# one user name from all addresses together (one account guessed from many). A success clears its
# own name's count at that address, never the address's count nor the name's count elsewhere.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=1)
LOGIN_NAME_FAILURE_LIMIT = env_int("LOGIN_NAME_FAILURE_LIMIT", 30, minimum=1)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900, minimum=1)
# The reverse proxy in front of the server: 0 (none; X-Forwarded-* are ignored), a hop count (1 for
# one proxy) or the proxies' addresses. Only then are the client address and HTTPS taken from
# X-Forwarded-For / X-Forwarded-Proto.
BEHIND_PROXY_HOPS, BEHIND_PROXY_ADDRESSES = env_proxies("BEHIND_PROXY")
BEHIND_PROXY = bool(BEHIND_PROXY_HOPS or BEHIND_PROXY_ADDRESSES)

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Each app keeps its catalogue in <app>/locale (project/locale for the shell).
LOCALE_PATHS: list = []
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Hashed, compressed names in production (needs `collectstatic`); plain names in development
# and tests, where files are served straight from the apps.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Tests and `make run` serve files straight from the apps when collectstatic has not run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a nesting limit (a 400 instead of a RecursionError); see project/limits.py.
    "DEFAULT_PARSER_CLASSES": [
        "project.limits.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "project.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("LOGIN_THROTTLE_RATE", "10/min"),
        # Self sign-up of new partner applicants, per client address.
        "signup": env_str("SIGNUP_THROTTLE_RATE", "10/hour"),
    },
    # DRF's own throttles read X-Forwarded-For only through this many trusted proxies.
    "NUM_PROXIES": BEHIND_PROXY_HOPS,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongying API",
    "DESCRIPTION": "共营: tiered approvals, partners, leases and resident inquiries for a street office.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, never from a CDN (pages work offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- security ---------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Scripts take the CSRF token from the page's form field (as designer.js does), so no script needs
# to read the cookie, and an injected script cannot either.
CSRF_COOKIE_HTTPONLY = True
# Every page: scripts, styles, images and connections (websockets included) from the site itself
# only, no inline script or style, no plugins, no framing. User files carry their own stricter
# `sandbox` policy (project.http.user_file_response), which the middleware leaves in place.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Pico's icons are data: SVGs in its stylesheet
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongying@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- the embedded server (manage.py serve) -----------------------------------------------------
# A crashed child (server, timer loop, job worker) is started again after SERVE_RESTART_DELAY
# seconds, doubling on each quick crash up to SERVE_RESTART_MAX_DELAY.
SERVE_RESTART_DELAY = env_int("SERVE_RESTART_DELAY", 1, minimum=0)
SERVE_RESTART_MAX_DELAY = env_int("SERVE_RESTART_MAX_DELAY", 60, minimum=1)

# --- approvals -----------------------------------------------------------------------------------
# A person completing a sequential approval step goes through the engine's fast path (the same
# rows as viewflow's path, in fewer statements; workflows/approvals/fastpath.py). Off: always
# viewflow's own path — the way out should a fault ever be found in it.
APPROVALS_FAST_PATH = env_bool("APPROVALS_FAST_PATH", True)

# --- public books and resident inquiries ---------------------------------------------------------
# A month's books are due on the public pages by this working day of the next month (居委会组织法
# Art. 16: publish promptly; the street's rule is the 10th working day).
DISCLOSURE_DUE_WORKING_DAY = env_int("DISCLOSURE_DUE_WORKING_DAY", 10, minimum=1)
# Working days the community has to answer a resident's inquiry, counted from filing
# (政府信息公开条例 Art. 33: 20 working days, one extension of up to 20 more).
ANSWER_WORKING_DAYS = env_int("ANSWER_WORKING_DAYS", 20, minimum=1)

# --- leases ----------------------------------------------------------------------------------
# Working days a lease request holds its slots while nobody decides; then they are free again.
LEASE_HOLD_WORKING_DAYS = env_int("LEASE_HOLD_WORKING_DAYS", 10, minimum=1)
