"""sscard settings, read from the environment.

With nothing set, the embedded default runs: DEBUG on, a SQLite file under var/,
Celery tasks executed eagerly in process, documents under var/documents, email
printed to the console. Every variable is documented in .env.example and README.md.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from sscard import env
from sscard.env import SettingsError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("SSCARD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.boolean("DJANGO_DEBUG", True)

# Development gets a throwaway key; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.string("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise SettingsError("DJANGO_SECRET_KEY: required when DJANGO_DEBUG is off")

# National ID numbers at rest (accounts/pii.py): encrypted with keys derived from
# SECRET_KEY and these salts (newest first; older ones still decrypt), and looked up by an
# HMAC under SSCARD_ID_HASH_KEY. Development gets throwaway values; production brings its own.
SALT_KEY = env.string_list("SSCARD_PII_SALT_KEYS", ["dev-only-pii-salt"] if DEBUG else [])
if not SALT_KEY:
    raise SettingsError("SSCARD_PII_SALT_KEYS: required when DJANGO_DEBUG is off")
SSCARD_ID_HASH_KEY = env.string("SSCARD_ID_HASH_KEY", "dev-only-id-hash-key" if DEBUG else "")
if not SSCARD_ID_HASH_KEY:
    raise SettingsError("SSCARD_ID_HASH_KEY: required when DJANGO_DEBUG is off")
# While a rotation of SSCARD_ID_HASH_KEY is under way: the keys it replaces.
SSCARD_ID_HASH_KEYS_PREVIOUS = env.string_list("SSCARD_ID_HASH_KEYS_PREVIOUS", [])
# Ed25519 keys that sign the facts of issued documents (core/signing.py): private seeds,
# base64url, newest first; and the public keys of retired ones, still accepted.
SSCARD_DOCUMENT_SIGNING_KEYS = env.string_list(
    "SSCARD_DOCUMENT_SIGNING_KEYS",
    # A fixed development seed: sha256("dev-only-document-signing-key"), base64url.
    ["ab2iXDMTjmPIr1-N27OqBS13L6o3do29LWA0J22aS_w"] if DEBUG else [],
)
if not SSCARD_DOCUMENT_SIGNING_KEYS:
    raise SettingsError("SSCARD_DOCUMENT_SIGNING_KEYS: required when DJANGO_DEBUG is off")
SSCARD_DOCUMENT_VERIFY_KEYS = env.string_list("SSCARD_DOCUMENT_VERIFY_KEYS", [])
SECRET_KEY_FALLBACKS = env.string_list("DJANGO_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env.string_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise SettingsError("DJANGO_ALLOWED_HOSTS: required when DJANGO_DEBUG is off")
CSRF_TRUSTED_ORIGINS = env.string_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A refused form (an expired or cleared cookie) gets the project's page, in DEBUG too.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
# The demo: DEBUG on for its conveniences, but the project's own error pages, never
# Django's technical 404 listing every URL. Off by default when DEBUG is off.
SSCARD_DEMO = env.boolean("SSCARD_DEMO", DEBUG)

INSTALLED_APPS = [
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
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "accounts",
    "casework",
    "withdrawals",
    "verification",
    "pensions",
    "benefits",
    "maternity",
    "workinjury",
    "cards",
    "corrections",
    "employer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database outage answers 503 with Retry-After, not a 500.
    "sscard.middleware.DatabaseUnavailableMiddleware",
    # django-csp's, with the policy that nothing widened built once per process.
    "sscard.middleware.CSPMiddleware",
    "sscard.security.RejectNulMiddleware",
    # "sscard.middleware.X" below is Django's (or WhiteNoise's, django-otp's) X, passed
    # over for an API call with a token (Authorization: Token …), which DRF's token
    # login alone authenticates: no session, messages or static files.
    "sscard.middleware.WhiteNoiseMiddleware",
    "sscard.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's own, on every request: its cost for a token call is nil, and the deploy
    # check (security.W003) looks for it by name.
    "django.middleware.csrf.CsrfViewMiddleware",
    "sscard.middleware.AuthenticationMiddleware",
    # Pages and API answers for a logged-in person: Cache-Control: private, no-store.
    "sscard.middleware.PrivateNoStoreMiddleware",
    "sscard.middleware.OTPMiddleware",
    "sscard.middleware.MessageMiddleware",
    # An employer's login opens the employer pages only.
    "employer.access.EmployerOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The demo runs with DEBUG on but shows the project's own 404 page.
    "sscard.middleware.ProjectNotFoundMiddleware",
    # Last: turns a login refused for too many failures into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sscard.urls"
WSGI_APPLICATION = "sscard.wsgi.application"
ASGI_APPLICATION = "sscard.asgi.application"

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
            # One way to show money and dates, in every template without a load.
            "builtins": ["core.templatetags.formatting"],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASES = {
    "default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sscard.sqlite3'}"),
}
# Persistent connections: opening one per request costs more than the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The embedded default must start on a fresh clone: make its folder.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username and address before any
# password is checked, and counts every failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Then: refuse every login from an address that failed too often (spraying).
    "accounts.ratelimit.AddressFailureLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache ------------------------------------------------------------------

# Rate limits live in the cache, so several processes must share one (Redis) in
# production; the in-process default suits a single development server.
CACHES = {"default": env.cache("CACHE_URL", "locmemcache://sscard")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same backend, without building a new Redis client for every call.
    CACHES["default"]["BACKEND"] = "sscard.cache.RedisCache"
_SHARED_CACHE = (
    "LocMemCache" not in CACHES["default"]["BACKEND"]
    and "Dummy" not in (CACHES["default"]["BACKEND"])
)

# Sessions are read on every page: from the shared cache, written through to the
# database, so a cache restart logs nobody out and a cache outage only slows pages
# (sscard.sessions). An in-process cache cannot hold them: a logout in one process
# would not reach the others.
SESSION_ENGINE = env.string(
    "SSCARD_SESSION_ENGINE",
    "sscard.sessions" if _SHARED_CACHE else "django.contrib.sessions.backends.db",
)
# The rendered overview page is kept this long per cardholder and language, and used
# only while the balances it shows are unchanged (accounts.read_models), so any cache
# will do, an in-process one too; 0 turns it off.
SSCARD_PAGE_CACHE_SECONDS = env.integer("SSCARD_PAGE_CACHE_SECONDS", 3600)

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = env.string("DJANGO_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.string("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files and documents ---------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Identity documents live outside the web root and have no URL: they are only
# ever streamed by a permission-checked view.
DOCUMENT_ROOT = Path(env.string("SSCARD_DOCUMENT_ROOT", str(VAR_DIR / "documents")))
DOCUMENT_MAX_BYTES = env.integer("SSCARD_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Per claim: how many documents, and how many bytes together.
SSCARD_CLAIM_MAX_DOCUMENTS = env.integer("SSCARD_CLAIM_MAX_DOCUMENTS", 20)
SSCARD_CLAIM_MAX_DOCUMENT_BYTES = env.integer("SSCARD_CLAIM_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email --------------------------------------------------------------------

vars().update(env.email("EMAIL_URL", "consolemail://"))
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "sscard <no-reply@sscard.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Text messages to a person's mobile number (core/sms.py); the console in the demo.
SSCARD_SMS_BACKEND = env.string("SSCARD_SMS_BACKEND", "core.sms.ConsoleBackend")

# --- Celery -------------------------------------------------------------------

# No broker configured means the embedded default: tasks run in process, eagerly.
CELERY_BROKER_URL = env.broker("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# Results are ignored unless a task asks to keep one (the ping round trip).
CELERY_RESULT_BACKEND = env.string("CELERY_RESULT_BACKEND", "") or (
    None if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL
)
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it finished, and re-delivered if the worker
# dies mid-way; tasks are therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# Redis re-delivers an unacknowledged message after this long. It must exceed the
# longest task run (the time limit above) or a slow task would run twice at once;
# an hour also bounds how long a message held by a dead worker waits.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The web process must not hang on a dead broker: fail fast, the sweeper re-queues.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# An application waiting this long in submitted / in review is queued again.
REVIEW_STALL_AFTER = timedelta(seconds=env.integer("SSCARD_REVIEW_STALL_SECONDS", 600))
REVIEW_SWEEP_INTERVAL = env.integer("SSCARD_REVIEW_SWEEP_SECONDS", 300)
# Staff should decide within this many hours of submission; older claims show as overdue.
SSCARD_REVIEW_SLA_HOURS = env.integer("SSCARD_REVIEW_SLA_HOURS", 72)
# Beat's crontab entries are read in local time.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-stalled-reviews": {
        "task": "casework.sweep_stalled_reviews",
        "schedule": REVIEW_SWEEP_INTERVAL,
    },
    # Personal-account interest for the year just ended (SIL Art. 14), early in January
    # (local time) once the year's postings are in; safe to run again.
    "credit-interest-last-year": {
        "task": "accounts.credit_interest_last_year",
        "schedule": crontab(minute=0, hour=3, day_of_month=5, month_of_year=1),
    },
    # The pensioners' living check: reminders a month before the due date and the
    # notice when it lapses, once each; daily, in the morning (local time).
    "living-check-notices": {
        "task": "pensions.living_check_notices",
        "schedule": crontab(minute=0, hour=8),
    },
    # The monthly pension run (SIL Art. 15-16) on the first working day of the month:
    # the task runs the first three mornings and acts on the first working one.
    "pay-pensions-this-month": {
        "task": "pensions.pay_pensions_this_month",
        "schedule": crontab(minute=0, hour=4, day_of_month="1-3"),
    },
    # The month's unemployment benefit with its medical contribution (SIL Art. 46-48);
    # a benefit-month is paid once, so running again is safe.
    "pay-benefits-this-month": {
        "task": "benefits.pay_benefits_this_month",
        "schedule": crontab(minute=0, hour=4, day_of_month=10),
    },
}

# --- REST framework -----------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Institutions' API keys (accounts.authentication.InstitutionKeyAuthentication) are accepted
        # by the settlement endpoint alone.
        "accounts.authentication.TokenAuthentication",
        # A staff session counts only after its second factor (TOTP).
        "sscard.security.VerifiedStaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON that cannot be read (nested 5,000 deep too) is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "sscard.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "sscard.api.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["sscard.api.ScopedRateThrottle"],
    # Per scope and per user (or address when anonymous). Rate limits count in the
    # cache, so several processes need a shared one (CACHE_URL) for them to hold.
    "DEFAULT_THROTTLE_RATES": {
        "token": env.string("SSCARD_THROTTLE_TOKEN", "10/minute"),
        "eligibility": env.string("SSCARD_THROTTLE_ELIGIBILITY", "30/minute"),
        "identification": env.string("SSCARD_THROTTLE_IDENTIFICATION", "5/hour"),
        "submission": env.string("SSCARD_THROTTLE_SUBMISSION", "20/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sscard API",
    "DESCRIPTION": (
        "Social security card self-service: balances, history, withdrawal claims, "
        "staff review and medical settlements. Money is always a string with two decimals."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "SchemeEnum": "accounts.models.Scheme",
        "AccountKindEnum": [("personal", "Personal account"), ("pooled", "Pooled account")],
        "AccountStatusEnum": "accounts.models.Account.Status",
        "TransactionKindEnum": "accounts.models.LedgerTransaction.Kind",
        "DocumentKindEnum": "withdrawals.models.DocumentKind",
        "ApplicationStatusEnum": "withdrawals.models.Status",
        "ReasonEnum": "withdrawals.models.Reason",
        "CardStatusEnum": "accounts.models.Cardholder.CardStatus",
        "CardChangeReasonEnum": "accounts.models.CardStatusChange.Reason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.add_error_responses",
    ],
}

# --- Security -----------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.integer("SSCARD_SESSION_SECONDS", 60 * 60 * 8)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
    if env.boolean("DJANGO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts, styles, fonts and images from this site only;
# no inline script or style, no plugins, never framed. The staff document preview
# widens frame-src / object-src to 'self' for its own page only (decorator).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# Login throttling (django-axes). A username is locked out from one address after
# SSCARD_LOGIN_FAILURE_LIMIT failures; the same person from another address can
# still log in, so an attacker cannot lock the real user out. The lock lifts
# SSCARD_LOGIN_COOLOFF_MINUTES after the last failure (a failure while locked
# starts the wait again). Every attempt is recorded: AccessAttempt (the counter),
# AccessFailureLog (each failure) and AccessLog (each successful login).
AXES_FAILURE_LIMIT = env.integer("SSCARD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("SSCARD_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.login_throttle.axes_username"
AXES_LOCKOUT_CALLABLE = "sscard.security.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
# The typed username is an ID number for cardholders: never stored in axes' post_data.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "password1", "password2", "otp_token"]
# The start-up banner would print on every management command.
AXES_VERBOSE = False
# The client address (core.http.client_ip), for axes, staff actions' event rows and
# the API's rate limits alike: REMOTE_ADDR unless the deployment names a proxy header
# it controls. Behind one trusted reverse proxy (nginx setting X-Forwarded-For), set
# SSCARD_CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR and SSCARD_PROXY_COUNT=1: the address
# the proxy saw is taken, and one typed by the client into the header is ignored.
# Never name a header that clients can set directly.
SSCARD_CLIENT_IP_HEADERS = (
    *env.string_list("SSCARD_CLIENT_IP_HEADER", []),
    "REMOTE_ADDR",
)
SSCARD_PROXY_COUNT = env.integer("SSCARD_PROXY_COUNT", 0) or None
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
# Password spraying: failed logins from one address, whatever the usernames, past
# this rate refuse every login from it until the window ends (accounts.ratelimit).
SSCARD_LOGIN_ADDRESS_FAILURE_RATE = env.string("SSCARD_LOGIN_ADDRESS_FAILURE_RATE", "50/hour")
# Registration attempts per client address and per ID number (accounts.ratelimit).
SSCARD_REGISTER_ADDRESS_RATE = env.string("SSCARD_REGISTER_ADDRESS_RATE", "10/hour")
SSCARD_REGISTER_ID_RATE = env.string("SSCARD_REGISTER_ID_RATE", "5/hour")

# Staff reach the admin only with a second factor (TOTP, django-otp).
OTP_TOTP_ISSUER = env.string("SSCARD_OTP_ISSUER", "sscard")

# --- Logging -----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "sscard.log_filters.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("SSCARD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Also append every record to a file (the test suite scans the whole run's file for ID numbers).
SSCARD_LOG_FILE = env.string("SSCARD_LOG_FILE", "")
if SSCARD_LOG_FILE:
    Path(SSCARD_LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
    LOGGING["handlers"]["file"] = {
        "class": "logging.FileHandler",
        "filename": SSCARD_LOG_FILE,
        "formatter": "plain",
    }
    LOGGING["root"]["handlers"].append("file")
