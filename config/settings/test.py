"""Test runs: fast password hashing, mail kept in memory, no manifest for static files, a
SQLite database in a file of the run's own."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

COURSESITE_ENVIRONMENT = "test"
SECRET_KEY = "test-only-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
SITE_URL = "http://testserver"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file of this run's own, as in the demo, not Django's in-memory default: the live
    # server's threads then have connections of their own and write concurrently through
    # WAL and the busy timeout, instead of sharing the test's one in-memory connection.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="coursesite-test-db-")) / "test.sqlite3")
    }
elif os.environ.get("TEST_DATABASE_NAME"):
    # Parallel runs against one PostgreSQL server need distinct test database names.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
# One process: the cache in its memory (a run with REDIS_URL tests the shared one).
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Uploads of a test run go to a folder of their own, removed with the machine's temp files.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="coursesite-test-media-"))

# Serve static files from the source folders, as runserver does; no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
