"""Small builders shared by the whole suite: `make_issue(**overrides)` and friends."""

import importlib
import itertools
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from issues.models import Issue, Series
from newsroom import caching, db_routers
from stories.models import RecommendedRead, Source, Story
from tests.databases import REAL_REPLICA
from tests.fundraising.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache.

    Rolled-back rows send no signals, so a page cached by one test would
    otherwise be served to the next.
    """
    cache.clear()
    caching.forget_in_memory()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """With a replica configured, `replica` is the test database in every thread.

    Django makes the alias a mirror of the test database only for the
    connection of the thread that set the databases up; a live server's
    threads open theirs from the settings, which still name the replica's
    non-test database. tests/newsroom/test_replica.py uses REAL_REPLICA.
    """
    if "replica" in connections.settings:
        replica = connections.settings["replica"]
        REAL_REPLICA.update(replica)
        replica.update({**connections.settings["default"], "TEST": replica["TEST"]})
    yield


@pytest.fixture(autouse=True)
def _primary_unless_replica_test(request, monkeypatch):
    """Outside tests marked `replica`, every read goes to the primary.

    A test may query only the databases it declares, from its own thread or a
    live server's; with a replica configured (the PostgreSQL run) a committed
    test's public pages would otherwise read the `replica` alias.
    """
    if request.node.get_closest_marker("replica") is None:
        monkeypatch.setattr(db_routers, "replica_configured", lambda: False)


# Data migrations whose rows (the editorial groups and their permissions) a
# transactional test's flush deletes: (app, migration, function).
DATA_MIGRATIONS = [
    ("issues", "0002_editorial_groups", "create_groups"),
    ("fundraising", "0002_content_types_and_editors", "grant"),
    ("newsroom", "0004_editors_lift_login_lockouts", "grant"),
    ("newsletters", "0002_editors_send_newsletters", "grant"),
    ("newsletters", "0004_editors_post_to_channel", "grant"),
    ("stories", "0006_credits_for_writers_and_editors", "grant"),
]


@pytest.fixture(autouse=True)
def _editorial_groups(request):
    """The Writers and Editors groups exist in every test, as after `migrate`.

    Live-server tests run in real transactions and end with a flush, which
    empties the tables the data migrations filled; this replays them.
    """
    for name in ("db", "transactional_db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break
    else:
        return
    if Group.objects.filter(name__in=["Writers", "Editors"]).count() == 2:
        return
    state_apps = MigrationLoader(connection).project_state().apps
    for app_label, migration, function in DATA_MIGRATIONS:
        package = apps.get_app_config(app_label).name
        module = importlib.import_module(f"{package}.migrations.{migration}")
        getattr(module, function)(state_apps, None)


@pytest.fixture
def make_series(db):
    def make(**overrides):
        n = next(_counter)
        fields = {
            "name": f"Series {n}",
            "slug": f"series-{n}",
            "hashtag": "#NowWhatVenezuela",
            "intro": "#NowWhatVenezuela keeps you informed. This report is published weekly.",
            "channel_call": "Join our official channel in English through this link.",
            "appeal": "We are 100% reader-supported.\n\nYour collaboration goes a long way.",
        }
        fields.update(overrides)
        return Series.objects.create(**fields)

    return make


@pytest.fixture
def series(make_series):
    return make_series(name="Now What Venezuela", slug="now-what-venezuela")


@pytest.fixture
def make_issue(db, make_series):
    """A published issue whose time has come, unless told otherwise."""

    def make(**overrides):
        n = next(_counter)
        fields = {
            "headline": f"Issue headline {n}",
            "slug": f"issue-{n}",
            "dek": f"This week's report also covers topic {n}.",
            "status": Issue.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=n),
        }
        fields.update(overrides)
        if "series" not in fields:
            fields["series"] = Series.objects.first() or make_series()
        fields.setdefault("number", fields["series"].next_number())
        tags = fields.pop("tags", [])
        issue = Issue.objects.create(**fields)
        if tags:
            issue.tags.add(*tags)
        return issue

    return make


@pytest.fixture
def make_source(db):
    def make(**overrides):
        n = next(_counter)
        fields = {"name": f"Outlet {n}", "slug": f"outlet-{n}"}
        fields.update(overrides)
        return Source.objects.create(**fields)

    return make


@pytest.fixture
def make_story(db, make_issue):
    def make(**overrides):
        n = next(_counter)
        fields = {
            "headline": f"Story headline {n}",
            "slug": f"story-{n}",
            "body": f"<p>Body of story {n}.</p>",
            "position": n,
        }
        fields.update(overrides)
        if "issue" not in fields:
            fields["issue"] = make_issue()
        sources = fields.pop("sources", [])
        tags = fields.pop("tags", [])
        story = Story.objects.create(**fields)
        if sources:
            story.sources.add(*sources)
        if tags:
            story.tags.add(*tags)
        return story

    return make


@pytest.fixture
def make_read(db, make_issue, make_source):
    def make(**overrides):
        n = next(_counter)
        fields = {
            "summary": f"Summary of read {n}.",
            "url": f"https://example.org/read-{n}",
            "position": n,
        }
        fields.update(overrides)
        if "issue" not in fields:
            fields["issue"] = make_issue()
        if "source" not in fields:
            fields["source"] = make_source()
        return RecommendedRead.objects.create(**fields)

    return make


@pytest.fixture
def make_staff(db):
    """A staff member of a group (Writers or Editors) with the password `pw`."""

    def make(username, group_name):
        user = User.objects.create_user(username, password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def writer(make_staff):
    return make_staff("writer1", "Writers")


@pytest.fixture
def editor(make_staff):
    return make_staff("editor1", "Editors")


# Used by tests/fundraising/ and the donate page's browser tests.
@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe API on loopback, with STRIPE_* settings pointing at it."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.SITE_URL = "https://news.example.org"
    yield fake
    fake.stop()
