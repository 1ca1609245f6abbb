"""The site's settings, plus the bare view `make bench` compares a hit with."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
