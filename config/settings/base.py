"""Settings shared by every environment; values that differ come from the environment.

Environment variables (all optional in development; README "Configuration" and
deploy/coursesite.env.example describe each):
    DATABASE_URL    sqlite:///path or postgres://user:pass@host:5432/name (default: db.sqlite3)
    CONN_MAX_AGE    seconds a database connection is kept open (0 here, 60 in production)
    REDIS_URL       redis://host:6379/0 for a cache shared by every process and machine
    SECRET_KEY      required in production
    DEBUG           "1"/"true" to enable
    ALLOWED_HOSTS   comma-separated host names
    TIME_ZONE       default Europe/Stockholm
    UNIVERSITY_NAME the university giving the courses (the book of abstracts' title page)
    MAX_UPLOAD_BYTES  largest request body a logged-in user may send
    STAFF_SESSION_IDLE_TIMEOUT  seconds without a request that end a staff session (8 hours)
    OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_BUTTON_NAME, SSO_REQUIRED_FOR_STAFF
                    log in with the university (README "Log in with the university")
    EMAIL_URL-like settings: EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "development", "test" or "production": load_demo refuses to touch a production database.
COURSESITE_ENVIRONMENT = "development"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.SiteConfig",
    "config.apps.CourseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "csp",  # the Content-Security-Policy header and its system checks
    "simple_history",  # the history of an offering's rules in the admin (docs/SECURITY.md)
    "axes",  # log-in throttling (accounts/throttling.py)
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    # django-ninja's templates and static files: the API's docs page (/api/v1/docs) served
    # from the site under the strict CSP (templates/ninja/swagger.html), never from a CDN.
    "ninja",
    # In the app order, lowest first (docs/ARCHITECTURE.md): an app may import those before it.
    "course.apps.CourseConfig",
    "accounts.apps.AccountsConfig",
    "projects.apps.ProjectsConfig",
    "sessions.apps.DiscussionSessionsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, above the page cache
    # so that a page served from it carries them too (docs/SECURITY.md).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page and feed, and 304 when the client has it already (calendar apps
    # poll the feeds every few minutes; course/caching.py serves the public pages).
    "django.middleware.http.ConditionalGetMiddleware",
    "config.middleware.RequestVersionsMiddleware",
    # The visitor's language, before the page cache (which keeps a page per language).
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous visitors' public pages from the shared cache, before anything reads the
    # session (course/caching.py).
    "config.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in person's stored language wins over the browser's (config/middleware.py).
    "config.middleware.AccountLanguageMiddleware",
    # Records who changed an offering's rules, scales or rubric (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # After authentication (the limit depends on who asks), before anything reads the body.
    "config.limits.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end after STAFF_SESSION_IDLE_TIMEOUT without a request; anonymous and
    # students' sessions are left alone (their pages come from the page cache).
    "config.middleware.StaffSessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns the answer to a log-in that django-axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The templates have no inline script or style, so the policy is strict: everything from
# the site itself, nothing inline, no plugins, never in a frame. Images from the site only
# (students' abstracts cannot make readers' browsers fetch from elsewhere; the Markdown
# cleaner drops such images too); data: images are Bootstrap's and the admin's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the site never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "publickey-credentials-get", "screen-wake-lock", "usb",
        "xr-spatial-tracking", "browsing-topics",
    )
}  # fmt: skip

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
            ],
        },
    },
]

# Widgets are rendered with the templates above, so that templates/ may override one: the
# admin's split date and time labels each of its inputs (WCAG 2.1 AA, issue 18).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A kept connection that the server closed meanwhile is replaced, not used.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold concurrent writes (two students joining a group at
    # once, parallel sign-ups) without "database is locked" errors:
    # - WAL: readers never wait for the writer, and the writer never waits for readers;
    # - IMMEDIATE: a transaction takes the write lock when it begins, so two transactions
    #   that read and then write queue up instead of deadlocking halfway (SQLite cannot
    #   upgrade a read lock held by two connections and answers "locked" at once);
    # - timeout: how long a transaction waits for the write lock before giving up.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Log-ins through the university's provider (accounts/backends.py). It accepts only the
    # provider's callback (a code, a state and a nonce), never a password, so it stands before
    # axes: the provider checked the person, and a network locked out by wrong passwords on
    # this site must not stop its people from logging in with the university.
    "accounts.backends.UniversityBackend",
    # Then: refuses a locked-out password log-in before any password is checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 hashes new passwords; a password stored with another hasher of the list is checked
# with it and re-hashed with Argon2 at the person's next log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # The user model has no username, first or last name (Django's defaults to compare
        # with): a password like the person's name or address is refused (docs/SECURITY.md).
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["full_name", "email"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Seconds without a request after which a staff member's session ends (config/middleware.py).
STAFF_SESSION_IDLE_TIMEOUT = int(os.environ.get("STAFF_SESSION_IDLE_TIMEOUT", str(8 * 60 * 60)))
LOGIN_URL = "accounts:login"

# Log-in throttling (accounts/throttling.py, docs/SECURITY.md "Logging in"). Wrong passwords
# are counted per account and per client address, in the database (every app server sees
# them), within LOGIN_COOL_OFF_MINUTES of the last one; at the limit, logging in is refused,
# even with the right password, until the cool-off has passed or staff unlock it. The
# address limit is higher: a university's network puts hundreds of students behind one
# address, and their honest typing errors must not lock each other out; it stops one
# address from guessing across many accounts.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50"))
LOGIN_COOL_OFF_MINUTES = int(os.environ.get("LOGIN_COOL_OFF_MINUTES", "15"))
# The client's address (log-in and request throttling): REMOTE_ADDR unless the site runs
# behind TRUSTED_PROXY_COUNT proxies that each append the address they received the request
# from to CLIENT_ADDRESS_HEADER; then the entry the outermost trusted proxy wrote. 0 trusts
# no header (nothing a client sends can change its address); production sets 1 (nginx).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
CLIENT_ADDRESS_HEADER = "HTTP_" + os.environ.get(
    "CLIENT_ADDRESS_HEADER", "X-Forwarded-For"
).upper().replace("-", "_")
# Requests that send mail (sign-up, password reset, a new confirmation link), each kind
# counted apart in the shared cache: per client address in a window of minutes (a lecture
# hall signing up at once stays below it), and per target email address (its inbox).
MAIL_REQUESTS_PER_ADDRESS = int(os.environ.get("MAIL_REQUESTS_PER_ADDRESS", "30"))
MAIL_REQUESTS_ADDRESS_WINDOW_MINUTES = int(
    os.environ.get("MAIL_REQUESTS_ADDRESS_WINDOW_MINUTES", "10")
)
MAIL_REQUESTS_PER_EMAIL = int(os.environ.get("MAIL_REQUESTS_PER_EMAIL", "3"))
MAIL_REQUESTS_EMAIL_WINDOW_MINUTES = int(os.environ.get("MAIL_REQUESTS_EMAIL_WINDOW_MINUTES", "60"))

# The API (/api/v1/, docs/ARCHITECTURE.md "The API"): requests per personal access token,
# and per client address without one, in fixed windows counted in the shared cache; how long
# a new token lasts unless its owner says otherwise, and at most.
API_REQUESTS_PER_TOKEN = int(os.environ.get("API_REQUESTS_PER_TOKEN", "600"))
API_REQUESTS_PER_ADDRESS = int(os.environ.get("API_REQUESTS_PER_ADDRESS", "600"))
API_REQUESTS_WINDOW_MINUTES = int(os.environ.get("API_REQUESTS_WINDOW_MINUTES", "10"))
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365
# django-axes, from the settings above.
AXES_HANDLER = "accounts.throttling.LoginThrottleHandler"  # its database handler
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_ACCOUNT  # the address limit: LoginThrottleHandler
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOL_OFF_MINUTES)
# Tries while locked out are refused without counting: the wait shown stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Both log-in forms call the address field "username"; typed in any case, it is one account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # kept RETENTION_LOGIN_RECORDS_DAYS
AXES_ENABLE_ADMIN = False  # accounts/admin.py: read-only, unlocking through a service
LOGIN_REDIRECT_URL = "course:catalogue"

# Log in with the university's identity provider over OpenID Connect (accounts/sso.py,
# mozilla-django-oidc; README "Log in with the university"). On only when the issuer, the
# client id and the secret are all set; the provider's endpoints are read from the issuer's
# /.well-known/openid-configuration when first needed (and kept an hour in the cache).
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
# The button's text, e.g. "Log in with Chalmers" (default: "Log in with your university").
OIDC_BUTTON_NAME = os.environ.get("OIDC_BUTTON_NAME", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's log-out (id_token_hint)
OIDC_TIMEOUT = 10  # seconds to wait for the provider's token, keys and user info
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Staff (is_staff, or staff of any offering) must log in with the university; an offering
# can ask the same of its own staff (Offering.staff_sso_required). Only while SSO is on.
SSO_REQUIRED_FOR_STAFF = env_bool("SSO_REQUIRED_FOR_STAFF", False)
LOGOUT_REDIRECT_URL = "course:catalogue"

# The interface in British English (the source language) and Swedish: the visitor's choice
# (the language switch's cookie, stored on the account once logged in: config.middleware),
# else the browser's preference. URLs carry no language (shared links, calendar feeds and
# the API stay one address); public pages are cached per language (course/caching.py).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One set of date formats (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = env_bool("USE_TZ", True)

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded reports and generated files (the book of abstracts, large exports) go to an
# S3-compatible bucket when S3_BUCKET is set (AWS S3, MinIO, Ceph RGW, Garage: every app
# server sees the same files), to MEDIA_ROOT otherwise. The bucket stays private: files are
# handed out by views that check permissions and then redirect to a presigned address
# valid for S3_URL_EXPIRY seconds (course/downloads.py).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
            "default_acl": None,  # objects stay private; the bucket's policy applies
            "querystring_auth": True,  # presigned addresses
            "querystring_expire": int(os.environ.get("S3_URL_EXPIRY", "300")),
            "file_overwrite": False,  # a new name rather than replacing another's file
        },
    }

# Background work (the django.tasks API, django-tasks): building the book of abstracts,
# sending the outbox, checking links, large exports. The default keeps the queue in the
# database (django-tasks-db; `manage.py db_worker` runs it, several workers may share it);
# TASKS_BACKEND=immediate runs each task at once in the process that asks (for trying
# things out without a worker). See the README for the Redis queue (django-tasks-rq).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
# Records exports of more students than this are made by the task worker, not the request.
EXPORT_INLINE_MAX_STUDENTS = int(os.environ.get("EXPORT_INLINE_MAX_STUDENTS", "1000"))
# Finished tasks' results are kept this long (run_periodic_jobs --nightly prunes them).
TASK_RESULTS_KEPT_DAYS = int(os.environ.get("TASK_RESULTS_KEPT_DAYS", "14"))

# The cache: shared by every process and machine when REDIS_URL names a Redis server.
# Without it, a folder (CACHE_DIR) shared by the processes of this machine: the cached
# pages and content versions (course/caching.py) must be the same for every gunicorn
# worker, or a change made through one worker would show late on the others. Sessions stay
# in the database (the default engine): with "cached_db" every logged-in request would fail
# while Redis is down, for a saving of one primary-key query.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "coursesite"),
            # A cache that does not answer must not hang the page for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR")
            or str(Path(tempfile.gettempdir()) / f"coursesite-cache-{BASE_DIR.name}"),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "coursesite"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Sessions in the database, read through the shared cache: a logged-in request that finds
# its session in the cache asks the database one query less (the user). Without Redis the
# cache is the machine's shared folder; a session missing from it is read from the table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Request bodies (config/limits.py). Anonymous visitors only send small forms; logged-in
# users may upload files up to MAX_UPLOAD_BYTES, which must stay above the largest PDF size
# limit a deliverable can have (projects.validators.check_size_limit keeps it so).
# The proxy in front should refuse bigger bodies itself (nginx: client_max_body_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MiB of form fields, Django's default
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(51 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "config.limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coursesite <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # Bootstrap calls the error style "danger".

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF they make at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Absolute links in mails (sent outside any request) start with this.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The university giving the courses, named on the title page of a book of abstracts.
UNIVERSITY_NAME = os.environ.get("UNIVERSITY_NAME", "")

# Privacy (docs/SECURITY.md, README "Retention"). `run_periodic_jobs --nightly` purges what
# has served its purpose; each period is in days and comes from the environment.
RETENTION_MAIL_BODY_DAYS = int(os.environ.get("RETENTION_MAIL_BODY_DAYS", "30"))
RETENTION_CHECK_IN_FAILURE_DAYS = int(os.environ.get("RETENTION_CHECK_IN_FAILURE_DAYS", "7"))
RETENTION_REJECTED_ANSWERS_DAYS = int(os.environ.get("RETENTION_REJECTED_ANSWERS_DAYS", "90"))
RETENTION_SUPERSEDED_FILES_DAYS = int(os.environ.get("RETENTION_SUPERSEDED_FILES_DAYS", "30"))
# Log-ins and wrong passwords (django-axes' logs: account, address, browser, time).
RETENTION_LOGIN_RECORDS_DAYS = int(os.environ.get("RETENTION_LOGIN_RECORDS_DAYS", "30"))
# The history of an offering's rules is a record: it is shown, never reverted from (a revert
# would skip the checks of the change form, archives and signed-off results).
SIMPLE_HISTORY_REVERT_DISABLED = True
# Uploaded PDFs are read in a child process (projects/pdfcheck.py) with bounded processor
# time (seconds) and memory (megabytes): a hostile page tree is refused, not obeyed.
PDF_CHECK_SECONDS = float(os.environ.get("PDF_CHECK_SECONDS", "10"))
PDF_CHECK_MEMORY_MB = int(os.environ.get("PDF_CHECK_MEMORY_MB", "512"))
