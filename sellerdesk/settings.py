"""SellerDesk settings. Every value comes from the environment; see .env.example.

The defaults run a fresh checkout: SQLite, the ORM broker, texts to the desk's outbox.
Production deployments use sellerdesk.settings_production on top of this module.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from sellerdesk.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_networks,
    env_oauth_provider,
    env_seconds,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SELLERDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Only good for a local desk: production settings refuse to start with it.
INSECURE_DEV_KEY = "dev-only-key-not-for-production-8c1f2e0a7d9b4e6f"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEV_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "sellerdesk",
    "inbox",
    "buyers",
    "dashboard",
    "escalations",
    "amazon",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sellerdesk.middleware.ContentSecurityPolicyMiddleware",
    "sellerdesk.nostore.NoStoreMiddleware",
]

ROOT_URLCONF = "sellerdesk.urls"
WSGI_APPLICATION = "sellerdesk.wsgi.application"
ASGI_APPLICATION = "sellerdesk.asgi.application"

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
                "sellerdesk.context_processors.desk",
                "sellerdesk.context_processors.refused",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sellerdesk.User"
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
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by whitenoise straight from the source folders, so a checkout needs no
# collectstatic; production collects and fingerprints them instead.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
QCLUSTER_WORKERS = env_int("QCLUSTER_WORKERS", 2, minimum=1)
Q_CLUSTER = {
    "name": "sellerdesk",
    "workers": QCLUSTER_WORKERS,
    # A task may run this long; the broker hands it out again only after `retry`, which
    # must be longer, or a slow task would run twice.
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "label": "Worker",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
# Shared by every web process (login throttling counts across them): Redis when there is
# one, else a table in the database (made by migration sellerdesk 0003, createcachetable).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "sellerdesk_cache",
        # Culling drops entries at random: a flood of keys must not wipe out login counts.
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
}
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
# Every login form, the admin's too: the throttle first, then the password check.
AUTHENTICATION_BACKENDS = [
    "sellerdesk.login.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The proxies in front of the desk: only from these is X-Forwarded-For believed.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"])

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# plain: one line of text per record; json: one JSON object per record (for a log shipper).
# Error reports (DEBUG pages, mails to ADMINS) hide every password and token.
DEFAULT_EXCEPTION_REPORTER_FILTER = "sellerdesk.logs.SafeReports"
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "sellerdesk.logs.JsonFormatter"},
    },
    # The owner's links answer as the owner: no log line carries one (a failed CSRF check
    # logs the path it refused).
    "filters": {"owner_links": {"()": "sellerdesk.logs.MaskOwnerLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["owner_links"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The twilio library logs every request's headers at INFO: keep only its problems.
        "twilio.http_client": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # sp_api's transport: one line per request otherwise
        # runserver's request lines (`make run`): through the handler that masks owner links.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

DEMO_ENABLED = True

FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])

# --- Mail ---
# The seller's mailbox, e.g. imaps://orders%40shop.com:app-password@imap.example.com:993
IMAP_URL = env_url("IMAP_URL", schemes=("imap", "imaps"))
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 30, minimum=1)
# A mailbox at Microsoft or Google signs in with OAuth 2.0 instead of a password:
# imaps://support%40shop.com@outlook.office365.com:993?oauth=microsoft (or oauth=google).
IMAP_OAUTH = env_oauth_provider("IMAP_URL", IMAP_URL)

# --- OAuth 2.0: the seller's own app registrations at Microsoft and Google ---
OAUTH_MICROSOFT_CLIENT_ID = env_str("OAUTH_MICROSOFT_CLIENT_ID")
OAUTH_MICROSOFT_CLIENT_SECRET = env_str("OAUTH_MICROSOFT_CLIENT_SECRET")
# The organisation's tenant id, `organizations`, `consumers` (Outlook.com) or `common`.
OAUTH_MICROSOFT_TENANT = env_str("OAUTH_MICROSOFT_TENANT", "common")
OAUTH_MICROSOFT_AUTHORITY = env_url(
    "OAUTH_MICROSOFT_AUTHORITY", "https://login.microsoftonline.com", schemes=("http", "https")
).rstrip("/")
OAUTH_GOOGLE_CLIENT_ID = env_str("OAUTH_GOOGLE_CLIENT_ID")
OAUTH_GOOGLE_CLIENT_SECRET = env_str("OAUTH_GOOGLE_CLIENT_SECRET")
OAUTH_GOOGLE_AUTH_URL = env_url(
    "OAUTH_GOOGLE_AUTH_URL", "https://accounts.google.com/o/oauth2/v2/auth",
    schemes=("http", "https"),
)  # fmt: skip
OAUTH_GOOGLE_TOKEN_URL = env_url(
    "OAUTH_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token", schemes=("http", "https")
)
OAUTH_TIMEOUT = env_int("OAUTH_TIMEOUT", 15, minimum=1)
# Attachments up to this size are kept in the desk; larger ones are fetched when opened.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=0)
MAIL_SYNC_MINUTES = env_int("MAIL_SYNC_MINUTES", 1, minimum=1)
# Processes that parse mail on a large pass (a first sync); unset: one per core but one
# (two on a two-core machine).
MAIL_PARSE_WORKERS = env_int("MAIL_PARSE_WORKERS", -1, minimum=-1)

# --- Outgoing mail (replies to mail, the owner's email channel) ---
# smtp://user:password@smtp.example.com:587?tls=true, smtps://...:465, or console://
globals().update(env_email("EMAIL_URL", "console://"))
# ...?tls=true&oauth=microsoft: replies go out through the mailbox's OAuth grant.
EMAIL_OAUTH = env_oauth_provider("EMAIL_URL", env_str("EMAIL_URL"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# The seller's address: replies to mail go out from it.
SELLER_EMAIL = env_str("SELLER_EMAIL", "seller@localhost")
DEFAULT_FROM_EMAIL = SELLER_EMAIL
SERVER_EMAIL = SELLER_EMAIL

# A buyer waiting this close to Amazon's 24 hours: the owner is told.
BUYER_WARN_HOURS = env_int("BUYER_WARN_HOURS", 4, minimum=1)

# --- The owner, and texts to them ---
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
# Another base URL for Twilio's API (a local stand-in); unset = api.twilio.com.
TWILIO_API_URL = env_url("TWILIO_API_URL", schemes=("http", "https")).rstrip("/")
TWILIO_TIMEOUT = env_seconds("TWILIO_TIMEOUT", 15)
OWNER_PHONE = env_str("OWNER_PHONE")
OWNER_EMAIL = env_str("OWNER_EMAIL")
# A Slack-style incoming webhook: the desk POSTs {"text": ...} as JSON.
OWNER_WEBHOOK_URL = env_url("OWNER_WEBHOOK_URL", schemes=("http", "https"))
# How long the link in a text opens the owner's page without logging in.
OWNER_LINK_DAYS = env_int("OWNER_LINK_DAYS", 7, minimum=1)
NOTIFY_MINUTES = env_int("NOTIFY_MINUTES", 1, minimum=1)
if bool(TWILIO_ACCOUNT_SID) != bool(TWILIO_AUTH_TOKEN) or (
    TWILIO_ACCOUNT_SID and not (TWILIO_FROM_NUMBER and OWNER_PHONE)
):
    raise ImproperlyConfigured(
        "Texts through Twilio need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
        "TWILIO_FROM_NUMBER and OWNER_PHONE together (leave all unset for the outbox)."
    )

# --- Amazon (Selling Partner API) ---
# The default seller account; more can be added in admin. All three unset = not connected.
SPAPI_REFRESH_TOKEN = env_str("SPAPI_REFRESH_TOKEN")
SPAPI_LWA_APP_ID = env_str("SPAPI_LWA_APP_ID")
SPAPI_LWA_CLIENT_SECRET = env_str("SPAPI_LWA_CLIENT_SECRET")
SPAPI_MARKETPLACES = env_list("SPAPI_MARKETPLACES", ["US"])
# Another base URL for the API and for Login with Amazon's token (a local stand-in).
SPAPI_ENDPOINT = env_url("SPAPI_ENDPOINT", schemes=("http", "https")).rstrip("/")
SPAPI_TOKEN_URL = env_url("SPAPI_TOKEN_URL", schemes=("http", "https"))
SPAPI_TIMEOUT = env_seconds("SPAPI_TIMEOUT", 30)
SPAPI_RETRIES = env_int("SPAPI_RETRIES", 3, minimum=0)
SPAPI_BACKOFF_SECONDS = env_seconds("SPAPI_BACKOFF_SECONDS", 2)
SPAPI_POLL_SECONDS = env_seconds("SPAPI_POLL_SECONDS", 10)
SPAPI_POLLS = env_int("SPAPI_POLLS", 30, minimum=1)
# A call the rate limit allows within this long waits for it; later ones wait for the next pull.
SPAPI_MAX_WAIT_SECONDS = env_seconds("SPAPI_MAX_WAIT_SECONDS", 200)
AMAZON_PULL_MINUTES = env_int("AMAZON_PULL_MINUTES", 15, minimum=5)
# Unshipped orders this close to their ship-by time are highlighted.
SHIP_BY_WARN_HOURS = env_int("SHIP_BY_WARN_HOURS", 6, minimum=1)
# An order a buyer names is fetched once and kept; a page showing it asks Amazon again only
# when it is older than this and not final (shipped and delivered, cancelled).
ORDER_REFRESH_MINUTES = env_int("ORDER_REFRESH_MINUTES", 5, minimum=1)
if any([SPAPI_REFRESH_TOKEN, SPAPI_LWA_APP_ID, SPAPI_LWA_CLIENT_SECRET]) and not all(
    [SPAPI_REFRESH_TOKEN, SPAPI_LWA_APP_ID, SPAPI_LWA_CLIENT_SECRET]
):
    raise ImproperlyConfigured(
        "Amazon needs SPAPI_REFRESH_TOKEN, SPAPI_LWA_APP_ID and SPAPI_LWA_CLIENT_SECRET "
        "together (leave all unset when the desk is not connected)."
    )
