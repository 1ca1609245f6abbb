"""The sign-up form offers a series from the moment its first issue is public,
though the list is read once per page-cache generation."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def offered(client):
    html = client.get("/search/").content.decode()
    return "Caracas Weekly" in html, "Now What Venezuela" in html


def test_a_series_is_offered_once_its_first_scheduled_issue_is_out(
    client, make_series, make_issue
):
    make_issue(series=make_series(name="Now What Venezuela"))
    publish_at = timezone.now() + timedelta(hours=1)
    weekly = make_series(name="Caracas Weekly")
    make_issue(series=weekly, published_at=publish_at)

    assert offered(client) == (False, True)
    assert offered(client) == (False, True)  # from memory

    with mock.patch("django.utils.timezone.now", return_value=publish_at):
        assert offered(client) == (True, True)
