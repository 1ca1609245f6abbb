"""Donate clicks from the email edition are counted apart from the web's."""

import csv
import io

from django.core.management import call_command
from django.utils import timezone

from newsroom.models import DonateClick


def test_a_via_other_than_email_counts_as_a_web_click(client, make_issue):
    issue = make_issue()

    client.get(f"/donate/?from={issue.slug}&via=sms")

    assert list(DonateClick.objects.values_list("via", "count")) == [("issue", 1)]


def test_an_email_click_and_a_web_click_by_one_reader_both_count(client, make_issue):
    issue = make_issue()

    client.get(f"/donate/?from={issue.slug}&via=email")
    client.get(f"/donate/?from={issue.slug}&via=email")
    client.get(f"/donate/?from={issue.slug}")

    assert dict(DonateClick.objects.values_list("via", "count")) == {
        "email": 1,
        "issue": 1,
    }


def test_the_issue_admin_and_donate_report_show_email_clicks(
    client, editor, make_issue
):
    issue = make_issue()
    today = timezone.localdate()
    DonateClick.objects.create(issue=issue, via="issue", day=today, count=4)
    DonateClick.objects.create(issue=issue, via="email", day=today, count=2)
    client.force_login(editor)

    page = client.get(f"/admin/issues/issue/{issue.pk}/change/").text
    out = io.StringIO()
    call_command("donate_report", stdout=out)

    assert (
        "6 visits to the donate page from this issue (4 from the issue page, "
        "0 from its stories, 2 from the email edition)." in page
    )
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert dict(zip(header, row, strict=True))["from_email"] == "2"
    assert header[-1] == "clicks" and row[-1] == "6"
