"""Rotating SECRET_KEY: links signed with the old key keep working while it is
in SECRET_KEY_FALLBACKS, and stop once it is removed."""

import re

import pytest

from issues.models import Issue
from issues.previews import preview_path
from newsroom.newsletters.emails import unsubscribe_url
from newsroom.newsletters.models import Subscriber
from tests.newsroom.test_settings import run_settings

OLD, NEW = "the-old-key-" + "x" * 40, "the-new-key-" + "y" * 40


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    return settings


def rotate(settings, fallbacks):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, fallbacks


def test_the_old_keys_come_from_the_environment():
    result = run_settings(
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECRET_KEY_FALLBACKS)",
        DEBUG="1",
        SECRET_KEY_FALLBACKS="first-old-key,second-old-key",
    )

    assert result.stdout.strip() == "['first-old-key', 'second-old-key']", result.stderr
    assert (
        run_settings(
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.SECRET_KEY_FALLBACKS)",
            DEBUG="1",
        ).stdout.strip()
        == "[]"
    )


def test_a_preview_link_survives_the_rotation_while_the_old_key_is_a_fallback(
    client, old_key, make_issue
):
    draft = make_issue(
        headline="A draft shared before the rotation",
        status=Issue.Status.DRAFT,
        published_at=None,
    )
    path = preview_path(draft)

    rotate(old_key, [OLD])
    page = client.get(path)
    assert page.status_code == 200
    assert "A draft shared before the rotation" in page.content.decode()

    rotate(old_key, [])
    assert client.get(path).status_code == 404


def test_a_confirmation_link_survives_the_rotation_while_the_old_key_is_a_fallback(
    client, old_key, make_issue, series, mailoutbox
):
    make_issue(series=series)
    client.post("/newsletter/", {"email": "reader@example.org"})
    path = re.search(r"https?://[^/\s]+(/newsletter/confirm/\S+/)", mailoutbox[0].body)
    path = path.group(1)

    rotate(old_key, [])
    refused = client.get(path)
    assert refused.status_code == 400
    assert Subscriber.objects.get().state == Subscriber.State.PENDING

    rotate(old_key, [OLD])
    assert client.get(path).status_code == 200
    done = client.post(path)
    assert "You are subscribed" in done.content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.ACTIVE


def test_an_unsubscribe_link_survives_the_rotation_while_the_old_key_is_a_fallback(
    client, old_key, series
):
    subscriber = Subscriber.objects.create(
        series=series, email="reader@example.org", state=Subscriber.State.ACTIVE
    )
    path = unsubscribe_url(subscriber.pk, series.pk).split("://", 1)[1]
    path = path[path.index("/") :]

    rotate(old_key, [])
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.ACTIVE

    rotate(old_key, [OLD])
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED
