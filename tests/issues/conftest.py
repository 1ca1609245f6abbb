"""Fixtures of the issue admin's tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from issues.models import Issue

PUBLISHED = Issue.Status.PUBLISHED


@pytest.fixture
def issue_in(make_issue, make_story, make_read):
    """An issue ready to publish, in `status`."""

    def make(status, **overrides):
        live = timezone.now() - timedelta(hours=1)
        issue = make_issue(
            status=status,
            published_at=live if status == PUBLISHED else None,
            headline="Before",
            channel_url="https://t.me/nowwhatvenezuela",
            **overrides,
        )
        make_story(issue=issue, headline="First story", body="<p>Story text.</p>")
        make_read(issue=issue)
        return issue

    return make
