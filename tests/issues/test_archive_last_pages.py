"""Pages past the middle of a list are read from its end (newsroom/paging.py):
every page of the archive, a series and a tag still lists exactly the issues
the order gives, ties on the publish time included."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from issues.models import Issue

pytestmark = pytest.mark.django_db


def headlines(html):
    return re.findall(
        r'<a[^>]* href="/issues/issue-\d+/">(Issue headline \d+)</a>', html
    )


@pytest.mark.parametrize("path", ["/issues/", "/tags/mining/"])
def test_every_page_lists_the_issues_in_order_once(client, make_issue, path):
    now = timezone.now()
    for n in range(47):
        # Pairs of issues share a publish time: the key decides between them.
        make_issue(published_at=now - timedelta(hours=n // 2), tags=["mining"])
    expected = [
        issue.headline
        for issue in Issue.objects.published().order_by(
            "-published_at", "-number", "-pk"
        )
    ]

    shown = []
    for page in (1, 2, 3):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200
        shown += headlines(response.content.decode())

    assert shown == expected
    assert client.get(f"{path}?page=4").status_code == 404
