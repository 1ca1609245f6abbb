"""What the suite keeps of its databases' settings between fixtures."""

import os

#: The read replica's own settings (the PostgreSQL run), kept before the suite
#: points the `replica` alias at the test database (tests/conftest.py).
REAL_REPLICA = {}


#: What a child process (a gunicorn, a `manage.py` run) must not inherit: this
#: process's settings module, and the PostgreSQL run's read replica, which
#: streams the primary's own databases, not the one the child is given.
PARENT_ONLY = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_REPLICA_URL",
}


def child_environment(**settings):
    """This process's environment for a child, without PARENT_ONLY, plus `settings`."""
    env = {key: value for key, value in os.environ.items() if key not in PARENT_ONLY}
    env.update(settings)
    return env


def settings_only_environment(**settings):
    """This process's environment without its database and Django settings,
    plus `settings`: for a child that must read only the settings it is given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_"))
    }
    env.update(settings)
    return env
