"""Settings for the newsroom, read from the environment.

Every variable is optional for a local run; see README.md for the list. With
DEBUG off, a missing SECRET_KEY or ALLOWED_HOSTS stops start-up.
"""

import re
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from newsroom.formlimits import FieldLimit

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_INSECURE_DEV_KEY = "django-insecure-local-development-only"
SECRET_KEY = env("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY: it is required when DEBUG is off "
        "(for a local run, set DEBUG=1)."
    )

# Rotating the key: put the old one here for as long as its signatures must
# keep working (preview links, newsletter links, sessions), then remove it.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [],
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS (comma separated): it is required when DEBUG is off "
        "(for a local run, set DEBUG=1)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "newsroom.apps.TagsConfig",
    "django_prose_editor",
    "reversion",
    "axes",
    "newsroom",
    "issues",
    "stories",
    "newsroom.newsletters",
    "newsroom.fundraising",
    "newsroom.purge",
]

MIDDLEWARE = [
    # Answers cached public pages before anything below runs; stores them as
    # the middleware below (and compression) finished them (newsroom/caching.py).
    "newsroom.caching.PageCacheMiddleware",
    "newsroom.middleware.PublicPageGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.AdminEditorPolicyMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "newsroom.formlimits.RaisedFieldLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # Innermost but for axes (which only acts on admin logins): it sees the
    # view, marks the pages PageCacheMiddleware may store, and gives them their
    # Cache-Control, Last-Modified and Surrogate-Key before ETags are made.
    "newsroom.caching.PublicPageCacheMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Django's 1,000 form fields, more only for the issue admin's form.
DATA_UPLOAD_MAX_NUMBER_FIELDS = FieldLimit(1000)

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "newsroom.context_processors.site",
                "newsroom.newsletters.context_processors.signup",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for a writer (send_due_editions marks each
    # message as it goes while the site serves pages), and with
    # synchronous=NORMAL a commit does not wait for the disk. A power cut may
    # forget the last commits, but never corrupts the file.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )

# Behind PgBouncer in transaction mode, each transaction may run on another
# server connection: no server-side cursors (a named cursor outlives its
# transaction) and no prepared statements (psycopg 3 prepares a query it
# sees often; prepare_threshold=None never does).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(
        f"DATABASE_POOLER={DATABASE_POOLER!r}: the only pooler known is 'pgbouncer'."
    )


def _behind_pooler(database):
    if DATABASE_POOLER and database["ENGINE"] == "django.db.backends.postgresql":
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None


# PostgreSQL's JIT compiles a query whose estimated cost passes a threshold
# that counting a big tag's issues passes: 300 ms of compiling for a 50 ms
# query. Every public query is short, so it is off for our connections.
# (PgBouncer passes no start-up options: there, set jit = off in
# postgresql.conf or with ALTER DATABASE.)
def _without_jit(database):
    if database["ENGINE"] == "django.db.backends.postgresql" and not DATABASE_POOLER:
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()


_behind_pooler(DATABASES["default"])
_without_jit(DATABASES["default"])

# A PostgreSQL read replica for the public pages (newsroom/db_routers.py).
# A browser that sent a write reads the primary for REPLICA_STICKY_SECONDS.
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=10)
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault(
        "CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    _behind_pooler(DATABASES["replica"])
    _without_jit(DATABASES["replica"])
    DATABASE_ROUTERS = ["newsroom.db_routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "newsroom.db_routers.ReplicaRoutingMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}
# Django's local-memory cache keeps 300 entries, fewer than a year of issue,
# story, tag and archive pages: past that it evicts a third of them at each
# overflow and the page cache misses all day. Each process keeps its own copy
# (about 30 KB a page), so a site with several workers wants Redis instead.
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["default"].setdefault("OPTIONS", {}).setdefault(
        "MAX_ENTRIES", env.int("CACHE_MAX_ENTRIES", default=2000)
    )
# Public pages stay cached at most this long; publishing, editing or a
# scheduled time arriving replaces them at once (newsroom/caching.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60 * 60)
# What public pages tell shared caches (a CDN, the front proxy): keep a page
# this many seconds, and serve it this much longer while fetching it again.
PAGE_CACHE_S_MAXAGE = env.int("PAGE_CACHE_S_MAXAGE", default=10)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env.int(
    "PAGE_CACHE_STALE_WHILE_REVALIDATE", default=30
)
# With the local-memory cache, gunicorn's workers learn of a change through
# this file, mapped in memory; a shared cache (Redis) does without it.
PAGE_CACHE_GENERATION_FILE = env.path(
    "PAGE_CACHE_GENERATION_FILE",
    default=Path(tempfile.gettempdir()) / "newsroom-page-generation",
)

# CDN purges (newsroom/purge): off unless CDN_PURGE_URL is set. The pages
# that show a change are purged by their surrogate keys through
# CDN_PURGE_BACKEND (a generic HTTP PURGE by default, or
# newsroom.purge.backends.FastlyPurge / CloudflarePurge), after the commit;
# `manage.py purge_cdn` every minute retries failures and sends scheduled
# issues' purges when their time comes.
CDN_PURGE_URL = env("CDN_PURGE_URL", default="")
CDN_PURGE_BACKEND = env(
    "CDN_PURGE_BACKEND", default="newsroom.purge.backends.HTTPPurge"
)
CDN_PURGE_TOKEN = env("CDN_PURGE_TOKEN", default="")
CDN_PURGE_TIMEOUT = env.float("CDN_PURGE_TIMEOUT", default=5.0)
# The first retry waits this long, each next one twice as long (at most an hour).
CDN_PURGE_RETRY_SECONDS = env.int("CDN_PURGE_RETRY_SECONDS", default=15)
# False sends a change's purge in the request that saved it, after the
# commit, instead of in a background thread: for a one-off debugging session,
# and for tests on SQLite's in-memory database, which a second thread cannot
# read while the first writes.
CDN_PURGE_IN_BACKGROUND = env.bool("CDN_PURGE_IN_BACKGROUND", default=True)

# Past this many URLs, /sitemap.xml becomes an index of pages this long.
SITEMAP_LIMIT = env.int("SITEMAP_LIMIT", default=50_000)

# No search holds the database longer than this many seconds; the reader
# gets a page saying so (newsroom/search/limits.py).
SEARCH_STATEMENT_TIMEOUT = env.float("SEARCH_STATEMENT_TIMEOUT", default=2.0)
# How long a query's ranked hits are reused (0: never), under the page cache's
# generation, so a change readers can see is never served from there.
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=60)

vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="newsroom@localhost")

# Newsletters (newsroom/newsletters/): editions go out through EMAIL_URL's
# SMTP server, from this sender, with replies to NEWSLETTER_REPLY_TO.
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
NEWSLETTER_REPLY_TO = env("NEWSLETTER_REPLY_TO", default="")
# The mailto: of the List-Unsubscribe header; its subject carries the
# subscriber's signed unsubscribe token, which `receive_mail` reads.
NEWSLETTER_UNSUBSCRIBE_EMAIL = env(
    "NEWSLETTER_UNSUBSCRIBE_EMAIL",
    default=NEWSLETTER_REPLY_TO or NEWSLETTER_FROM_EMAIL,
)
# The envelope sender (Return-Path) of editions, e.g. bounces@news.example.org:
# each message goes out from bounces+<signed delivery id>@news.example.org
# (VERP), and `receive_mail` reads the bounces sent back to it. Unset: editions
# go out from NEWSLETTER_FROM_EMAIL's address, as before.
NEWSLETTER_BOUNCE_ADDRESS = env("NEWSLETTER_BOUNCE_ADDRESS", default="").strip()
if NEWSLETTER_BOUNCE_ADDRESS and not re.fullmatch(
    r"[A-Za-z0-9.!#$%&'*/=?^_`{|}~-]+@[A-Za-z0-9.-]+", NEWSLETTER_BOUNCE_ADDRESS
):
    raise ImproperlyConfigured(
        "NEWSLETTER_BOUNCE_ADDRESS must be a bare address such as "
        "bounces@news.example.org (no name, no brackets, no '+'), "
        f"not {NEWSLETTER_BOUNCE_ADDRESS!r}."
    )
# A bounce that carries no token of ours is matched by its recipient to a
# delivery sent in this many days.
NEWSLETTER_BOUNCE_MATCH_DAYS = env.int("NEWSLETTER_BOUNCE_MATCH_DAYS", default=14)
# How long a confirmation link works, in seconds (7 days).
NEWSLETTER_CONFIRM_MAX_AGE = env.int(
    "NEWSLETTER_CONFIRM_MAX_AGE", default=60 * 60 * 24 * 7
)
# Messages per SMTP connection, and the pause between two batches in seconds.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=500)
NEWSLETTER_BATCH_PAUSE = env.float("NEWSLETTER_BATCH_PAUSE", default=0.5)
# Sign-ups one client address may make per hour.
NEWSLETTER_SIGNUPS_PER_HOUR = env.int("NEWSLETTER_SIGNUPS_PER_HOUR", default=10)
# DKIM signing of every newsletter message, when all three are set.
DKIM_DOMAIN = env("DKIM_DOMAIN", default="")
DKIM_SELECTOR = env("DKIM_SELECTOR", default="")
DKIM_PRIVATE_KEY_PATH = env("DKIM_PRIVATE_KEY_PATH", default="")

# django-axes: after 5 failed logins for one username from one address, that
# pair is locked out for an hour (LOGIN_LOCKOUT_HOURS); a success resets it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every login would seem to come from the proxy, and
# one attacker could lock every editor out: TRUSTED_PROXY_COUNT says how many
# proxies append to X-Forwarded-For (newsroom/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"

# Only the admin has a login; an unsafe or missing `next` lands there.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
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


def bucket_origins(
    bucket, endpoint=None, custom_domain=None, protocol="https:", region=None
):
    """Where browsers fetch the bucket's public copies from, for the CSP's img-src."""
    if custom_domain:
        return [f"{protocol}//{custom_domain.split('/')[0]}"]
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        host = host.split("/")[0]
        return [f"{scheme}://{host}", f"{scheme}://{bucket}.{host}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


# Media in an S3-compatible bucket (newsroom/storage.py, issues/media.py): every
# object private, and the renditions of public issues copied under public/,
# which the bucket policy or the CDN lets anyone read. Unset: files in MEDIA_ROOT.
MEDIA_ORIGINS = []
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_S3_URL_PROTOCOL = env("AWS_S3_URL_PROTOCOL", default="https:")
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default=None)
    AWS_DEFAULT_ACL = None
    # A slow or unreachable bucket holds up an editor's save or a page for
    # seconds, not minutes.
    from botocore.config import Config

    AWS_S3_CLIENT_CONFIG = Config(
        connect_timeout=env.float("AWS_S3_TIMEOUT", default=5),
        read_timeout=env.float("AWS_S3_TIMEOUT", default=5),
        retries={"max_attempts": 2, "mode": "standard"},
    )
    STORAGES["default"] = {"BACKEND": "newsroom.storage.PrivateMediaStorage"}
    STORAGES["public_media"] = {"BACKEND": "newsroom.storage.PublicMediaStorage"}
    MEDIA_ORIGINS = bucket_origins(
        AWS_STORAGE_BUCKET_NAME,
        AWS_S3_ENDPOINT_URL,
        AWS_S3_CUSTOM_DOMAIN,
        AWS_S3_URL_PROTOCOL,
        AWS_S3_REGION_NAME,
    )

# HTTPS: on by default outside DEBUG; HTTPS=0 serves plain HTTP on loopback.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere. JSON-LD is data (application/ld+json),
# which script-src does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True

# Uploads are bounded before they reach Pillow.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SITE_NAME = env("SITE_NAME", default="Caracas Chronicles")
# Where the site is served; commands print absolute links with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# How long a preview link works, in seconds (7 days).
PREVIEW_MAX_AGE = env.int("PREVIEW_MAX_AGE", default=60 * 60 * 24 * 7)

# The series' Telegram channel: a bot that is an administrator of the
# channel posts each issue there (newsroom/newsletters/channel/). Both unset:
# no posting. TELEGRAM_API_URL points the client at another server (tests).
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_CHAT_ID = env("TELEGRAM_CHAT_ID", default="")
TELEGRAM_API_URL = env("TELEGRAM_API_URL", default="https://api.telegram.org")


def _decimal(name, default):
    try:
        return Decimal(env(name, default=default))
    except InvalidOperation:
        raise ImproperlyConfigured(
            f"{name} must be a number such as {default}."
        ) from None


# Reader revenue through Stripe Checkout. With both secrets set, each tier and
# the custom amount make a Checkout Session, and the webhook at
# /donate/webhooks/stripe/ records the gifts; without them the donate page
# links to each tier's fixed checkout URL and donations come by CSV import.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Another address for Stripe's API (a local fake in tests); empty: Stripe's own.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=10.0)
# Where Checkout Sessions live: the donate page's form may be sent on there.
STRIPE_CHECKOUT_ORIGIN = env(
    "STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com"
)
# How old a webhook's signed timestamp may be, in seconds (Stripe's default).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# The smallest and largest gift taken online, in the campaign's currency.
DONATION_MIN_AMOUNT = _decimal("DONATION_MIN_AMOUNT", "1")
DONATION_MAX_AMOUNT = _decimal("DONATION_MAX_AMOUNT", "10000")
# The processor's fee, which a donor may choose to cover: a percentage of the
# charge plus a fixed amount (Stripe's standard card rate by default).
STRIPE_FEE_PERCENT = _decimal("STRIPE_FEE_PERCENT", "2.9")
STRIPE_FEE_FIXED = _decimal("STRIPE_FEE_FIXED", "0.30")

TAGGIT_CASE_INSENSITIVE = True

# Editors type "elpitazo.net"; assume https, as Django 6 will.
FORMS_URLFIELD_ASSUME_HTTPS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
