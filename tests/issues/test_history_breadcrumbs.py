"""The history and compare pages share one frame: styles and breadcrumbs back to the issue."""

import re

from django.urls import reverse
from reversion.models import Version

from issues.models import Issue
from tests.issues.admin_forms import change_url


def breadcrumbs(response):
    html = response.content.decode()
    trail = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1)
    return [
        " ".join(re.sub(r"<[^>]+>", "", part).split())
        for part in trail.split("&rsaquo;")
    ]


def test_history_and_compare_lead_back_to_the_issue(client, editor, make_issue):
    issue = make_issue(headline="A draft", status=Issue.Status.DRAFT)
    client.force_login(editor)
    client.get(change_url(issue))
    revision = Version.objects.get_for_object(issue).get().revision
    history_url = reverse("admin:issues_issue_history", args=[issue.pk])

    history = client.get(history_url)
    compare = client.get(
        reverse("admin:issues_issue_compare", args=[issue.pk, revision.pk])
    )

    assert breadcrumbs(history) == [
        "Home",
        "Series and issues",
        "Issues",
        "A draft",
        "History",
    ]
    assert breadcrumbs(compare) == [
        "Home", "Series and issues", "Issues", "A draft", "History", "Compare",
    ]  # fmt: skip
    compare_html = compare.content.decode()
    assert f'href="{history_url}">History</a>' in compare_html
    assert f'href="{change_url(issue)}">A draft</a>' in compare_html
    assert "issues/admin/workflow.css" in compare_html
