"""`Issue.objects.published()` decides what the public sees: every status × time."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from issues.models import Issue

PAST = timedelta(minutes=-5)
FUTURE = timedelta(minutes=5)
WHEN = {PAST: "past", FUTURE: "future", None: "no-time"}

# Each status × a publish time past, future or unset, and the state it makes.
GRID = [
    (Issue.Status.DRAFT, PAST, Issue.State.DRAFT),
    (Issue.Status.DRAFT, FUTURE, Issue.State.DRAFT),
    (Issue.Status.DRAFT, None, Issue.State.DRAFT),
    (Issue.Status.IN_REVIEW, PAST, Issue.State.IN_REVIEW),
    (Issue.Status.IN_REVIEW, FUTURE, Issue.State.IN_REVIEW),
    (Issue.Status.IN_REVIEW, None, Issue.State.IN_REVIEW),
    (Issue.Status.PUBLISHED, PAST, Issue.State.PUBLISHED),
    (Issue.Status.PUBLISHED, FUTURE, Issue.State.SCHEDULED),
    (Issue.Status.UNPUBLISHED, PAST, Issue.State.UNPUBLISHED),
    (Issue.Status.UNPUBLISHED, FUTURE, Issue.State.UNPUBLISHED),
    (Issue.Status.UNPUBLISHED, None, Issue.State.UNPUBLISHED),
]


@pytest.fixture(params=GRID, ids=lambda case: f"{case[0]}-{WHEN[case[1]]}")
def case(request, make_issue):
    """An issue of the grid, and the state it is in."""
    status, offset, state = request.param
    published_at = timezone.now() + offset if offset is not None else None
    return make_issue(status=status, published_at=published_at), state


def test_published_is_status_published_and_time_not_in_the_future(case):
    issue, state = case
    visible = state == Issue.State.PUBLISHED

    assert (issue in Issue.objects.published()) is visible
    assert issue.is_public is visible


def test_scheduled_is_status_published_and_time_still_to_come(case):
    issue, state = case
    scheduled = state == Issue.State.SCHEDULED

    assert (issue in Issue.objects.scheduled()) is scheduled
    assert issue.is_scheduled is scheduled


def test_an_issue_is_in_exactly_one_state_and_the_query_agrees(case):
    issue, state = case

    assert issue.state == state
    assert issue.state_label == state.label
    assert [s for s in Issue.State if Issue.objects.in_state(s).contains(issue)] == [
        state
    ]


def test_an_issue_is_public_or_scheduled_until_its_time_and_never_both(
    make_issue, monkeypatch
):
    publish_time = timezone.now() + timedelta(hours=1)
    issue = make_issue(published_at=publish_time)
    assert (issue.is_scheduled, issue.is_public) == (True, False)

    monkeypatch.setattr(timezone, "now", lambda: publish_time)

    assert (issue.is_scheduled, issue.is_public) == (False, True)
    assert not Issue.objects.scheduled().filter(pk=issue.pk).exists()


def test_a_scheduled_issue_becomes_public_when_its_time_arrives(
    make_issue, monkeypatch
):
    publish_time = timezone.now() + timedelta(hours=1)
    issue = make_issue(published_at=publish_time)
    assert not Issue.objects.published().filter(pk=issue.pk).exists()

    monkeypatch.setattr(timezone, "now", lambda: publish_time)

    assert Issue.objects.published().filter(pk=issue.pk).exists()


def test_the_database_refuses_a_published_issue_without_a_publish_time(make_issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_issue(status=Issue.Status.PUBLISHED, published_at=None)


def test_every_status_is_a_state_with_the_same_label():
    assert {(s.value, s.label) for s in Issue.Status} == {
        (s.value, s.label) for s in Issue.State if s != Issue.State.SCHEDULED
    }
