"""Settings for the test suite: the real settings, with fast and plain pieces.

DATABASE_URL picks the database, as in production: `make test` runs the suite
once on SQLite and once on a throwaway PostgreSQL cluster.
"""

import os
import tempfile
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="newsroom-media-"))
# One page-cache generation file per test run, so runs side by side do not
# invalidate each other's cached pages.
os.environ.setdefault(
    "PAGE_CACHE_GENERATION_FILE",
    os.path.join(tempfile.mkdtemp(prefix="newsroom-pages-"), "generation"),
)

from newsroom.settings import *  # noqa: E402, F403

# With a read replica (`make test`'s PostgreSQL run starts one), the suite's
# `replica` alias mirrors the test database: tests/newsroom/test_replica.py
# points it at the real replica's copy of that database.
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Files in MEDIA_ROOT, unless AWS_STORAGE_BUCKET_NAME names a bucket on a
# loopback S3 server (the S3 tests' subprocesses): a bucket set in the
# environment for something else is never written to by the suite.
LOCAL_BUCKET = AWS_STORAGE_BUCKET_NAME and urlsplit(  # noqa: F405
    os.environ.get("AWS_S3_ENDPOINT_URL", "")
).hostname in ("127.0.0.1", "localhost", "::1")
STORAGES = {
    **(
        {name: STORAGES[name] for name in ("default", "public_media")}  # noqa: F405
        if LOCAL_BUCKET
        else {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The suite's own cache, unless CACHE_URL names a server to test against
# (`make test` runs the caching tests once more on a throwaway Redis).
if "CACHE_URL" not in os.environ:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT = tempfile.mkdtemp(prefix="newsroom-static-")
WHITENOISE_USE_FINDERS = True
# The test client's login() calls authenticate() without a request, which
# django-axes refuses; the lockout test switches axes back on.
AXES_ENABLED = False

# aiosmtpd, the tests' SMTP server, logs every connection at INFO from its own
# thread, which may outlive the test whose captured output it writes to.
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {"mail.log": {"level": "WARNING"}},
}
