"""What the suite keeps of its databases' settings between fixtures."""

#: The read replica's own settings (the PostgreSQL run), kept before the suite
#: points the `replica` alias at the test database (tests/conftest.py).
REAL_REPLICA = {}
