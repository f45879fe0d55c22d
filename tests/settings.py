"""Test settings: production-like kdesk settings with a fixed secret and fast hashing.

kdesk/settings.py reads the environment once at import, so the defaults are set before it runs.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("PASSWORD_HASHERS_FAST", "true")
os.environ.setdefault("TASK_BACKEND", "immediate")

from kdesk.settings import *  # noqa: E402,F403

# Browser tests serve the test database from a separate daphne process, so an SQLite test
# database must be a file, not memory.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # One file per test process, so parallel runs never share a database.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"kdesk-test-{os.getpid()}.sqlite3")
    }

# The browser tests' daphne runs with DEBUG off and no collectstatic: serve static files
# straight from the finders (static/ and the apps).
WHITENOISE_USE_FINDERS = True
