"""`Series.start_next_issue`: the next numbered draft, from wherever it is called."""

from django.db import connection

from issues.models import Issue


def test_the_next_issue_can_be_started_outside_any_transaction(
    transactional_db, make_series
):
    series = make_series(slug="weekly")
    assert connection.get_autocommit()

    issue = series.start_next_issue()

    assert (issue.number, issue.slug, issue.status) == (
        1,
        "weekly-1",
        Issue.Status.DRAFT,
    )


def test_a_taken_address_gets_the_next_free_numbered_suffix(make_series, make_issue):
    other = make_series(slug="other")
    make_issue(series=other, slug="weekly-1")
    make_issue(series=other, slug="weekly-1-2")
    series = make_series(slug="weekly")

    issue = series.start_next_issue()

    assert issue.slug == "weekly-1-3"
    assert issue.get_absolute_url() == "/issues/weekly-1-3/"
