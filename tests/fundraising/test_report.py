"""`donate_report`: donate clicks per issue as CSV, clicks in the last column."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.utils import timezone

from issues.models import Issue
from newsroom.fundraising.models import DonateClick

pytestmark = pytest.mark.django_db


def report(*args):
    out = io.StringIO()
    call_command("donate_report", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def add_clicks(issue, count, days_ago=0, via=DonateClick.Via.ISSUE):
    return DonateClick.objects.create(
        issue=issue,
        via=via,
        day=timezone.localdate() - timedelta(days=days_ago),
        count=count,
    )


def test_report_has_a_header_and_one_row_per_issue_with_clicks_last(make_issue):
    older = make_issue(slug="older", headline="Older issue")
    make_issue(slug="newer", headline="Newer issue", published_at=timezone.now())
    add_clicks(older, 4)
    add_clicks(older, 2, via=DonateClick.Via.STORY)
    add_clicks(older, 3, days_ago=1)

    rows = report()

    assert rows[0][0] == "slug" and rows[0][-1] == "clicks"
    assert [(row[0], row[1], row[-1]) for row in rows[1:]] == [
        ("newer", "Newer issue", "0"),
        ("older", "Older issue", "9"),
    ]
    by_slug = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_slug["older"]["from_issue_page"] == "7"
    assert by_slug["older"]["from_story_pages"] == "2"


def test_since_counts_only_clicks_from_that_day_on(make_issue):
    issue = make_issue(slug="weekly")
    add_clicks(issue, 10, days_ago=30)
    add_clicks(issue, 2, days_ago=1)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()

    rows = report("--since", since)

    assert rows[1][0] == "weekly" and rows[1][-1] == "2"


def test_drafts_without_clicks_are_left_out_but_an_unpublished_issue_keeps_its_clicks(
    make_issue,
):
    make_issue(slug="a-draft", status=Issue.Status.DRAFT, published_at=None)
    withdrawn = make_issue(slug="withdrawn", status=Issue.Status.UNPUBLISHED)
    add_clicks(withdrawn, 3)

    rows = report()

    assert [(row[0], row[-1]) for row in rows[1:]] == [("withdrawn", "3")]


@pytest.mark.parametrize(
    "headline",
    ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd"],
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(
    make_issue, headline
):
    make_issue(slug="formula", headline=headline)

    rows = report()

    assert rows[1][1] == "'" + headline


def test_a_bad_since_date_is_a_clear_error():
    with pytest.raises(CommandError, match="--since must be a date like 2025-03-01"):
        report("--since", "last tuesday")


def test_a_bad_since_date_exits_with_status_1(capsys):
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(
            ["manage.py", "donate_report", "--since", "2025-13-45"]
        )

    assert exit.value.code == 1
    assert "--since must be a date" in capsys.readouterr().err


def test_report_query_count_does_not_grow_with_issues(
    make_issue, django_assert_num_queries
):
    for n in range(2):
        add_clicks(make_issue(), n + 1)
    with django_assert_num_queries(1):
        small = report()
    for n in range(10):
        add_clicks(make_issue(), n + 1)
    with django_assert_num_queries(1):
        large = report()

    assert (len(small), len(large)) == (3, 13)
    assert date.fromisoformat(large[1][4])


def test_report_shows_email_clicks_gifts_money_and_conversion_per_issue(make_issue):
    from tests.fundraising.builders import make_campaign, make_donation

    issue = make_issue(slug="weekly")
    add_clicks(issue, 6)
    add_clicks(issue, 2, via=DonateClick.Via.EMAIL)
    add_clicks(issue, 3, via=DonateClick.Via.CHANNEL)
    campaign = make_campaign()
    make_donation(campaign, 1, amount="50", issue=issue)
    make_donation(campaign, 2, amount="10", issue=issue, refunded="4")
    make_donation(campaign, 3, amount="99", issue=issue, disputed=True)
    make_donation(campaign, 4, amount="99")

    rows = report()

    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["from_issue_page"] == "6"
    assert row["from_email"] == "2"
    assert row["from_channel"] == "3"
    assert row["donations"] == "2"
    assert row["raised"] == "$56"
    assert row["conversion"] == "18.2%"
    assert row["clicks"] == "11" and rows[0][-1] == "clicks"
